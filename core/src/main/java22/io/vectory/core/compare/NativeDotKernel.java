package io.vectory.core.compare;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;

/**
 * The kernel as native code (core/src/main/c/vectory_kernel.c) called through the FFM API, final from Java 22: this
 * class lives in the jar's META-INF/versions/22, so a Java 21 JVM never sees it and keeps the Vector API kernel.
 *
 * <p>Why: the Vector API kernel runs at the core's peak once C2 has compiled it, but a fresh JVM spends 0.2–0.45 s
 * of a core warming it up and runs its first tiles slower still; a compare of a few thousand points is over in about
 * that time. Native code is compiled before the JVM starts. Its floats are the Java kernels' bit for bit (the same
 * fused multiply-add per p, in increasing p, from 0), so the engine's exactness argument and every answer are
 * unchanged; tests compare it with {@link ScalarDotKernel} on every path.
 *
 * <p>The arrays are passed in place ({@link Linker.Option#critical} with heap access: no copy, no pinning cost for
 * calls this short); every call checks its index ranges first, because native code does not.
 */
final class NativeDotKernel implements DotKernel {
  /** Where core's build puts the library, beside this class. */
  private static final String RESOURCE = "native/linux-x86_64/libvectorykernel.so";

  private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
  private static final ValueLayout P = ValueLayout.ADDRESS;

  /** The library, loaded once. */
  private static final class Lib {
    static final SymbolLookup LOOKUP = SymbolLookup.libraryLookup(libraryPath(), Arena.global());
  }

  // Static final handles, so the JIT binds each call directly, in holders by width and use: a compare links only what
  // it calls (linking a downcall costs a fresh JVM a few milliseconds each), the self-join's two of its width.
  private static final class Wide {
    static final MethodHandle PANELS = panels(Lib.LOOKUP, "vk_panels48");
    static final MethodHandle SCAN_SELF_TILE = scanSelfTile(Lib.LOOKUP, "vk_scan_self_tile48");
  }

  private static final class WideScans {
    static final MethodHandle NEXT_ROW = nextRow(Lib.LOOKUP, "vk_next_row48");
    static final MethodHandle NEXT_COLUMN = nextColumn(Lib.LOOKUP, "vk_next_column48");
  }

  private static final class Narrow {
    static final MethodHandle PANELS = panels(Lib.LOOKUP, "vk_panels16");
    static final MethodHandle SCAN_SELF_TILE = scanSelfTile(Lib.LOOKUP, "vk_scan_self_tile16");
  }

  private static final class NarrowScans {
    static final MethodHandle NEXT_ROW = nextRow(Lib.LOOKUP, "vk_next_row16");
    static final MethodHandle NEXT_COLUMN = nextColumn(Lib.LOOKUP, "vk_next_column16");
  }

  private static MethodHandle panels(SymbolLookup lib, String name) {
    return bind(lib, name, FunctionDescriptor.ofVoid(P, I, I, I, I, P, I, I, I, I, I, P, I, I));
  }

  private static MethodHandle nextRow(SymbolLookup lib, String name) {
    return bind(lib, name, FunctionDescriptor.of(I, P, I, I, I, P, I, F));
  }

  private static MethodHandle nextColumn(SymbolLookup lib, String name) {
    return bind(lib, name, FunctionDescriptor.of(I, P, I, I, I, I, F, F, P));
  }

  private static MethodHandle scanSelfTile(SymbolLookup lib, String name) {
    return bind(lib, name, FunctionDescriptor.ofVoid(P, I, I, I, I, I, P, I, P, P, I, P, P));
  }

