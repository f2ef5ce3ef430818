package io.vectory.core.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectory.core.vectors.FloatMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactKnnTest {

  static FloatMatrix gaussian(int n, int d, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * d];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
    return FloatMatrix.wrap(n, d, v);
  }

  /** Brute force in double over the full distance row, sorted by (distance, index). */
  static int[] naive(FloatMatrix m, Metric metric, int k, boolean self, int[] queries) {
    int n = m.rows();
    int d = m.cols();
    double[] norms = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int p = 0; p < d; p++) s += (double) m.get(i, p) * m.get(i, p);
      norms[i] = Math.sqrt(s);
    }
    int[] out = new int[queries.length * k];
    for (int qi = 0; qi < queries.length; qi++) {
      int q = queries[qi];
      double[] dist = new double[n];
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        order[j] = j;
        double dot = 0;
        double l2 = 0;
        for (int p = 0; p < d; p++) {
          dot += (double) m.get(q, p) * m.get(j, p);
          double t = (double) m.get(q, p) - m.get(j, p);
          l2 += t * t;
        }
        dist[j] = switch (metric) {
          case COSINE -> 1 - dot / (norms[q] * norms[j]);
          case EUCLIDEAN -> l2;
          case DOT -> -dot;
        };
      }
      if (!self) dist[q] = Double.POSITIVE_INFINITY;
      Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> dist[j]).thenComparingInt(j -> j));
      for (int t = 0; t < k; t++) out[qi * k + t] = order[t];
    }
    return out;
  }

  static int[] all(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) r[i] = i;
    return r;
  }

  @Test
  void equalsBruteForceForEveryMetricAndSelfChoice() {
    // 600 rows: three blocks, so off-diagonal (symmetric) tiles and ragged edges are exercised.
    FloatMatrix m = gaussian(600, 37, 1);
    for (Metric metric : Metric.values()) {
      for (boolean self : new boolean[] {false, true}) {
        for (int k : new int[] {1, 10}) {
          assertArrayEquals(naive(m, metric, k, self, all(600)), ExactKnn.search(m, metric, k, self),
              metric + " self=" + self + " k=" + k);
        }
      }
    }
  }

  @Test
  void sampledQueriesEqualTheirRowsInTheFullSearch() {
    FloatMatrix m = gaussian(400, 20, 2);
    int[] queries = {3, 17, 255, 256, 399};
    int[] full = ExactKnn.search(m, Metric.EUCLIDEAN, 7, false);
    int[] sampled = ExactKnn.search(m, Metric.EUCLIDEAN, 7, false, queries, ProgressListener.NONE);
    for (int i = 0; i < queries.length; i++) {
      assertArrayEquals(Arrays.copyOfRange(full, queries[i] * 7, queries[i] * 7 + 7), Arrays.copyOfRange(sampled, i * 7, i * 7 + 7));
    }
  }

  @Test
  void sampledQueriesEqualBruteForceForEveryMetricAndSelfChoice() {
    // 700 rows (three data blocks, ragged), 300 queries (two query blocks): the streaming path, where the data is
    // the kernel's A side read in place and cosine scales each product by 1/|x| instead of normalising a copy.
    FloatMatrix m = gaussian(700, 37, 5);
    Random r = new Random(6);
    int[] queries = r.ints(0, 700).distinct().limit(300).sorted().toArray();
    for (Metric metric : Metric.values()) {
      for (boolean self : new boolean[] {false, true}) {
        assertArrayEquals(naive(m, metric, 10, self, queries),
            ExactKnn.search(m, metric, 10, self, queries, ProgressListener.NONE), metric + " self=" + self);
      }
    }
  }

  @Test
  void everyKernelShapeAndScanAgreesWithTheScalarCodeBitForBit() throws ReflectiveOperationException {
    for (DotKernel v : javaAndNativeKernels()) agreesWithTheScalarCodeBitForBit(v);
  }

  /** The Vector API kernel in both shapes, and the native kernel in each width this machine runs (none off Java 22+). */
  private static List<DotKernel> javaAndNativeKernels() throws ReflectiveOperationException {
    List<DotKernel> kernels = new ArrayList<>(List.of(new VectorDotKernel(true), new VectorDotKernel(false)));
    if (DotKernel.Native.KERNEL != null) {
      assertEquals(DotKernel.Native.cpuWidth(), DotKernel.Native.KERNEL.width(), "the native kernel takes the CPU's width");
      kernels.add(DotKernel.Native.KERNEL);
      // An AVX-512 machine also runs the AVX2 variant; an AVX2 machine only its own.
      if (DotKernel.Native.KERNEL.width() == 48) kernels.add(DotKernel.Native.ofWidth(16));
    }
    return kernels;
  }

  @Test
  void theNativeKernelLoadsWhereTheBuildMadeIt() {
    // The build makes it on JDK 22+ with a C compiler on Linux x86-64 (core/src/main/c/build.sh); bin/test installs gcc.
    boolean built = ExactKnnTest.class.getResource("/io/vectory/core/compare/native/linux-x86_64/libvectorykernel.so") != null;
    assumeTrue(built, "no native kernel in this build (no C compiler, or not Linux x86-64): the Java kernels ran");
    assumeTrue(Runtime.version().feature() >= 22, "the native kernel's binding needs Java 22+");
    assertNotNull(DotKernel.Native.KERNEL, "the native kernel did not load: " + DotKernel.Native.whyNot);
    assertSame(DotKernel.Native.KERNEL, DotKernel.best());
    assertSame(DotKernel.best(), DotKernel.forWork(1), "with a native kernel small jobs take it too");
  }

  @Test
  void theNativeKernelChecksItsRangesBeforeTouchingMemory() {
    assumeTrue(DotKernel.Native.KERNEL != null, "no native kernel: " + DotKernel.Native.whyNot);
    DotKernel k = DotKernel.Native.KERNEL;
    int w = k.width();
    float[] a = new float[8 * 4], b = new float[w * 4], out = new float[8 * w];
    k.panels(a, 0, 4, 1, 8, b, 0, w, w * 4, 1, 4, out, 0, w);
    assertThrows(IndexOutOfBoundsException.class, () -> k.panels(a, 1, 4, 1, 8, b, 0, w, w * 4, 1, 4, out, 0, w));
    assertThrows(IndexOutOfBoundsException.class, () -> k.panels(a, 0, 4, 1, 8, b, 0, w, w * 4, 2, 4, out, 0, w));
    assertThrows(IndexOutOfBoundsException.class, () -> k.panels(a, 0, 4, 1, 8, b, 0, w, w * 4, 1, 4, out, 1, w));
    assertThrows(IndexOutOfBoundsException.class, () -> k.nextRow(out, 0, 0, out.length + 1, null, 0, 0f));
    assertThrows(IndexOutOfBoundsException.class, () -> k.nextRow(out, 0, 0, 9, new float[8], 0, 0f));
    assertThrows(IndexOutOfBoundsException.class, () -> k.nextColumn(out, 0, 0, 9, true, 0f, 1f, new float[8]));
  }

  @Test
  void theNativeTileScanLeavesTheSameCandidateRunsAsTheJavaLoop() {
    assumeTrue(DotKernel.Native.KERNEL != null, "no native kernel: " + DotKernel.Native.whyNot);
    DotKernel k = DotKernel.Native.KERNEL;
    DotKernel java = new ScalarDotKernel(k.width());
    int n = 128, block = 64, kk = 5;
    Random r = new Random(12);
    for (boolean euclidean : new boolean[] {false, true}) {
      for (boolean self : new boolean[] {false, true}) {
        float[] bias = null;
        if (euclidean) {
          bias = new float[n];
          for (int i = 0; i < n; i++) bias[i] = Math.round(r.nextGaussian() * 8) / 8f;
        }
        float[] hn = new float[n * kk], hj = new float[n * kk];
        int[] in = new int[n * kk], ij = new int[n * kk];
        Arrays.fill(hn, Float.POSITIVE_INFINITY);
        Arrays.fill(hj, Float.POSITIVE_INFINITY);
        Arrays.fill(in, Integer.MAX_VALUE);
        Arrays.fill(ij, Integer.MAX_VALUE);
        float[] ct = new float[block];
        int[] ci = new int[block];
        // Tiles on and off the diagonal, values on a coarse grid so scores tie and the row index decides.
        for (int[] tq : new int[][] {{0, 0}, {0, 64}, {64, 64}}) {
          float[] tile = new float[block * block];
          for (int i = 0; i < tile.length; i++) tile[i] = Math.round(r.nextGaussian() * 4) / 4f;
          assertTrue(k.scanSelfTile(tile, block, block, tq[0], block, tq[1], bias, self, hn, in, kk, ct, ci));
          ExactKnn.scanSelfTile(java, tile, block, block, tq[0], block, tq[1], bias, self, hj, ij, kk, new float[block],
              new int[block]);
        }
        assertArrayEquals(hj, hn, "scores, euclidean=" + euclidean + " self=" + self);
        assertArrayEquals(ij, in, "rows, euclidean=" + euclidean + " self=" + self);
      }
    }
  }

  private static void agreesWithTheScalarCodeBitForBit(DotKernel v) {
    FloatMatrix m = gaussian(70, 45, 7);
    Random r = new Random(8);
    {
      int w = v.width();
      String name = v instanceof VectorDotKernel vk ? vk.shape() : v.getClass().getSimpleName() + " of width " + w;
      DotKernel s = new ScalarDotKernel(w);
      float[] ts = panelProducts(s, m);
      float[] tv = panelProducts(v, m);
      assertArrayEquals(ts, tv, name);
      float[] bias = new float[70];
      float[] thr = new float[70];
      for (int i = 0; i < 70; i++) {
        bias[i] = (float) r.nextGaussian();
        thr[i] = (float) (r.nextGaussian() * 8);
      }
      for (int from = 0; from < 70; from += 3) {
        for (float t : new float[] {-20f, -5f, 0f, 5f}) {
          assertEquals(s.nextRow(ts, 5, from, 60, null, 0, t), v.nextRow(ts, 5, from, 60, null, 0, t));
          assertEquals(s.nextRow(ts, 5, from, 60, bias, 3, t), v.nextRow(ts, 5, from, 60, bias, 3, t));
        }
        assertEquals(s.nextColumn(ts, 9, from, 61, false, 0f, 0.37f, thr), v.nextColumn(ts, 9, from, 61, false, 0f, 0.37f, thr));
        assertEquals(s.nextColumn(ts, 9, from, 61, true, 1.5f, 1f, thr), v.nextColumn(ts, 9, from, 61, true, 1.5f, 1f, thr));
      }
    }
  }

  @Test
  void deepRowsSplitIntoDepthSlicesStillAgreeWithTheScalarCodeBitForBit() throws ReflectiveOperationException {
    // 300 coordinates: two full 128-deep slices and a partial one, each continuing from the partial sums.
    FloatMatrix m = gaussian(70, 300, 9);
    for (DotKernel v : javaAndNativeKernels()) {
      assertArrayEquals(panelProducts(new ScalarDotKernel(v.width()), m), panelProducts(v, m), v.getClass() + " " + v.width());
    }
  }

  @Test
  void tiesBreakByLowerRowIndex() {
    // Rows 1, 2 and 4 are the same point: equidistant from everything, so they rank 1 < 2 < 4.
    float[][] rows = {{0, 0}, {1, 1}, {1, 1}, {5, 5}, {1, 1}, {0.5f, 0.5f}};
    FloatMatrix m = FloatMatrix.of(rows);
    int[] nn = ExactKnn.search(m, Metric.EUCLIDEAN, 3, false);
    assertArrayEquals(new int[] {5, 1, 2}, Arrays.copyOfRange(nn, 0, 3));
    assertArrayEquals(new int[] {2, 4, 5}, Arrays.copyOfRange(nn, 3, 6)); // row 1: its twins first, not itself
    int[] withSelf = ExactKnn.search(m, Metric.EUCLIDEAN, 3, true);
    assertArrayEquals(new int[] {1, 2, 4}, Arrays.copyOfRange(withSelf, 3, 6)); // self ties with twins, lower index first
    assertArrayEquals(new int[] {1, 2, 4}, Arrays.copyOfRange(withSelf, 12, 15));
  }

  @Test
  void vectorAndScalarKernelsAgreeBitForBit() {
    FloatMatrix m = gaussian(70, 45, 3);
    DotKernel v = DotKernel.best();
    DotKernel s = new ScalarDotKernel(v.width());
    assertArrayEquals(panelProducts(s, m), panelProducts(v, m));
  }

  @Test
  void smallJobsMayTakeTheScalarKernelAtTheSameWidthAndGetTheSameLists() {
    // Whichever this JVM gives a small job (scalar until the Vector API kernel is loaded; this test class loads it),
    // its width is the best kernel's, so blocks and tiles are the same, and big jobs always get the best kernel.
    DotKernel small = DotKernel.forWork(1e6);
    assertTrue(small == DotKernel.best() || small instanceof ScalarDotKernel, small.getClass().getName());
    assertEquals(DotKernel.best().width(), DotKernel.Small.KERNEL.width());
    assertTrue(DotKernel.forWork(1e12) == DotKernel.best());
    FloatMatrix m = gaussian(300, 40, 11);
    float[] v = panelProducts(DotKernel.best(), m);
    assertArrayEquals(v, panelProducts(DotKernel.Small.KERNEL, m));
    int[] every = java.util.stream.IntStream.range(0, 300).toArray();
    assertArrayEquals(naive(m, Metric.COSINE, 10, false, every), ExactKnn.search(m, Metric.COSINE, 10, false), "a small pass");
  }

  /** Every row of m against every row of m packed in the kernel's panels (width rows each, columns interleaved). */
  private static float[] panelProducts(DotKernel kernel, FloatMatrix m) {
    int n = m.rows(), d = m.cols(), w = kernel.width();
    int panels = (n + w - 1) / w;
    float[] packed = new float[panels * w * d];
    for (int j = 0; j < n; j++) for (int p = 0; p < d; p++) packed[(j / w) * w * d + p * w + j % w] = m.get(j, p);
    float[] out = new float[n * panels * w];
    kernel.panels(m.data(), 0, d, 1, n, packed, 0, w, w * d, panels, d, out, 0, panels * w);
    return out;
  }

  @Test
  void rejectsBadKAndZeroVectorsUnderCosine() {
    FloatMatrix m = gaussian(5, 3, 4);
    assertEquals("k must be between 1 and n - 1 = 4, got 5",
        assertThrows(IllegalArgumentException.class, () -> ExactKnn.search(m, Metric.COSINE, 5, false)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ExactKnn.search(m, Metric.COSINE, 0, false));
    float[] v = m.data().clone();
    v[6] = v[7] = v[8] = 0;
    var e = assertThrows(IllegalArgumentException.class,
        () -> ExactKnn.search(FloatMatrix.wrap(5, 3, v), Metric.COSINE, 2, false));
    assertEquals("row 2 is a zero vector; cosine distance is undefined for it", e.getMessage());
    assertEquals(20, ExactKnn.search(FloatMatrix.wrap(5, 3, v), Metric.EUCLIDEAN, 4, false).length);
  }

  @Test
  void nearTiesAreResolvedInDoubleNotFloat() {
    // Two candidates whose cosine distances to row 0 differ by less than float precision.
    float[][] rows = {{1f, 0f, 0f}, {1f, 1e-4f, 0f}, {1f, 0f, 1.0001e-4f}, {0f, 1f, 0f}};
    int[] nn = ExactKnn.search(FloatMatrix.of(rows), Metric.COSINE, 1, false);
    assertEquals(1, nn[0], "row 1 (1e-4 off-axis) is nearer than row 2 (1.0001e-4)");
    assertTrue(ExactKnn.run(FloatMatrix.of(rows), Metric.COSINE, 1, false, null, ProgressListener.NONE).rechecked() >= 0);
  }

  static int[] merged(FloatMatrix m, Metric metric, int k, boolean self, int shards) {
    java.util.List<ExactKnn.ShardLists> parts = new java.util.ArrayList<>();
    for (int i = shards - 1; i >= 0; i--) parts.add(ExactKnn.searchShard(m, metric, k, self, i, shards, ProgressListener.NONE));
    return ExactKnn.mergeShards(parts);
  }

  @Test
  void shardsOfTheSelfJoinMergeToTheWholePassExactly() {
    // 700 rows: 3 blocks of 256, 6 tile pairs; 2, 4 and 6 shards split them unevenly across rows and blocks.
    FloatMatrix m = gaussian(700, 24, 11);
    for (Metric metric : Metric.values()) {
      for (boolean self : new boolean[] {false, true}) {
        int[] whole = ExactKnn.search(m, metric, 10, self);
        for (int shards : new int[] {1, 2, 4, 6}) {
          assertArrayEquals(whole, merged(m, metric, 10, self, shards), metric + " self " + self + " " + shards + " shards");
        }
      }
    }
  }

  @Test
  void shardsKeepTheTieOrderAndMoreShardsThanTilesLeaveSomeEmpty() {
    // Integer coordinates: many exactly equal distances, so the merge's (distance, row) order decides.
    Random r = new Random(5);
    float[] v = new float[600 * 3];
    for (int i = 0; i < v.length; i++) v[i] = r.nextInt(3);
    FloatMatrix m = FloatMatrix.wrap(600, 3, v);
    int[] whole = ExactKnn.search(m, Metric.EUCLIDEAN, 7, false);
    assertArrayEquals(whole, merged(m, Metric.EUCLIDEAN, 7, false, 3));
    assertArrayEquals(whole, merged(m, Metric.EUCLIDEAN, 7, false, 9)); // 6 tile pairs: 3 shards hold none
    ExactKnn.ShardLists empty = ExactKnn.searchShard(m, Metric.EUCLIDEAN, 7, false, 0, 9, ProgressListener.NONE);
    assertTrue(Arrays.stream(empty.neighbours()).allMatch(j -> j == -1), "a shard without tiles pairs no rows");
  }

  @Test
  void aShardsDistancesAreTheExactOnes() {
    FloatMatrix m = gaussian(300, 16, 2);
    ExactKnn.ShardLists s = ExactKnn.searchShard(m, Metric.COSINE, 5, false, 1, 2, ProgressListener.NONE);
    double[] norms = m.rowNorms();
    for (int q = 0; q < 300; q++) {
      for (int t = 0; t < 5; t++) {
        int j = s.neighbours()[q * 5 + t];
        if (j < 0) continue;
        assertEquals(ExactKnn.exact(Metric.COSINE, m.data(), 16, norms, q, j), s.distances()[q * 5 + t], 0.0);
        if (t > 0) assertTrue(s.distances()[q * 5 + t - 1] <= s.distances()[q * 5 + t]);
      }
    }
    assertEquals("shard must be in 0..1, got 2",
        assertThrows(IllegalArgumentException.class, () -> ExactKnn.searchShard(m, Metric.COSINE, 5, false, 2, 2, ProgressListener.NONE)).getMessage());
  }
}
