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

  // Before the handles: static fields initialise in order.
  private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
  private static final ValueLayout P = ValueLayout.ADDRESS;

  // One handle per symbol, static final so the JIT binds each call directly; the instance picks its width's.
  private static final MethodHandle PANELS_48, NEXT_ROW_48, NEXT_COLUMN_48;
  private static final MethodHandle PANELS_16, NEXT_ROW_16, NEXT_COLUMN_16;

  static {
    SymbolLookup lib = SymbolLookup.libraryLookup(libraryPath(), Arena.global());
    PANELS_48 = panels(lib, "vk_panels48");
    NEXT_ROW_48 = nextRow(lib, "vk_next_row48");
    NEXT_COLUMN_48 = nextColumn(lib, "vk_next_column48");
    PANELS_16 = panels(lib, "vk_panels16");
    NEXT_ROW_16 = nextRow(lib, "vk_next_row16");
    NEXT_COLUMN_16 = nextColumn(lib, "vk_next_column16");
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

  private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
    MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsupportedOperationException("the native kernel has no " + name));
    return Linker.nativeLinker().downcallHandle(symbol, fd, Linker.Option.critical(true));
  }

  /** true: 8 rows × 3 vectors of 16 lanes (AVX-512, width 48); false: 6 × 2 of 8 lanes (AVX2 and FMA, width 16). */
  private final boolean wide;

  /**
   * The kernel of this width: 48 needs AVX-512F, 16 AVX2 and FMA, the shapes {@link VectorShape} picks on x86-64 (the
   * caller checks the machine: the JVM's preferred vector species tells it).
   */
  NativeDotKernel(int width) {
    if (width != 48 && width != 16) throw new UnsupportedOperationException("no native kernel of width " + width);
    this.wide = width == 48;
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
        PANELS_48.invokeExact(as, aOff, aRow, aCol, rows, bs, bOff, bRow, panelStep, nPanels, len, os, outOff, outStride);
      } else {
        PANELS_16.invokeExact(as, aOff, aRow, aCol, rows, bs, bOff, bRow, panelStep, nPanels, len, os, outOff, outStride);
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
      return wide ? (int) NEXT_ROW_48.invokeExact(ts, off, from, to, bs, biasOff, thr)
          : (int) NEXT_ROW_16.invokeExact(ts, off, from, to, bs, biasOff, thr);
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
      return wide ? (int) NEXT_COLUMN_48.invokeExact(ts, off, from, to, eu, bias, scale, hs)
          : (int) NEXT_COLUMN_16.invokeExact(ts, off, from, to, eu, bias, scale, hs);
    } catch (Throwable e) {
      throw new IllegalStateException("native kernel", e);
    }
  }

  /** Checks that x[base + lo] .. x[base + hi] (lo, hi ≥ 0 expected) are inside x. */
  private static void within(float[] x, int base, long lo, long hi) {
    if (base < 0 || lo < 0 || hi < lo || base + hi >= x.length) {
      throw new IndexOutOfBoundsException("native kernel: [" + (base + lo) + ", " + (base + hi) + "] outside an array of " + x.length);
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
