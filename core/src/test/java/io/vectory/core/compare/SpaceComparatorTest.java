package io.vectory.core.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.vectors.FloatMatrix;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpaceComparatorTest {

  @Test
  void identicalSpacesAgreeFully() {
    FloatMatrix a = ExactKnnTest.gaussian(300, 16, 5);
    ComparisonOutcome o = SpaceComparator.compare(a, a, CompareOptions.defaults(), ProgressListener.NONE);
    assertEquals(1.0, o.meanJaccard(), 0);
    assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 300}, o.histogram());
    assertEquals(1.0, o.cka(), 1e-6);
    assertTrue(o.exact());
    assertTrue(Double.isNaN(o.ciLow()));
  }

  @Test
  void jaccardMatchesBruteForceSetsAndHistogram() {
    FloatMatrix a = ExactKnnTest.gaussian(200, 8, 6);
    FloatMatrix b = ExactKnnTest.gaussian(200, 12, 7);
    CompareOptions opt = CompareOptions.defaults().withK(5).withMetrics(Metric.EUCLIDEAN, Metric.COSINE);
    ComparisonOutcome o = SpaceComparator.compare(a, b, opt, ProgressListener.NONE);
    int[] na = ExactKnnTest.naive(a, Metric.EUCLIDEAN, 5, false, ExactKnnTest.all(200));
    int[] nb = ExactKnnTest.naive(b, Metric.COSINE, 5, false, ExactKnnTest.all(200));
    double sum = 0;
    long[] hist = new long[10];
    for (int q = 0; q < 200; q++) {
      java.util.Set<Integer> sa = new java.util.HashSet<>();
      java.util.Set<Integer> union = new java.util.HashSet<>();
      for (int t = 0; t < 5; t++) {
        sa.add(na[q * 5 + t]);
        union.add(na[q * 5 + t]);
        union.add(nb[q * 5 + t]);
      }
      int inter = 0;
      for (int t = 0; t < 5; t++) if (sa.contains(nb[q * 5 + t])) inter++;
      double j = (double) inter / union.size();
      sum += j;
      hist[Math.min(9, (int) Math.floor(j * 10 + 1e-12))]++;
      assertEquals(j, o.perPoint()[q], 1e-7);
    }
    assertEquals(sum / 200, o.meanJaccard(), 1e-12);
    assertArrayEquals(hist, o.histogram());
  }

  @Test
  void keptListsGiveTheSameComparisonWithoutAKnnPass() {
    FloatMatrix a = ExactKnnTest.gaussian(250, 8, 11);
    FloatMatrix b = ExactKnnTest.gaussian(250, 12, 12);
    CompareOptions opt = CompareOptions.defaults().withK(5).withMetrics(Metric.EUCLIDEAN, Metric.COSINE);
    ComparisonOutcome direct = SpaceComparator.compare(a, b, opt, ProgressListener.NONE);
    // Lists kept at k = 10 serve k = 5: the first five of an exact 10-list are the exact 5-list.
    KnnLists la = KnnLists.compute(a, Metric.EUCLIDEAN, 10, false, null, ProgressListener.NONE);
    KnnLists lb = KnnLists.compute(b, Metric.COSINE, 10, false, null, ProgressListener.NONE);
    ComparisonOutcome kept = SpaceComparator.compare(la, lb, a, b, opt);
    assertEquals(direct.meanJaccard(), kept.meanJaccard(), 0);
    assertArrayEquals(direct.histogram(), kept.histogram());
    assertArrayEquals(direct.perPoint(), kept.perPoint());
    assertArrayEquals(ExactKnn.search(a, Metric.EUCLIDEAN, 5, false), la.truncate(5).neighbours());
    // Lists of another metric or self rule are refused, not silently used.
    assertThrows(IllegalArgumentException.class, () -> SpaceComparator.compare(lb, la, a, b, opt));
    assertThrows(IllegalArgumentException.class, () -> SpaceComparator.compare(la, lb, a, b, opt.withK(11)));
  }

  @Test
  void binsFollowNumpyEdges() {
    assertEquals(0, SpaceComparator.bin(0.0));
    assertEquals(0, SpaceComparator.bin(0.0999));
    assertEquals(1, SpaceComparator.bin(0.1));
    assertEquals(2, SpaceComparator.bin(0.3)); // numpy's edge 3 is 3*0.1 = 0.30000000000000004 > 0.3
    assertEquals(5, SpaceComparator.bin(0.5));
    assertEquals(9, SpaceComparator.bin(0.95));
    assertEquals(9, SpaceComparator.bin(1.0));
  }

  @Test
  void ckaMatchesTheDefinitionAndIsInvariantToRotationAndScale() {
    FloatMatrix x = ExactKnnTest.gaussian(500, 40, 8);
    FloatMatrix y = ExactKnnTest.gaussian(500, 70, 9);
    assertEquals(naiveCka(x, y), LinearCka.compute(x, y), 1e-5);
    // y2 = 3 * x rotated in the plane of dims 0 and 1 and shifted: CKA stays 1.
    float[] v = x.data().clone();
    double c = Math.cos(0.7);
    double s = Math.sin(0.7);
    for (int r = 0; r < 500; r++) {
      float u = v[r * 40];
      float w = v[r * 40 + 1];
      v[r * 40] = (float) (3 * (c * u - s * w) + 5);
      v[r * 40 + 1] = (float) (3 * (s * u + c * w) - 2);
      for (int p = 2; p < 40; p++) v[r * 40 + p] = 3 * v[r * 40 + p] + 1;
    }
    assertEquals(1.0, LinearCka.compute(x, FloatMatrix.wrap(500, 40, v)), 1e-5);
  }

  static double naiveCka(FloatMatrix x, FloatMatrix y) {
    double[][] xc = centred(x);
    double[][] yc = centred(y);
    return fro2(xc, yc) / Math.sqrt(fro2(xc, xc) * fro2(yc, yc));
  }

  static double[][] centred(FloatMatrix m) {
    double[][] out = new double[m.rows()][m.cols()];
    for (int c = 0; c < m.cols(); c++) {
      double mean = 0;
      for (int r = 0; r < m.rows(); r++) mean += m.get(r, c);
      mean /= m.rows();
      for (int r = 0; r < m.rows(); r++) out[r][c] = m.get(r, c) - mean;
    }
    return out;
  }

  static double fro2(double[][] a, double[][] b) {
    double t = 0;
    for (int i = 0; i < a[0].length; i++) {
      for (int j = 0; j < b[0].length; j++) {
        double s = 0;
        for (int r = 0; r < a.length; r++) s += a[r][i] * b[r][j];
        t += s * s;
      }
    }
    return t;
  }

  @Test
  void sampleGivesAConfidenceIntervalAroundTheExactMean() {
    NoisyPair pair = NoisyPair.of(1500, 10, 0.6f, 10);
    FloatMatrix ma = pair.a(), mb = pair.b();
    ComparisonOutcome exact = SpaceComparator.compare(ma, mb, CompareOptions.defaults(), ProgressListener.NONE);
    ComparisonOutcome s = SpaceComparator.compare(ma, mb, CompareOptions.defaults().withSample(400, 1), ProgressListener.NONE);
    assertFalse(s.exact());
    assertEquals(400, s.queryRows().length);
    assertEquals(400, java.util.Arrays.stream(s.histogram()).sum());
    assertTrue(s.ciLow() < s.meanJaccard() && s.meanJaccard() < s.ciHigh());
    assertTrue(s.ciLow() <= exact.meanJaccard() && exact.meanJaccard() <= s.ciHigh(),
        exact.meanJaccard() + " in [" + s.ciLow() + ", " + s.ciHigh() + "]");
    // Sampled points' Jaccard equals their exact value.
    for (int i = 0; i < 400; i++) assertEquals(exact.perPoint()[s.queryRows()[i]], s.perPoint()[i], 0f);
    // The same seed picks the same points.
    assertArrayEquals(s.queryRows(),
        SpaceComparator.compare(ma, mb, CompareOptions.defaults().withSample(400, 1), ProgressListener.NONE).queryRows());
  }

  @Test
  void meanByLabel() {
    FloatMatrix a = ExactKnnTest.gaussian(40, 4, 11);
    FloatMatrix b = ExactKnnTest.gaussian(40, 4, 12);
    ComparisonOutcome o = SpaceComparator.compare(a, b, CompareOptions.defaults().withK(3), ProgressListener.NONE);
    String[] labels = new String[40];
    double even = 0;
    for (int i = 0; i < 40; i++) {
      labels[i] = i % 2 == 0 ? "even" : "odd";
      if (i % 2 == 0) even += o.perPoint()[i];
    }
    Map<String, Double> m = o.meanByLabel(labels);
    assertEquals(2, m.size());
    assertEquals(even / 20, m.get("even"), 1e-9);
  }

  @Test
  void rejectsMismatchedSpaces() {
    var e = assertThrows(IllegalArgumentException.class, () -> SpaceComparator.compare(ExactKnnTest.gaussian(5, 2, 1),
        ExactKnnTest.gaussian(6, 2, 1), CompareOptions.defaults().withK(2), ProgressListener.NONE));
    assertEquals("the spaces must hold the same points: A has 5 rows, B has 6", e.getMessage());
  }

  @Test
  void theWarmUpRunsOnlyForAJobTheVectorApiKernelWouldTake() throws InterruptedException {
    // 600 × 384 with every point a query is below the small-job limit: no thread, the scalar kernel stays free.
    assertEquals(null, SpaceComparator.warmUpInBackground(600, 384, 384, CompareOptions.defaults()));
    // Sampled: 2,000 queries of 1,000,000 × 256 are far above it, as is the whole 20,000 × 512 self-join.
    Thread sampled = SpaceComparator.warmUpInBackground(1_000_000, 256, 256, CompareOptions.defaults().withSample(2000, 1));
    Thread whole = SpaceComparator.warmUpInBackground(20_000, 512, 512, CompareOptions.defaults());
    for (Thread t : new Thread[] {sampled, whole}) {
      assertTrue(t != null, "a large job did not start the warm-up");
      assertTrue(t.isDaemon(), "the warm-up must not keep the JVM alive");
      t.join(60_000);
      assertFalse(t.isAlive(), "the warm-up did not end within 60 s");
    }
  }
}