  private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
    MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsupportedOperationException("the native kernel has no " + name));
    return Linker.nativeLinker().downcallHandle(symbol, fd, Linker.Option.critical(true));
  }

  /** true: 8 rows × 3 vectors of 16 lanes (AVX-512, width 48); false: 6 × 2 of 8 lanes (AVX2 and FMA, width 16). */
  private final boolean wide;

  /**
   * The kernel of this width: 48 needs AVX-512F, 16 AVX2 and FMA ({@link DotKernel.Native#cpuWidth} says which this CPU
   * has; the caller checks).
   */
  NativeDotKernel(int width) {
    if (width != 48 && width != 16) throw new UnsupportedOperationException("no native kernel of width " + width);
    this.wide = width == 48;
    // Loads the library and links the self-join's calls now, so a failure shows here (DotKernel.Native falls back).
    java.util.Objects.requireNonNull(wide ? Wide.SCAN_SELF_TILE : Narrow.SCAN_SELF_TILE);
  }

  @Override
  public int width() {
    return wide ? 48 : 16;
  }

  @Override
  public void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride) {
    if (rows <= 0 || nPanels <= 0) return;
    if ((aOff | aRow | aCol | bOff | bRow | panelStep | outOff | outStride) < 0) throw new IllegalArgumentException("native kernel: a negative offset or stride");
    if (len > 0) {
      within(a, aOff, 0, (long) (rows - 1) * aRow + (long) (len - 1) * aCol);
      within(b, bOff, 0, (long) (nPanels - 1) * panelStep + (long) (len - 1) * bRow + width() - 1);
    }
    within(out, outOff, 0, (long) (rows - 1) * outStride + (long) nPanels * width() - 1);
    MemorySegment as = MemorySegment.ofArray(a), bs = MemorySegment.ofArray(b), os = MemorySegment.ofArray(out);
    try {
      if (wide) {
        Wide.PANELS.invokeExact(as, aOff, aRow, aCol, rows, bs, bOff, bRow, panelStep, nPanels, len, os, outOff, outStride);
      } else {
        Narrow.PANELS.invokeExact(as, aOff, aRow, aCol, rows, bs, bOff, bRow, panelStep, nPanels, len, os, outOff, outStride);
      }
    } catch (Throwable e) {
      throw new IllegalStateException("native kernel", e);
    }
  }

  @Override
  public int nextRow(float[] t, int off, int from, int to, float[] bias, int biasOff, float thr) {
    if (from >= to) return to;
    within(t, off, from, to - 1);
    if (bias != null) within(bias, biasOff, from, to - 1);
    MemorySegment ts = MemorySegment.ofArray(t), bs = bias == null ? MemorySegment.NULL : MemorySegment.ofArray(bias);
    try {
      return wide ? (int) WideScans.NEXT_ROW.invokeExact(ts, off, from, to, bs, biasOff, thr)
          : (int) NarrowScans.NEXT_ROW.invokeExact(ts, off, from, to, bs, biasOff, thr);
    } catch (Throwable e) {
      throw new IllegalStateException("native kernel", e);
    }
  }

  @Override
  public int nextColumn(float[] t, int off, int from, int to, boolean euclidean, float bias, float scale, float[] thr) {
    if (from >= to) return to;
    within(t, off, from, to - 1);
    within(thr, 0, from, to - 1);
    MemorySegment ts = MemorySegment.ofArray(t), hs = MemorySegment.ofArray(thr);
    int eu = euclidean ? 1 : 0;
    try {
      return wide ? (int) WideScans.NEXT_COLUMN.invokeExact(ts, off, from, to, eu, bias, scale, hs)
          : (int) NarrowScans.NEXT_COLUMN.invokeExact(ts, off, from, to, eu, bias, scale, hs);
    } catch (Throwable e) {
      throw new IllegalStateException("native kernel", e);
    }
  }

  @Override
  public boolean scanSelfTile(float[] tile, int block, int qc, int q0, int jc, int j0, float[] bias, boolean includeSelf,
      float[] h, int[] hix, int kk, float[] ct, int[] ci) {
    if (qc <= 0 || jc <= 0) return true;
    if ((block | q0 | j0 | kk) < 0 || kk == 0 || jc > block) throw new IllegalArgumentException("native kernel: a bad tile");
    within(tile.length, 0, 0, (long) (qc - 1) * block + jc - 1);
    long runs = (long) Math.max(q0 + qc, j0 + jc) * kk - 1;
    within(h.length, 0, 0, runs);
    within(hix.length, 0, 0, runs);
    if (bias != null) within(bias.length, 0, Math.min(q0, j0), Math.max(q0 + qc, j0 + jc) - 1);
    within(Math.min(ct.length, ci.length), 0, 0, jc - 1);
    MemorySegment ts = MemorySegment.ofArray(tile), bs = bias == null ? MemorySegment.NULL : MemorySegment.ofArray(bias);
    MemorySegment hs = MemorySegment.ofArray(h), is = MemorySegment.ofArray(hix);
    MemorySegment cts = MemorySegment.ofArray(ct), cis = MemorySegment.ofArray(ci);
    int self = includeSelf ? 1 : 0;
    try {
      if (wide) {
        Wide.SCAN_SELF_TILE.invokeExact(ts, block, qc, q0, jc, j0, bs, self, hs, is, kk, cts, cis);
      } else {
        Narrow.SCAN_SELF_TILE.invokeExact(ts, block, qc, q0, jc, j0, bs, self, hs, is, kk, cts, cis);
      }
    } catch (Throwable e) {
      throw new IllegalStateException("native kernel", e);
    }
    return true;
  }

  /** Checks that x[base + lo] .. x[base + hi] are inside x. */
  private static void within(float[] x, int base, long lo, long hi) {
    within(x.length, base, lo, hi);
  }

  private static void within(int length, int base, long lo, long hi) {
    if (base < 0 || lo < 0 || hi < lo || base + hi >= length) {
      throw new IndexOutOfBoundsException("native kernel: [" + (base + lo) + ", " + (base + hi) + "] outside an array of " + length);
    }
  }

  /** The library: the build's file itself when classes come from a directory, else extracted once per content. */
  private static Path libraryPath() {
    URL url = NativeDotKernel.class.getResource(RESOURCE);
    if (url == null) throw new UnsupportedOperationException("no " + RESOURCE + " in this build (no C compiler, or not Linux x86-64)");
    try {
      if (url.getProtocol().equals("file")) return Path.of(url.toURI());
      byte[] bytes;
      try (InputStream in = url.openStream()) {
        bytes = in.readAllBytes();
      }
      CRC32 crc = new CRC32();
      crc.update(bytes);
      // Per user and per content: another build's library never stands in for this one.
      Path dir = Path.of(System.getProperty("user.home"), ".cache", "vectory");
      Path lib = dir.resolve("libvectorykernel-" + Long.toHexString(crc.getValue()) + ".so");
      if (Files.isRegularFile(lib) && Files.size(lib) == bytes.length) return lib;
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "libvectorykernel", ".tmp");
      Files.write(tmp, bytes);
      return Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | URISyntaxException e) {
      throw new UnsupportedOperationException("cannot extract the native kernel: " + e, e);
    }
  }
}
