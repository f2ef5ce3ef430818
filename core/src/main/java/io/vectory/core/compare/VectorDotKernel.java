package io.vectory.core.compare;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel: a register-blocked outer product (8 rows of A × 3 vectors of B columns = 24
 * accumulators), like a BLAS sgemm micro-kernel; B is pre-packed into panels so each step is three contiguous
 * vector loads, eight broadcasts and 24 FMAs.
 *
 * <p>Why this and not a BLAS (bench/compare-kernels.sh: n = 4096, d = 512, float32, on the project's 2-core AVX-512
 * machine shared with other jobs, so figures vary from run to run; GFLOP/s, 4 repetitions):
 * <pre>
 *                         this kernel (8×3)   OpenBLAS sgemm, 256×256 tiles   OpenBLAS sgemm, 1024×4096 blocks
 *   1 thread                 48–128               53–123                          91–140
 *   2 threads               126–221              117–210                         184–287
 * </pre>
 * (An earlier 8×2 version, under heavier load: 56 vs OpenBLAS 84 / 98 on one thread.) OpenBLAS is at best ~1.3×
 * faster on the raw product and only on big blocks, which would need a 1024 × n float tile per thread; on the
 * tiles the engine streams it is on par. The engine halves the products by symmetry with either. This kernel
 * needs no native library (bytedeco's is a 30 MB download per platform), gives the same float for a pair
 * wherever the pair falls (BLAS blocking does not), and the top-k scan reads the tile while it is in cache.
 * End to end (bench/compare.sh), 20,000 × 512, k = 10, cosine: vectory 4.2 s cold / 2.8 s warm vs FAISS
 * IndexFlatIP (OpenBLAS sgemm inside) 18.8 s in the same run; under heavier load 13.6 s / 10.1 s vs 46.3 s.
 */
final class VectorDotKernel implements DotKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int W = 3 * L;
  private static final int R = 8;

  static {
    warmUp();
  }

  /**
   * Gets the kernels compiled by C2 before real work reaches them. Vector API code is very slow until C2
   * intrinsifies it (each lane operation allocates in the interpreter and in C1), and a real call (hundreds of
   * steps) runs to its end in whatever mode it started in, so the first ~100 calls of a cold JVM used to take
   * seconds. Thousands of two-step calls cross the tiered-compilation thresholds in a few tens of milliseconds.
   */
  private static void warmUp() {
    float[] a = new float[R * 2];
    float[] b = new float[2 * W];
    float[] out = new float[R * W];
    for (int i = 0; i < 6000; i++) {
      kernel8(a, 0, 2, 1, b, 0, W, 2, out, 0, W);
      kernel1(a, 0, 1, b, 0, W, 2, out, 0);
    }
  }

  @Override
  public int width() {
    return W;
  }

  @Override
  public void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride) {
    for (int pc = 0; pc < nPanels; pc++) {
      int bo = bOff + pc * panelStep;
      int r = 0;
      for (; r + R <= rows; r += R) {
        kernel8(a, aOff + r * aRow, aRow, aCol, b, bo, bRow, len, out, outOff + r * outStride + pc * W, outStride);
      }
      for (; r < rows; r++) {
        kernel1(a, aOff + r * aRow, aCol, b, bo, bRow, len, out, outOff + r * outStride + pc * W);
      }
    }
  }

  private static void kernel8(float[] a, int ao, int aRow, int aCol, float[] b, int bo, int bRow, int len,
      float[] out, int oo, int os) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c02 = z;
    FloatVector c10 = z, c11 = z, c12 = z;
    FloatVector c20 = z, c21 = z, c22 = z;
    FloatVector c30 = z, c31 = z, c32 = z;
    FloatVector c40 = z, c41 = z, c42 = z;
    FloatVector c50 = z, c51 = z, c52 = z;
    FloatVector c60 = z, c61 = z, c62 = z;
    FloatVector c70 = z, c71 = z, c72 = z;
    int a0 = ao + 0 * aRow, a1 = ao + 1 * aRow, a2 = ao + 2 * aRow, a3 = ao + 3 * aRow, a4 = ao + 4 * aRow, a5 = ao + 5 * aRow, a6 = ao + 6 * aRow, a7 = ao + 7 * aRow;
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

  private static void kernel1(float[] a, int ao, int aCol, float[] b, int bo, int bRow, int len, float[] out, int oo) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
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
}
