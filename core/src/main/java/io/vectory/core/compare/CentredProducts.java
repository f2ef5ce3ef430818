package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;
import java.util.ArrayList;
import java.util.List;

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
    return products(kernel, new Centring[][] {{a, b}})[0];
  }

  /**
   * Several products {@code pairs[p][0]ᵀ pairs[p][1]} of spaces over the same rows in one pass over the rows: each
   * chunk is centred once per space however many products read it (linear CKA's XᵀY, XᵀX and YᵀY centred each space
   * twice and ran three passes).
   */
  static Product[] products(DotKernel kernel, Centring[][] pairs) {
    List<Centring> spaces = new ArrayList<>();
    int[][] which = new int[pairs.length][2];
    for (int p = 0; p < pairs.length; p++) {
      for (int side = 0; side < 2; side++) {
        Centring c = pairs[p][side];
        int s = 0;
        while (s < spaces.size() && spaces.get(s) != c) s++;
        if (s == spaces.size()) spaces.add(c);
        which[p][side] = s;
      }
    }
    int n = spaces.get(0).rows();
    int chunks = (n + CHUNK - 1) / CHUNK;
    int workers = Math.min(Parallel.threads(), chunks);
    double[][][] acc = new double[workers][][];
    float[][][] tiles = new float[workers][][];
    float[][][] rows = new float[workers][][];
    int w = kernel.width();
    Parallel.run(workers, chunks, (wk, c) -> {
      if (acc[wk] == null) {
        acc[wk] = new double[pairs.length][];
        tiles[wk] = new float[pairs.length][];
        for (int p = 0; p < pairs.length; p++) {
          acc[wk][p] = new double[pairs[p][0].cols() * pairs[p][1].stride()];
          tiles[wk][p] = new float[pairs[p][0].cols() * pairs[p][1].stride()];
        }
        rows[wk] = new float[spaces.size()][];
        for (int s = 0; s < spaces.size(); s++) rows[wk][s] = new float[CHUNK * spaces.get(s).stride()];
      }
      int r0 = c * CHUNK;
      int len = Math.min(CHUNK, n - r0);
      for (int s = 0; s < spaces.size(); s++) spaces.get(s).rows(r0, len, rows[wk][s]);
      for (int p = 0; p < pairs.length; p++) {
        Centring a = pairs[p][0];
        Centring b = pairs[p][1];
        float[] rowsA = rows[wk][which[p][0]];
        float[] rowsB = rows[wk][which[p][1]];
        float[] tile = tiles[wk][p];
        // Rows of the kernel's A side are features of a (stride 1, step a.stride per point); B's panels are b's rows.
        if (a != b) {
          kernel.panels(rowsA, 0, 1, a.stride(), a.cols(), rowsB, 0, b.stride(), w, b.stride() / w, len, tile, 0, b.stride());
        } else {
          // XᵀX is symmetric: the feature rows of panel i against panels j ≥ i only; the block below stays zero.
          int panels = b.stride() / w;
          for (int i = 0; i < panels; i++) {
            int f0 = i * w;
            int featureRows = Math.min(w, a.cols() - f0);
            if (featureRows <= 0) break;
            kernel.panels(rowsA, f0, 1, a.stride(), featureRows, rowsB, f0, b.stride(), w, panels - i, len, tile,
                f0 * b.stride() + f0, b.stride());
          }
        }
        double[] s = acc[wk][p];
        for (int i = 0; i < tile.length; i++) s[i] += tile[i];
      }
    });
    // Summed into the first worker's accumulators, in worker order (a wide space's d × d doubles are not copied again).
    Product[] out = new Product[pairs.length];
    for (int p = 0; p < pairs.length; p++) {
      double[] sum = null;
      for (int t = 0; t < workers; t++) {
        if (acc[t] == null) continue;
        double[] s = acc[t][p];
        acc[t][p] = null;
        tiles[t][p] = null;
        if (sum == null) {
          sum = s;
        } else {
          for (int i = 0; i < sum.length; i++) sum[i] += s[i];
        }
      }
      Centring a = pairs[p][0];
      Centring b = pairs[p][1];
      out[p] = new Product(sum, a.cols(), b.cols(), b.stride(), a == b);
    }
    return out;
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
