package io.vectory.core.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Block dot products, the hot loop of the engine: for {@code rows} rows of A and {@code nPanels} panels of
 * {@link #width()} columns of B,
 * {@code out[outOff + r*outStride + pc*W + t] = Σ_{p<len} a[aOff + r*aRow + p*aCol] * b[bOff + pc*panelStep + p*bRow + t]}.
 *
 * <p>Every output is accumulated the same way, whatever its position: one fused multiply-add per p, in
 * increasing p, starting from 0. So a pair's float result does not depend on the blocking, the thread or
 * the kernel (the vector and the scalar kernel agree bit for bit).
 *
 * <p>The two scans find the next tile entry that may enter a candidate list; the engine then re-checks it in
 * scalar code with the same float arithmetic, so a vector scan only skips, it never decides.
 */
interface DotKernel {
  int width();

  void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride);

  /**
   * The first b in [from, to) whose score is at most {@code thr}, else {@code to}. The score of dot product t is
   * {@code -t} when {@code bias} is null, else {@code bias[biasOff + b] - 2t}.
   */
  default int nextRow(float[] t, int off, int from, int to, float[] bias, int biasOff, float thr) {
    for (int b = from; b < to; b++) {
      float s = bias == null ? -t[off + b] : bias[biasOff + b] - 2f * t[off + b];
      if (s <= thr) return b;
    }
    return to;
  }

  /**
   * The first b in [from, to) whose score is at most {@code thr[b]}, else {@code to}. The score of dot product t
   * is {@code bias - 2t} when {@code euclidean}, else {@code -(t * scale)}.
   */
  default int nextColumn(float[] t, int off, int from, int to, boolean euclidean, float bias, float scale, float[] thr) {
    for (int b = from; b < to; b++) {
      float s = euclidean ? bias - 2f * t[off + b] : -(t[off + b] * scale);
      if (s <= thr[b]) return b;
    }
    return to;
  }

  /**
   * The self-join's scans and insertions for one tile in one call, where the kernel has them (the native one), else
   * false and ExactKnn.scanSelfTile, the Java loop, runs; such a kernel must equal that loop exactly. Runs are
   * h/hix[q·kk, (q+1)·kk).
   */
  default boolean scanSelfTile(float[] tile, int block, int qc, int q0, int jc, int j0, float[] bias, boolean includeSelf,
      float[] h, int[] hix, int kk, float[] ct, int[] ci) {
    return false;
  }

  /** Gets the kernel compiled before real work reaches it (the Vector API kernel's warm-up); others have none. */
  default void warmUp() {}

  /**
   * The native kernel where it loads ({@link Native}), else the Vector API kernel when jdk.incubator.vector is in the
   * boot layer (it is for ./vectory and the tests), else scalar.
   */
  static DotKernel best() {
    return Holder.BEST;
  }

  /**
   * Multiply-adds below which a JVM that has not loaded the Vector API kernel yet runs the scalar one: loading it
   * (its warm-up, then C2 compiling the Vector API code, whose interpreted form allocates per lane operation) costs a
   * fresh JVM about 0.3 s of 2 cores, more than it saves on such a job. Measured with ./vectory compare (both spaces'
   * passes and CKA), 2 cores: 600 × 384 0.80 s scalar against 1.12–1.27 s, 1,307 × 384 1.11 against 1.26 s, while
   * 3,000 × 384 takes 2.19 s scalar against 1.14 s. 5·10⁸ is a self-join of about 1,600 × 384. The native kernel has
   * no such cost, so where it loads every job takes it.
   * {@code -Dvectory.smallWork=N} sets it; 0 turns the scalar path off (the build's AOT training run, so the cache holds
   * the Vector API kernel that larger jobs need).
   */
  long SMALL_WORK = Long.getLong("vectory.smallWork", 500_000_000L);

  /**
   * The kernel for a job of about {@code multiplyAdds} products: the scalar kernel for a small job while the Vector
   * API kernel is not loaded (and no native one is), else {@link #best}. All give the same floats for every pair, and
   * at the same width, so blocks and tiles do not depend on the choice.
   */
  static DotKernel forWork(double multiplyAdds) {
    if (multiplyAdds < SMALL_WORK && !Small.bestChosen && Native.KERNEL == null) return Small.KERNEL;
    return best();
  }

  /**
   * The native kernel (NativeDotKernel, in the jar's META-INF/versions/22: FFM is final from Java 22), or null: on Java
   * 21, where the build had no C compiler, on machines other than Linux x86-64 with AVX-512 or AVX2 and FMA, or with
   * {@code -Dvectory.native=false}. It needs no warm-up, so small jobs take it too. Its width comes from the CPU, not
   * from the Vector API (./vectory leaves that module out where the native kernel is built, so the AOT cache can hold
   * the full module graph and linked classes: a JVM about 0.06 s sooner), so every JVM on a machine cuts the same
   * tiles, with the module or without (shards of one pass run in several). Results do not depend on the width.
   */
  final class Native {
    private Native() {}

    /** Why there is none (for tests and benchmarks), or null. */
    static volatile String whyNot;
    static final DotKernel KERNEL = load();

    private static DotKernel load() {
      if (!Boolean.parseBoolean(System.getProperty("vectory.native", "true"))) return none("-Dvectory.native=false");
      String arch = System.getProperty("os.arch", "");
      if (!System.getProperty("os.name", "").equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
        return none("not Linux x86-64");
      }
      try {
        int w = cpuWidth();
        if (w == 0) return none("the CPU has neither AVX-512F nor AVX2 with FMA");
        return ofWidth(w);
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return none(e instanceof java.lang.reflect.InvocationTargetException t ? t.getCause().toString() : e.toString());
      }
    }

    /** 48 (8 × 3 of 16 lanes) where the CPU has AVX-512F, 16 (6 × 2 of 8) where it has AVX2 and FMA, else 0. */
    static int cpuWidth() {
      Set<String> flags = cpuFlags();
      if (flags.contains("avx512f")) return 48;
      return flags.contains("avx2") && flags.contains("fma") ? 16 : 0;
    }

    /** The first processor's flags in /proc/cpuinfo (empty when it cannot be read). */
    private static Set<String> cpuFlags() {
      try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
        return lines.filter(l -> l.startsWith("flags")).findFirst()
            .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
            .orElse(Set.of());
      } catch (IOException | UncheckedIOException e) {
        return Set.of();
      }
    }

    /** The native kernel of width w (48: AVX-512, 16: AVX2 and FMA; the caller knows the machine has them). */
    static DotKernel ofWidth(int w) throws ReflectiveOperationException {
      // By name: the class is compiled for Java 22 (META-INF/versions/22), absent from a Java 21 JVM's view.
      return (DotKernel) Class.forName("io.vectory.core.compare.NativeDotKernel").getDeclaredConstructor(int.class).newInstance(w);
    }

    private static DotKernel none(String why) {
      whyNot = why; // the Vector API kernel then: the same floats, after its warm-up
      return null;
    }
  }

  /** The scalar kernel for small jobs, at the width {@link #best} has or would have (found without choosing it). */
  final class Small {
    private Small() {}

    /** Set once {@link Holder} has chosen (and so loaded and warmed) the best kernel. */
    static volatile boolean bestChosen;
    static final DotKernel KERNEL = new ScalarDotKernel(width());

    private static int width() {
      if (vectorApi()) {
        try {
          return (int) Class.forName("io.vectory.core.compare.VectorShape").getDeclaredMethod("width").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
          // fall through: the scalar kernel's own width, as Holder then chooses it too
        }
      }
      return SCALAR_WIDTH;
    }
  }

  /** The scalar kernel's width when it is the best one. */
  int SCALAR_WIDTH = 32;

  private static boolean vectorApi() {
    return !Boolean.getBoolean("vectory.scalar") && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** One kernel per JVM: choosing it loads (and warms) the Vector API classes once. */
  final class Holder {
    private Holder() {}

    static final DotKernel BEST = choose();

    static {
      // Here, not in the kernel's own static initializer: HotSpot runs a class's methods in C2 code only once the class
      // is initialized.
      BEST.warmUp();
      Small.bestChosen = true;
    }

    private static DotKernel choose() {
      if (Native.KERNEL != null) return Native.KERNEL;
      if (vectorApi()) {
        try {
          return (DotKernel) Class.forName("io.vectory.core.compare.VectorDotKernel").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
          // fall through to the scalar kernel
        }
      }
      return new ScalarDotKernel(SCALAR_WIDTH);
    }
  }
}
