package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;

/**
 * Linear centred kernel alignment (Kornblith et al., 2019, "Similarity of Neural Network Representations
 * Revisited", eq. for linear CKA): with column-centred X (n×d1) and Y (n×d2),
 * CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F). The feature-space form costs n·(d1² + d2² + d1·d2) and never an n×n matrix.
 * The Gram products run on {@link DotKernel} over chunks of 256 rows (float within a chunk) and are summed into
 * double accumulators.
 */
public final class LinearCka {
  private static final int CHUNK = 256;

  private LinearCka() {}

  public static double compute(FloatMatrix x, FloatMatrix y) {
    if (x.rows() != y.rows()) {
      throw new IllegalArgumentException("CKA needs the same points in both spaces: " + x.rows() + " vs " + y.rows() + " rows");
    }
    DotKernel kernel = DotKernel.best();
    int w = kernel.width();
    Centred cx = centre(x, w);
    Centred cy = centre(y, w);
    double xy = frobeniusSquared(kernel, cx, cy);
    double xx = frobeniusSquared(kernel, cx, cx);
    double yy = frobeniusSquared(kernel, cy, cy);
    if (xx == 0 || yy == 0) return Double.NaN; // a space with no variance
    return xy / (Math.sqrt(xx) * Math.sqrt(yy));
  }

  /** Column-centred copy with the row stride padded to a multiple of the kernel width (padding is zero). */
  private record Centred(float[] data, int rows, int cols, int stride) {}

  private static Centred centre(FloatMatrix m, int w) {
    int n = m.rows();
    int d = m.cols();
    int stride = (d + w - 1) / w * w;
    double[] mean = new double[d];
    float[] src = m.data();
    for (int r = 0; r < n; r++) for (int c = 0; c < d; c++) mean[c] += src[r * d + c];
    for (int c = 0; c < d; c++) mean[c] /= n;
    float[] out = new float[Math.multiplyExact(n, stride)];
    for (int r = 0; r < n; r++) for (int c = 0; c < d; c++) out[r * stride + c] = (float) (src[r * d + c] - mean[c]);
    return new Centred(out, n, d, stride);
  }

  /** ‖AᵀB‖²_F, summing per-chunk float products into doubles, chunks spread over the cores. */
  private static double frobeniusSquared(DotKernel kernel, Centred a, Centred b) {
    int n = a.rows();
    int chunks = (n + CHUNK - 1) / CHUNK;
    int workers = Math.min(Parallel.threads(), chunks);
    double[][] acc = new double[workers][];
    float[][] tiles = new float[workers][];
    int w = kernel.width();
    Parallel.run(workers, chunks, (wk, c) -> {
      if (acc[wk] == null) {
        acc[wk] = new double[a.cols() * b.stride()];
        tiles[wk] = new float[a.cols() * b.stride()];
      }
      int r0 = c * CHUNK;
      int len = Math.min(CHUNK, n - r0);
      float[] tile = tiles[wk];
      // Rows of the kernel's A side are features of a (stride 1, step a.stride per point); B's panels are b's rows.
      kernel.panels(a.data(), r0 * a.stride(), 1, a.stride(), a.cols(), b.data(), r0 * b.stride(), b.stride(), w,
          b.stride() / w, len, tile, 0, b.stride());
      double[] s = acc[wk];
      for (int i = 0; i < tile.length; i++) s[i] += tile[i];
    });
    double total = 0;
    for (int i = 0; i < a.cols(); i++) {
      for (int j = 0; j < b.cols(); j++) {
        double v = 0;
        for (double[] s : acc) if (s != null) v += s[i * b.stride() + j];
        total += v * v;
      }
    }
    return total;
  }
}
