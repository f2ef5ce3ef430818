package io.vectory.core.compare;

/**
 * How two spaces are compared.
 *
 * @param k neighbours per point, 1 ≤ k ≤ n − 1
 * @param metricA the metric in space A
 * @param metricB the metric in space B
 * @param includeSelf whether a point counts as its own neighbour (Vectory's old behaviour); off by default
 * @param sample 0 for every point (exact); otherwise the number of random query points, each searched
 *     exactly against all points, giving the mean with a 95% confidence interval
 * @param seed the seed for choosing sample points
 */
public record CompareOptions(int k, Metric metricA, Metric metricB, boolean includeSelf, int sample, long seed) {
  public CompareOptions {
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
    if (metricA == null || metricB == null) throw new IllegalArgumentException("metrics must be given");
    if (sample < 0) throw new IllegalArgumentException("sample must be 0 (all points) or positive, got " + sample);
  }

  /** k 10, cosine in both spaces, no self-neighbour, every point, seed 42. */
  public static CompareOptions defaults() {
    return new CompareOptions(10, Metric.COSINE, Metric.COSINE, false, 0, 42L);
  }

  public CompareOptions withK(int newK) {
    return new CompareOptions(newK, metricA, metricB, includeSelf, sample, seed);
  }

  public CompareOptions withMetrics(Metric a, Metric b) {
    return new CompareOptions(k, a, b, includeSelf, sample, seed);
  }

  public CompareOptions withIncludeSelf(boolean self) {
    return new CompareOptions(k, metricA, metricB, self, sample, seed);
  }

  public CompareOptions withSample(int m, long s) {
    return new CompareOptions(k, metricA, metricB, includeSelf, m, s);
  }
}
