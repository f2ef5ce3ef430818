package io.vectory.core.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.vectors.FloatMatrix;
import org.junit.jupiter.api.Test;

class SampleSizeTest {
  @Test
  void halfWidthIsTheNormalIntervalWithTheFinitePopulationCorrection() {
    // s² = 0.04, m = 100 of n = 1001: 1.96 · sqrt(0.04 / 100 · 901 / 1000)
    assertEquals(1.959963984540054 * Math.sqrt(0.04 / 100 * 901 / 1000.0), SampleSize.halfWidth(0.04, 100, 1001), 1e-15);
    assertEquals(0, SampleSize.halfWidth(0.04, 1001, 1001));
  }

  @Test
  void forHalfWidthIsTheSmallestSampleWithinIt() {
    for (int n : new int[] {1_000, 6_817, 1_000_000}) {
      for (double h : new double[] {0.002, 0.005, 0.02}) {
        int m = SampleSize.forHalfWidth(0.03, h, n);
        assertTrue(SampleSize.halfWidth(0.03, m, n) <= h, n + " " + h + " " + m);
        assertTrue(m == 2 || SampleSize.halfWidth(0.03, m - 1, n) > h, n + " " + h + " " + m);
      }
    }
    // (1.96 · sqrt(0.03) / 0.005)² = 4609.8 queries from an infinite population; 1,000,000 points need 4,588.7 of them.
    assertEquals(4589, SampleSize.forHalfWidth(0.03, 0.005, 1_000_000));
  }

  @Test
  void compareWithinReachesTheAskedHalfWidthWithTheSeededSample() {
    int n = 4000;
    NoisyPair pair = NoisyPair.of(n, 8, 0.4f, 4);
    FloatMatrix ma = pair.a(), mb = pair.b();
    CompareOptions o = CompareOptions.defaults().withSample(0, 5);
    double h = 0.006;
    ComparisonOutcome s = SpaceComparator.compareWithin(ma, mb, o, h, ProgressListener.NONE);
    assertFalse(s.exact());
    int m = s.queryRows().length;
    assertTrue(m > SpaceComparator.PILOT && m < n / 2, "queries " + m + " mean " + s.meanJaccard() + " ci " + s.ciLow() + " " + s.ciHigh());
    assertTrue((s.ciHigh() - s.ciLow()) / 2 <= h, s.ciLow() + " " + s.ciHigh());
    // The smallest such sample (within a few points of the estimate) and exactly what --sample m gives.
    ComparisonOutcome fixed = SpaceComparator.compare(ma, mb, o.withSample(m, 5), ProgressListener.NONE);
    assertArrayEquals(fixed.queryRows(), s.queryRows());
    assertEquals(fixed.meanJaccard(), s.meanJaccard(), 0);
    // Not many more than needed: by the final sample's own variance, a quarter fewer queries would miss h.
    double variance = 0;
    for (float v : s.perPoint()) variance += (v - s.meanJaccard()) * (v - s.meanJaccard());
    variance /= m - 1;
    assertTrue(SampleSize.halfWidth(variance, m * 3 / 4, n) > h, "a quarter fewer than " + m + " would have done");
    // A half-width only most of the points reach: every point, exact.
    assertTrue(SpaceComparator.compareWithin(ma, mb, o, 0.001, ProgressListener.NONE).exact());
  }
}
