package io.vectory.core.compare;

/**
 * The 95% confidence interval of a mean Jaccard estimated from m of n points, and the m that keeps it within a
 * requested half-width. Normal approximation with the finite-population correction (n − m)/(n − 1): queries are
 * drawn without replacement, so sampling every point leaves no uncertainty.
 */
public final class SampleSize {
  /** The two-sided 95% quantile of the standard normal distribution. */
  public static final double Z95 = 1.959963984540054;

  private SampleSize() {}

  /** Half-width of the 95% CI of a mean over m of n points whose sample variance is {@code variance}. */
  public static double halfWidth(double variance, int m, int n) {
    if (m >= n) return 0;
    double fpc = n > 1 ? (double) (n - m) / (n - 1) : 0;
    return Z95 * Math.sqrt(Math.max(0, variance) / m * fpc);
  }

  /**
   * The smallest m ≤ n whose CI half-width is at most {@code halfWidth}, for a variance estimated beforehand
   * (e.g. from a pilot sample): m = n·m₀ / (n − 1 + m₀) with m₀ = (z·s / h)², at least 2.
   */
  public static int forHalfWidth(double variance, double halfWidth, int n) {
    if (!(halfWidth > 0)) throw new IllegalArgumentException("the CI half-width must be positive, got " + halfWidth);
    double m0 = Z95 * Z95 * Math.max(0, variance) / (halfWidth * halfWidth);
    double m = n * m0 / (n - 1 + m0);
    return (int) Math.min(n, Math.max(2, Math.ceil(m)));
  }

  /** Sample variance (n − 1 in the denominator) of the values. */
  static double variance(double[] values) {
    int m = values.length;
    if (m < 2) return 0;
    double mean = 0;
    for (double v : values) mean += v;
    mean /= m;
    double ss = 0;
    for (double v : values) ss += (v - mean) * (v - mean);
    return ss / (m - 1);
  }
}
