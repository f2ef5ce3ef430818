package io.vectory.core.projection;

import io.vectory.core.compare.CentredProducts;
import io.vectory.core.vectors.FloatMatrix;

/**
 * Principal component analysis: the data centred, its covariance ({@link CentredProducts}: float products of 256-row
 * chunks summed in double), and the covariance's symmetric eigen-decomposition in double (Householder
 * tridiagonalisation then implicit QL, as in EISPACK's tred2/tql2). No iteration count to tune, O(n·d² + d³).
 *
 * <p>Sign convention, so a layout never flips between runs or machines: each component's largest-magnitude
 * loading is positive (ties: the lower coordinate).
 *
 * @param mean the column means (length d)
 * @param components the top components, unit length, row-major (dims × d), by decreasing variance
 * @param variances the variance along each component (its eigenvalue, divided by n − 1)
 * @param totalVariance the sum of all variances (the covariance's trace), for explained-variance ratios
 */
public record Pca(double[] mean, double[][] components, double[] variances, double totalVariance) {

  /** Fits the top {@code dims} components of the rows of {@code m}. */
  public static Pca fit(FloatMatrix m, int dims) {
    int n = m.rows();
    int d = m.cols();
    if (n < 2) throw new IllegalArgumentException("PCA needs at least 2 points, got " + n);
    if (dims < 1 || dims > d) throw new IllegalArgumentException("PCA components must be between 1 and d = " + d + ", got " + dims);
    float[] x = m.data();
    double[] mean = new double[d];
    for (int r = 0; r < n; r++) for (int c = 0, o = r * d; c < d; c++) mean[c] += x[o + c];
    for (int c = 0; c < d; c++) mean[c] /= n;
    // XᵀX of the centred rows on the block kernel (one home with linear CKA's products), over n − 1.
    double[][] cov = CentredProducts.gram(m);
    double trace = 0;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) cov[i][j] /= (n - 1);
      trace += cov[i][i];
    }
    SymmetricEigen eig = SymmetricEigen.of(cov);
    double[][] comps = new double[dims][d];
    double[] vars = new double[dims];
    for (int p = 0; p < dims; p++) {
      int col = d - 1 - p; // eigenvalues ascending
      vars[p] = Math.max(0, eig.values()[col]);
      int big = 0;
      for (int i = 0; i < d; i++) {
        comps[p][i] = eig.vectors()[i][col];
        if (Math.abs(comps[p][i]) > Math.abs(comps[p][big])) big = i;
      }
      if (comps[p][big] < 0) for (int i = 0; i < d; i++) comps[p][i] = -comps[p][i];
    }
    return new Pca(mean, comps, vars, trace);
  }

  /** The rows of {@code m} in component coordinates: n × dims. */
  public FloatMatrix transform(FloatMatrix m) {
    int n = m.rows();
    int d = m.cols();
    if (d != mean.length) throw new IllegalArgumentException("PCA was fitted on " + mean.length + " dimensions, got " + d);
    int dims = components.length;
    float[] x = m.data();
    float[] out = new float[Math.multiplyExact(n, dims)];
    double[] row = new double[d];
    for (int r = 0; r < n; r++) {
      for (int c = 0, o = r * d; c < d; c++) row[c] = x[o + c] - mean[c];
      for (int p = 0; p < dims; p++) {
        double[] w = components[p];
        double s = 0;
        for (int c = 0; c < d; c++) s += row[c] * w[c];
        out[r * dims + p] = (float) s;
      }
    }
    return FloatMatrix.wrap(n, dims, out);
  }

  /** The share of the total variance each component explains. */
  public double[] explainedVarianceRatio() {
    double[] r = new double[variances.length];
    for (int i = 0; i < r.length; i++) r[i] = totalVariance == 0 ? 0 : variances[i] / totalVariance;
    return r;
  }

  /** Fit and transform in one step: the rows of {@code m} on their top {@code dims} components. */
  public static FloatMatrix project(FloatMatrix m, int dims) {
    return fit(m, dims).transform(m);
  }
}
