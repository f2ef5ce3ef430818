package io.vectory.core.projection;

import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.vectors.FloatMatrix;

/**
 * Trustworthiness of a low-dimensional layout (Venna and Kaski 2001; scikit-learn's
 * {@code sklearn.manifold.trustworthiness}): how far the layout's k nearest neighbours of each point are from
 * being its nearest neighbours in the original space.
 *
 * <pre>T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uₖ(i)} (r(i, j) − k)</pre>
 *
 * where Uₖ(i) are the layout's k nearest neighbours of i (euclidean, the point excluded) and r(i, j) is j's rank
 * among i's neighbours in the original space (1 = nearest; ties by lower row). 1 means every layout neighbour is
 * a true neighbour. O(n²·d) time, O(n) extra memory: meant for evaluation, not for every request.
 */
public final class Trustworthiness {

  private Trustworthiness() {}

  public static double of(FloatMatrix original, Metric metric, FloatMatrix layout, int k) {
    int n = original.rows();
    if (layout.rows() != n) throw new IllegalArgumentException("layout has " + layout.rows() + " rows, the data " + n);
    if (k < 1 || k >= n / 2.0) throw new IllegalArgumentException("k must be between 1 and n/2 = " + (n / 2) + ", got " + k);
    int[] low = ExactKnn.search(layout, Metric.EUCLIDEAN, k, false);
    int d = original.cols();
    float[] x = original.data();
    double[] norms = original.rowNorms();
    double[] dist = new double[n];
    double penalty = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) dist[j] = ExactKnn.exact(metric, x, d, norms, i, j);
      for (int s = 0; s < k; s++) {
        int j = low[i * k + s];
        // j's rank among i's original neighbours: one more than the points strictly ahead of it.
        int rank = 1;
        double dj = dist[j];
        for (int l = 0; l < n; l++) {
          if (l == i || l == j) continue;
          if (dist[l] < dj || (dist[l] == dj && l < j)) rank++;
        }
        if (rank > k) penalty += rank - k;
      }
    }
    return 1.0 - penalty * (2.0 / ((double) n * k * (2.0 * n - 3.0 * k - 1.0)));
  }
}
