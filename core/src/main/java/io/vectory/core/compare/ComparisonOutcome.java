package io.vectory.core.compare;

import java.util.Map;
import java.util.TreeMap;

/**
 * The comparison of two spaces.
 *
 * @param n points in each space
 * @param k neighbours per point
 * @param metricA metric in space A
 * @param metricB metric in space B
 * @param includeSelf whether a point was its own neighbour
 * @param exact true when every point was a query; false for a random sample of queries
 * @param meanJaccard mean over queries of |N_A(q) ∩ N_B(q)| / |N_A(q) ∪ N_B(q)|
 * @param histogram counts of per-query Jaccard in 10 bins over [0, 1] (bin i is [i/10, (i+1)/10), 1.0 in the last)
 * @param perPoint each query's Jaccard, in the order of {@code queryRows}
 * @param queryRows the rows used as queries (all rows, in order, when exact)
 * @param ciLow lower end of the 95% confidence interval of the mean (NaN when exact)
 * @param ciHigh upper end (NaN when exact)
 * @param cka linear CKA between the spaces (all points)
 * @param nanos wall time of the comparison
 */
public record ComparisonOutcome(int n, int k, Metric metricA, Metric metricB, boolean includeSelf, boolean exact,
    double meanJaccard, long[] histogram, float[] perPoint, int[] queryRows, double ciLow, double ciHigh,
    double cka, long nanos) {

  /** The mean Jaccard of the queries with each label; {@code labelPerRow} is indexed by row. Sorted by label. */
  public Map<String, Double> meanByLabel(String[] labelPerRow) {
    if (labelPerRow.length != n) {
      throw new IllegalArgumentException("need one label per row: " + n + " rows, " + labelPerRow.length + " labels");
    }
    Map<String, double[]> sums = new TreeMap<>();
    for (int q = 0; q < queryRows.length; q++) {
      double[] s = sums.computeIfAbsent(String.valueOf(labelPerRow[queryRows[q]]), l -> new double[2]);
      s[0] += perPoint[q];
      s[1]++;
    }
    Map<String, Double> out = new TreeMap<>();
    sums.forEach((l, s) -> out.put(l, s[0] / s[1]));
    return out;
  }

  public double seconds() {
    return nanos / 1e9;
  }
}
