package io.vectory.core.compare;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel: a register-blocked outer product, like a BLAS sgemm micro-kernel; B is pre-packed into
 * panels so each step is a few contiguous vector loads, one broadcast per row of A and rows × vectors FMAs.
 *
 * <p>The block shape follows the register file, because a spilled accumulator costs a load and a store per FMA:
 * <ul>
 *   <li>8 rows × 3 vectors (24 accumulators + 3 loads + 1 broadcast = 28 of 32 registers) where there are 32
 *       vector registers: AVX-512 (its 512-bit species) and AArch64;</li>
 *   <li>6 rows × 2 vectors (12 + 2 + 1 = 15 of 16) on x86 without AVX-512 (AVX2: 16 ymm registers), where 8 × 3
 *       spilled and ran at a quarter of peak.</li>
 * </ul>
 * {@code -Dvectory.kernel=8x3|6x2} overrides the choice. Measured (single thread, thread CPU time, the symmetric
 * tiles of a 20,000 × 512 self-join, AMD EPYC Zen 5 at 2.6 GHz, load average 10–13 from other jobs): 8 × 3 with
 * 16 lanes 172–183 GFLOP/s; with -XX:UseAVX=2 (8 lanes) 8 × 3 49–55 and 6 × 2 72–78 GFLOP/s.
 *
 * <p>Why this and not a BLAS: bench/compare-kernels.sh (core's kernel vs OpenBLAS sgemm): OpenBLAS is on par on
 * the 256 × 256 tiles the engine streams, the engine halves the products by symmetry with either, and this kernel
 * gives the same float for a pair wherever the pair falls (BLAS blocking does not) and leaves the tile in cache for the
 * top-k scan. On Java 22+ with the native kernel built, NativeDotKernel (the same loops in C) runs instead: it needs no
 * warm-up; this kernel is the Java 21 and no-C-compiler path, with the same results.
 */
final class VectorDotKernel implements DotKernel {
  private static final VectorSpecies<Float> S = VectorShape.SPECIES;
  private static final int L = S.length();
  private static final boolean WIDE = VectorShape.WIDE;

  /** true: 8 rows × 3 vectors; false: 6 rows × 2 vectors. */
  private final boolean wide;
  private final int width;

  /** The shape that suits this machine's register file. */
  VectorDotKernel() {
    this(WIDE);
  }

  VectorDotKernel(boolean wide) {
    this.wide = wide;
    this.width = (wide ? 3 : 2) * L;
  }

  /** The shape, e.g. "8x3 of 16 lanes", for benchmarks. */
  String shape() {
    return (wide ? "8x3" : "6x2") + " of " + L + " lanes";
  }

  /**
   * Gets the kernels compiled by C2 before real work reaches them. Vector API code is very slow until C2
   * intrinsifies it (each lane operation allocates in the interpreter and in C1), and a real call (hundreds of
   * steps) runs to its end in whatever mode it started in, so the first ~100 calls of a cold JVM used to take
   * seconds. The warm-up below makes cheap calls until C2's code is in place.
   */
  @Override
  public void warmUp() {
    warmUpStatic();
  }

  /** Row thresholds for the warm-up's scans: one that stops a scan at once, one somewhere, one never. */
  private static final float[] WARM_ROW_THRESHOLDS = {10f, -1.5f, -10f};

  // Not from this class's static initializer: HotSpot does not run (or compile) a class's methods in C2 code until
  // the class is initialized, so a warm-up there ran in C1 only and C2 compiled the kernel during the first pass.
  //
  // The calls take every path a pass takes (a remainder row, a second depth slice, scans that find an entry and scans
  // that do not, lengths with a scalar tail), so C2's code has no untaken branch for real data to trap on: a Vector API
  // method sent back to the interpreter by such a trap runs hundreds of times slower until it is compiled again (it
  // cost a cold 6,817 × 384 pass about 0.2 s). Short calls cross the compile thresholds cheaply; between batches of
  // them one call at a real depth is timed, and the warm-up ends when it runs at compiled speed (a pass started before
  // C2's code lands runs its first tiles in C1 code, where each lane operation allocates). The launcher lowers these
  // methods' compile thresholds (-XX:CompileCommand=CompileThresholdScaling), so there it ends after a few batches;
  // elsewhere after a few thousand calls. Gives up after a second (a busy machine).
  private static void warmUpStatic() {
    final int W = VectorShape.width();
    final int rows = (WIDE ? 8 : 6) + 1;
    final int deep = DEPTH + 2;
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    float[] a = new float[rows * deep];
    float[] b = new float[2 * deep * W];
    for (int i = 0; i < a.length; i++) a[i] = (float) random.nextDouble(-1, 1);
    for (int i = 0; i < b.length; i++) b[i] = (float) random.nextDouble(-1, 1);
    float[] out = new float[rows * 2 * W];
    // Column thresholds that stop a scan at once, somewhere, and never.
    float[][] thr = new float[3][2 * W];
    for (int i = 0; i < 2 * W; i++) {
      thr[0][i] = 10f;
      thr[1][i] = (float) random.nextDouble(-2.5, -1.5);
      thr[2][i] = -10f;
    }
    float[] bias = new float[2 * W];
    float[] never = new float[2 * W];
    java.util.Arrays.fill(never, -1e30f);
    VectorDotKernel k = new VectorDotKernel(WIDE);
    long deadline = System.nanoTime() + 1_000_000_000L;
    for (int i = 0; System.nanoTime() < deadline; i++) {
      // Depth 2 (one slice) mostly; every eighth call two slices, the second carrying the first's sums.
      int len = (i & 7) == 7 ? deep : 2;
      k.panels(a, 0, deep, 1, rows, b, 0, W, deep * W, 2, len, out, 0, 2 * W);
      int to = 2 * W - (i % 3); // 0 to 2 lanes short: the scalar tail too
      float t = WARM_ROW_THRESHOLDS[(i / 3) % 3];
      int o = (i % rows) * 2 * W;
      k.nextRow(out, o, i % 5, to, null, 0, t);
      k.nextRow(out, o, i % 5, to, bias, 0, 2 * t);
      k.nextColumn(out, o, i % 5, to, false, 0f, 1f, thr[(i / 3) % 3]);
      k.nextColumn(out, o, i % 5, to, true, 0f, 1f, thr[(i / 3) % 3]);
      if (i % 100 == 99) {
        if (compiled(k, a, b, out, never, W, rows, deep)) return;
        if (i >= 600) { // the thresholds are crossed: leave the cores to the compiler between checks
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }

  /**
   * Whether every Vector API method a pass runs is compiled: the kernels at a real depth and full scans that find
   * nothing each run far below their limits when compiled (about a microsecond and tens of nanoseconds) and far above
   * them in C1 code, where each lane operation allocates.
   */
  private static boolean compiled(VectorDotKernel k, float[] a, float[] b, float[] out, float[] never, int w, int rows,
      int deep) {
    long t0 = System.nanoTime();
    // One depth slice of one panel: the main kernel on a full row block and the one-row kernel on the remainder.
    k.panels(a, 0, deep, 1, rows, b, 0, w, deep * w, 1, DEPTH, out, 0, 2 * w);
    if (System.nanoTime() - t0 >= COMPILED_CALL_NANOS) return false;
    t0 = System.nanoTime();
    int found = 0;
    for (int r = 0; r < 10; r++) {
      found += k.nextRow(out, 0, 0, 2 * w, null, 0, -1e30f);
      found += k.nextColumn(out, 0, 0, 2 * w, false, 0f, 1f, never);
      found += k.nextColumn(out, 0, 0, 2 * w, true, 0f, 1f, never);
    }
    // found is used so the scans cannot be dropped as dead code (they find nothing: -1e30 is never reached).
    return System.nanoTime() - t0 < COMPILED_SCANS_NANOS && found >= 0;
  }

  /** Thirty compiled full scans of 96 entries take well under a microsecond; in C1 code, tens of microseconds. */
  private static final long COMPILED_SCANS_NANOS = 10_000;

  /**
   * A compiled depth-128 slice of a panel is ~1 µs (8 × 3 of 16 lanes at 2 FMAs a cycle: 1,536 cycles, and one more
   * row); C1's is ~100 times that.
   */
  private static final long COMPILED_CALL_NANOS = 20_000;

  @Override
  public int width() {
    return width;
  }

  /**
   * Depth of one pass over a B panel: a panel slice of DEPTH × width floats (24 KB for 128 × 48) stays in L1 while
   * every row block of A runs over it, instead of the whole panel (96 KB at d = 512) streaming from L2 for each
   * 8 rows. Later slices continue from the partial sums in {@code out}, in increasing p, so every output gets the
   * same fused multiply-adds in the same order as without the split: the float results are unchanged.
   */
  private static final int DEPTH = 128;

  @Override
  public void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride) {
    final int W = width;
    for (int pc = 0; pc < nPanels; pc++) {
      int p0 = 0;
      do { // at least once: len 0 writes zeros
        int depth = Math.min(DEPTH, len - p0);
        boolean carry = p0 > 0;
        int bo = bOff + pc * panelStep + p0 * bRow;
        int ao = aOff + p0 * aCol;
        int r = 0;
        if (wide) {
          for (; r + 8 <= rows; r += 8) {
            kernel8x3(a, ao + r * aRow, aRow, aCol, b, bo, bRow, depth, out, outOff + r * outStride + pc * W, outStride, carry);
          }
          for (; r < rows; r++) {
            kernel1x3(a, ao + r * aRow, aCol, b, bo, bRow, depth, out, outOff + r * outStride + pc * W, carry);
          }
        } else {
          for (; r + 6 <= rows; r += 6) {
            kernel6x2(a, ao + r * aRow, aRow, aCol, b, bo, bRow, depth, out, outOff + r * outStride + pc * W, outStride, carry);
          }
          for (; r < rows; r++) {
            kernel1x2(a, ao + r * aRow, aCol, b, bo, bRow, depth, out, outOff + r * outStride + pc * W, carry);
          }
        }
        p0 += DEPTH;
      } while (p0 < len);
    }
  }

  @Override
  public int nextRow(float[] t, int off, int from, int to, float[] bias, int biasOff, float thr) {
    int b = from;
    if (bias == null) {
      // -t <= thr  exactly when  t >= -thr (negation is exact).
      FloatVector lim = FloatVector.broadcast(S, -thr);
      for (; b + L <= to; b += L) {
        VectorMask<Float> m = FloatVector.fromArray(S, t, off + b).compare(VectorOperators.GE, lim);
        if (m.anyTrue()) return b + m.firstTrue();
      }
    } else {
      FloatVector lim = FloatVector.broadcast(S, thr);
      for (; b + L <= to; b += L) {
        FloatVector s = FloatVector.fromArray(S, bias, biasOff + b).sub(FloatVector.fromArray(S, t, off + b).mul(2f));
        VectorMask<Float> m = s.compare(VectorOperators.LE, lim);
        if (m.anyTrue()) return b + m.firstTrue();
      }
    }
    return DotKernel.super.nextRow(t, off, b, to, bias, biasOff, thr);
  }

  @Override
  public int nextColumn(float[] t, int off, int from, int to, boolean euclidean, float bias, float scale, float[] thr) {
    int b = from;
    for (; b + L <= to; b += L) {
      FloatVector v = FloatVector.fromArray(S, t, off + b);
      FloatVector s = euclidean ? FloatVector.broadcast(S, bias).sub(v.mul(2f)) : v.mul(scale).neg();
      VectorMask<Float> m = s.compare(VectorOperators.LE, FloatVector.fromArray(S, thr, b));
      if (m.anyTrue()) return b + m.firstTrue();
    }
    return DotKernel.super.nextColumn(t, off, b, to, euclidean, bias, scale, thr);
  }

  private static FloatVector load(float[] out, int o) {
    return FloatVector.fromArray(S, out, o);
  }

  private static void kernel8x3(float[] a, int ao, int aRow, int aCol, float[] b, int bo, int bRow, int len,
      float[] out, int oo, int os, boolean carry) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c02 = z;
    FloatVector c10 = z, c11 = z, c12 = z;
    FloatVector c20 = z, c21 = z, c22 = z;
    FloatVector c30 = z, c31 = z, c32 = z;
    FloatVector c40 = z, c41 = z, c42 = z;
    FloatVector c50 = z, c51 = z, c52 = z;
    FloatVector c60 = z, c61 = z, c62 = z;
    FloatVector c70 = z, c71 = z, c72 = z;
    if (carry) {
      int o = oo;
      c00 = load(out, o); c01 = load(out, o + L); c02 = load(out, o + 2 * L); o += os;
      c10 = load(out, o); c11 = load(out, o + L); c12 = load(out, o + 2 * L); o += os;
      c20 = load(out, o); c21 = load(out, o + L); c22 = load(out, o + 2 * L); o += os;
      c30 = load(out, o); c31 = load(out, o + L); c32 = load(out, o + 2 * L); o += os;
      c40 = load(out, o); c41 = load(out, o + L); c42 = load(out, o + 2 * L); o += os;
      c50 = load(out, o); c51 = load(out, o + L); c52 = load(out, o + 2 * L); o += os;
      c60 = load(out, o); c61 = load(out, o + L); c62 = load(out, o + 2 * L); o += os;
      c70 = load(out, o); c71 = load(out, o + L); c72 = load(out, o + 2 * L);
    }
    int a0 = ao, a1 = ao + aRow, a2 = ao + 2 * aRow, a3 = ao + 3 * aRow, a4 = ao + 4 * aRow, a5 = ao + 5 * aRow, a6 = ao + 6 * aRow, a7 = ao + 7 * aRow;
    for (int p = 0; p < len; p++) {
      int xo = bo + p * bRow;
      int ap = p * aCol;
      FloatVector x0 = FloatVector.fromArray(S, b, xo);
      FloatVector x1 = FloatVector.fromArray(S, b, xo + L);
      FloatVector x2 = FloatVector.fromArray(S, b, xo + 2 * L);
      FloatVector v;
      v = FloatVector.broadcast(S, a[a0 + ap]); c00 = v.fma(x0, c00); c01 = v.fma(x1, c01); c02 = v.fma(x2, c02);
      v = FloatVector.broadcast(S, a[a1 + ap]); c10 = v.fma(x0, c10); c11 = v.fma(x1, c11); c12 = v.fma(x2, c12);
      v = FloatVector.broadcast(S, a[a2 + ap]); c20 = v.fma(x0, c20); c21 = v.fma(x1, c21); c22 = v.fma(x2, c22);
      v = FloatVector.broadcast(S, a[a3 + ap]); c30 = v.fma(x0, c30); c31 = v.fma(x1, c31); c32 = v.fma(x2, c32);
      v = FloatVector.broadcast(S, a[a4 + ap]); c40 = v.fma(x0, c40); c41 = v.fma(x1, c41); c42 = v.fma(x2, c42);
      v = FloatVector.broadcast(S, a[a5 + ap]); c50 = v.fma(x0, c50); c51 = v.fma(x1, c51); c52 = v.fma(x2, c52);
      v = FloatVector.broadcast(S, a[a6 + ap]); c60 = v.fma(x0, c60); c61 = v.fma(x1, c61); c62 = v.fma(x2, c62);
      v = FloatVector.broadcast(S, a[a7 + ap]); c70 = v.fma(x0, c70); c71 = v.fma(x1, c71); c72 = v.fma(x2, c72);
    }
    c00.intoArray(out, oo); c01.intoArray(out, oo + L); c02.intoArray(out, oo + 2 * L); oo += os;
    c10.intoArray(out, oo); c11.intoArray(out, oo + L); c12.intoArray(out, oo + 2 * L); oo += os;
    c20.intoArray(out, oo); c21.intoArray(out, oo + L); c22.intoArray(out, oo + 2 * L); oo += os;
    c30.intoArray(out, oo); c31.intoArray(out, oo + L); c32.intoArray(out, oo + 2 * L); oo += os;
    c40.intoArray(out, oo); c41.intoArray(out, oo + L); c42.intoArray(out, oo + 2 * L); oo += os;
    c50.intoArray(out, oo); c51.intoArray(out, oo + L); c52.intoArray(out, oo + 2 * L); oo += os;
    c60.intoArray(out, oo); c61.intoArray(out, oo + L); c62.intoArray(out, oo + 2 * L); oo += os;
    c70.intoArray(out, oo); c71.intoArray(out, oo + L); c72.intoArray(out, oo + 2 * L);
  }

  private static void kernel1x3(float[] a, int ao, int aCol, float[] b, int bo, int bRow, int len, float[] out, int oo,
      boolean carry) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
    if (carry) {
      c0 = load(out, oo);
      c1 = load(out, oo + L);
      c2 = load(out, oo + 2 * L);
    }
    for (int p = 0; p < len; p++) {
      int xo = bo + p * bRow;
      FloatVector v = FloatVector.broadcast(S, a[ao + p * aCol]);
      c0 = v.fma(FloatVector.fromArray(S, b, xo), c0);
      c1 = v.fma(FloatVector.fromArray(S, b, xo + L), c1);
      c2 = v.fma(FloatVector.fromArray(S, b, xo + 2 * L), c2);
    }
    c0.intoArray(out, oo);
    c1.intoArray(out, oo + L);
    c2.intoArray(out, oo + 2 * L);
  }

  private static void kernel6x2(float[] a, int ao, int aRow, int aCol, float[] b, int bo, int bRow, int len,
      float[] out, int oo, int os, boolean carry) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
    FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
    if (carry) {
      int o = oo;
      c00 = load(out, o); c01 = load(out, o + L); o += os;
      c10 = load(out, o); c11 = load(out, o + L); o += os;
      c20 = load(out, o); c21 = load(out, o + L); o += os;
      c30 = load(out, o); c31 = load(out, o + L); o += os;
      c40 = load(out, o); c41 = load(out, o + L); o += os;
      c50 = load(out, o); c51 = load(out, o + L);
    }
    int a0 = ao, a1 = ao + aRow, a2 = ao + 2 * aRow, a3 = ao + 3 * aRow, a4 = ao + 4 * aRow, a5 = ao + 5 * aRow;
    for (int p = 0; p < len; p++) {
      int xo = bo + p * bRow;
      int ap = p * aCol;
      FloatVector x0 = FloatVector.fromArray(S, b, xo);
      FloatVector x1 = FloatVector.fromArray(S, b, xo + L);
      FloatVector v;
      v = FloatVector.broadcast(S, a[a0 + ap]); c00 = v.fma(x0, c00); c01 = v.fma(x1, c01);
      v = FloatVector.broadcast(S, a[a1 + ap]); c10 = v.fma(x0, c10); c11 = v.fma(x1, c11);
      v = FloatVector.broadcast(S, a[a2 + ap]); c20 = v.fma(x0, c20); c21 = v.fma(x1, c21);
      v = FloatVector.broadcast(S, a[a3 + ap]); c30 = v.fma(x0, c30); c31 = v.fma(x1, c31);
      v = FloatVector.broadcast(S, a[a4 + ap]); c40 = v.fma(x0, c40); c41 = v.fma(x1, c41);
      v = FloatVector.broadcast(S, a[a5 + ap]); c50 = v.fma(x0, c50); c51 = v.fma(x1, c51);
    }
    c00.intoArray(out, oo); c01.intoArray(out, oo + L); oo += os;
    c10.intoArray(out, oo); c11.intoArray(out, oo + L); oo += os;
    c20.intoArray(out, oo); c21.intoArray(out, oo + L); oo += os;
    c30.intoArray(out, oo); c31.intoArray(out, oo + L); oo += os;
    c40.intoArray(out, oo); c41.intoArray(out, oo + L); oo += os;
    c50.intoArray(out, oo); c51.intoArray(out, oo + L);
  }

  private static void kernel1x2(float[] a, int ao, int aCol, float[] b, int bo, int bRow, int len, float[] out, int oo,
      boolean carry) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
    if (carry) {
      c0 = load(out, oo);
      c1 = load(out, oo + L);
    }
    for (int p = 0; p < len; p++) {
      int xo = bo + p * bRow;
      FloatVector v = FloatVector.broadcast(S, a[ao + p * aCol]);
      c0 = v.fma(FloatVector.fromArray(S, b, xo), c0);
      c1 = v.fma(FloatVector.fromArray(S, b, xo + L), c1);
    }
    c0.intoArray(out, oo);
    c1.intoArray(out, oo + L);
  }
}
