package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;

/**
 * XᵀY of two spaces' column-centred rows (d1 × d2) in double: float products of 256-row chunks on the block kernel,
 * summed into double accumulators, chunks spread over the cores. Linear CKA's terms and PCA's covariance. Within a
 * chunk a product is a float sum of 256 terms (relative error within 256·2⁻²⁴ of Σ|x·y|, far less in practice); the
 * chunks add up in double. No centred copy of the data is held: a chunk is centred into a worker's buffer.
 */
public final class CentredProducts {
  static final int CHUNK = 256;

  private CentredProducts() {}

  /** XᵀX of the centred rows of {@code m}, d × d, in double (the full symmetric matrix). */
  public static double[][] gram(FloatMatrix m) {
    DotKernel kernel = DotKernel.forWork(0.5 * m.rows() * m.cols() * m.cols());
    Centring c = Centring.of(m, kernel.width());
    Product p = product(kernel, c, c);
    int d = m.cols();
    double[][] g = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) g[i][j] = g[j][i] = p.values()[i * p.stride() + j];
    }
    return g;
  }

  /**
   * A summed product, a's features by b's at b's padded stride. For a space with itself (symmetric) only the entries
   * on and above the diagonal are meant: the kernel ran the panel pairs at and above the diagonal, half the work.
   */
  record Product(double[] values, int rows, int cols, int stride, boolean symmetric) {}

  static Product product(DotKernel kernel, Centring a, Centring b) {
    int n = a.rows();
    int chunks = (n + CHUNK - 1) / CHUNK;
    int workers = Math.min(Parallel.threads(), chunks);
    double[][] acc = new double[workers][];
    float[][] tiles = new float[workers][];
    float[][] rowsA = new float[workers][];
    float[][] rowsB = new float[workers][];
    int w = kernel.width();
    Parallel.run(workers, chunks, (wk, c) -> {
      if (acc[wk] == null) {
        acc[wk] = new double[a.cols() * b.stride()];
        tiles[wk] = new float[a.cols() * b.stride()];
        rowsA[wk] = new float[CHUNK * a.stride()];
        rowsB[wk] = a == b ? rowsA[wk] : new float[CHUNK * b.stride()];
      }
      int r0 = c * CHUNK;
      int len = Math.min(CHUNK, n - r0);
      float[] tile = tiles[wk];
      a.rows(r0, len, rowsA[wk]);
      if (a != b) b.rows(r0, len, rowsB[wk]);
      // Rows of the kernel's A side are features of a (stride 1, step a.stride per point); B's panels are b's rows.
      if (a != b) {
        kernel.panels(rowsA[wk], 0, 1, a.stride(), a.cols(), rowsB[wk], 0, b.stride(), w, b.stride() / w, len, tile, 0, b.stride());
      } else {
        // XᵀX is symmetric: the feature rows of panel i against panels j ≥ i only; the block below stays zero.
        int panels = b.stride() / w;
        for (int i = 0; i < panels; i++) {
          int f0 = i * w;
          int rows = Math.min(w, a.cols() - f0);
          if (rows <= 0) break;
          kernel.panels(rowsA[wk], f0, 1, a.stride(), rows, rowsB[wk], f0, b.stride(), w, panels - i, len, tile, f0 * b.stride() + f0, b.stride());
        }
      }
      double[] s = acc[wk];
      for (int i = 0; i < tile.length; i++) s[i] += tile[i];
    });
    // Summed into the first worker's accumulator, in worker order (a wide space's d × d doubles are not copied again).
    double[] sum = null;
    for (int t = 0; t < acc.length; t++) {
      double[] s = acc[t];
      acc[t] = null;
      tiles[t] = null;
      if (s == null) continue;
      if (sum == null) {
        sum = s;
      } else {
        for (int i = 0; i < sum.length; i++) sum[i] += s[i];
      }
    }
    return new Product(sum, a.cols(), b.cols(), b.stride(), a == b);
  }

  /**
   * A space and its column means: centred rows are made a chunk at a time into a worker's buffer, so the feature
   * form holds no centred copy of the data (a 1,000,000 × 256 space would need another 1 GB for each).
   */
  record Centring(FloatMatrix m, double[] mean, int stride) {
    static Centring of(FloatMatrix m, int w) {
      int n = m.rows();
      int d = m.cols();
      double[] mean = new double[d];
      float[] src = m.data();
      for (int r = 0; r < n; r++) for (int c = 0; c < d; c++) mean[c] += src[r * d + c];
      for (int c = 0; c < d; c++) mean[c] /= n;
      return new Centring(m, mean, (d + w - 1) / w * w);
    }

    int rows() {
      return m.rows();
    }

    int cols() {
      return m.cols();
    }

    /** Rows r0 .. r0 + len − 1, centred, into {@code out} at stride {@link #stride} (padding left zero). */
    void rows(int r0, int len, float[] out) {
      int d = m.cols();
      float[] src = m.data();
      for (int r = 0; r < len; r++) {
        int from = (r0 + r) * d;
        int to = r * stride;
        for (int c = 0; c < d; c++) out[to + c] = (float) (src[from + c] - mean[c]);
      }
    }
  }

}
