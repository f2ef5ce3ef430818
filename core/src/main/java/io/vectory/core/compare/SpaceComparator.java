package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Compares two spaces over the same points: k-NN Jaccard per point, its mean and histogram, and linear CKA. */
public final class SpaceComparator {
  private SpaceComparator() {}

  public static ComparisonOutcome compare(FloatMatrix a, FloatMatrix b, CompareOptions o, ProgressListener p) {
    long start = System.nanoTime();
    int n = a.rows();
    if (b.rows() != n) {
      throw new IllegalArgumentException("the spaces must hold the same points: A has " + n + " rows, B has " + b.rows());
    }
    if (n < 2) throw new IllegalArgumentException("need at least 2 points, got " + n);
    int k = o.k();
    if (k > n - 1) throw new IllegalArgumentException("k must be between 1 and n - 1 = " + (n - 1) + ", got " + k);
    int[] queries = queryRows(n, o);
    ProgressListener pa = (done, total) -> p.progress(done, 2 * total);
    ProgressListener pb = (done, total) -> p.progress(total + done, 2 * total);
    KnnLists la;
    KnnLists lb;
    try {
      la = KnnLists.compute(a, o.metricA(), k, o.includeSelf(), queries, pa);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("space A: " + e.getMessage(), e);
    }
    try {
      lb = KnnLists.compute(b, o.metricB(), k, o.includeSelf(), queries, pb);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("space B: " + e.getMessage(), e);
    }
    return merge(la, lb, o, start, LinearCka.compute(a, b, Double.NaN, Double.NaN));
  }

  /**
   * Starts, on a daemon thread, the loading a large comparison's first k-NN pass would otherwise wait for: the native
   * kernel's library and downcalls (tens of milliseconds), or, without it, the Vector API kernel's warm-up until its
   * code is compiled (0.2-0.35 s of one core in a fresh JVM), so it overlaps the caller's reading of the files.
   * Nothing for a job small enough for the scalar kernel ({@link DotKernel#forWork}), which the warm-up would only
   * slow. The results do not depend on it: it changes when code is compiled, not what it computes. Returns the started
   * thread, or null when the job is small.
   */
  public static Thread warmUpInBackground(int rows, int colsA, int colsB, CompareOptions o) {
    int queries = everyRowQueries(rows, o) ? rows : o.sample();
    if (ExactKnn.multiplyAdds(rows, Math.max(colsA, colsB), queries) < DotKernel.SMALL_WORK) return null;
    Thread t = new Thread(DotKernel::best, "vectory-warm-up");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The first pilot sample of {@link #compareWithin}: enough for the variance, small beside the final sample. */
  static final int PILOT = 400;

  /**
   * Compares with as many sampled queries as a 95% CI half-width of at most {@code halfWidth} needs (at least
   * {@value #PILOT}): a pilot of {@value #PILOT} queries estimates the per-point variance, then the comparison runs with the sample size that
   * variance asks for (the seeded sample {@code --sample M} would draw, so the result is reproducible with it),
   * once more with a larger sample if the variance was underestimated, or over every point (exact) where the
   * sample would cover most of them. {@code o.sample()} is ignored.
   */
  public static ComparisonOutcome compareWithin(FloatMatrix a, FloatMatrix b, CompareOptions o, double halfWidth, ProgressListener p) {
    int n = a.rows();
    if (!(halfWidth > 0 && halfWidth < 1)) throw new IllegalArgumentException("the CI half-width must be in (0, 1), got " + halfWidth);
    CompareOptions exact = o.withSample(0, o.seed());
    if (n <= 2 * PILOT) return compare(a, b, exact, p);
    int[] rows = sample(n, PILOT, o.seed());
    // The pilot's Jaccards only (no CKA, no outcome): its lists are not reused, the final sample holds its rows again.
    KnnLists la = KnnLists.compute(a, o.metricA(), o.k(), o.includeSelf(), rows, ProgressListener.NONE);
    KnnLists lb = KnnLists.compute(b, o.metricB(), o.k(), o.includeSelf(), rows, ProgressListener.NONE);
    // Never fewer queries than the pilot: the normal approximation of the interval wants a few hundred.
    int m = Math.max(PILOT, SampleSize.forHalfWidth(SampleSize.variance(jaccards(la, lb, o.k())), halfWidth, n));
    while (true) {
      if (m > n / 2) return compare(a, b, exact, p); // the exact self-join costs about what m > n/2 queries cost
      ComparisonOutcome s = compare(a, b, o.withSample(m, o.seed()), p);
      double[] per = new double[s.perPoint().length];
      for (int i = 0; i < per.length; i++) per[i] = s.perPoint()[i];
      double variance = SampleSize.variance(per);
      if (SampleSize.halfWidth(variance, m, n) <= halfWidth) return s;
      // The pilot underestimated the variance: grow by at least a tenth, so creeping estimates cannot loop long.
      m = Math.max(SampleSize.forHalfWidth(variance, halfWidth, n), m + Math.max(1, m / 10));
    }
  }

  /** Each query's Jaccard of its two neighbour lists, in query order (double: the histogram bins it as NumPy does). */
  private static double[] jaccards(KnnLists la, KnnLists lb, int k) {
    int[] na = la.neighbours();
    int[] nb = lb.neighbours();
    int nq = la.queries();
    double[] per = new double[nq];
    int[] sa = new int[k];
    int[] sb = new int[k];
    for (int q = 0; q < nq; q++) {
      System.arraycopy(na, q * k, sa, 0, k);
      System.arraycopy(nb, q * k, sb, 0, k);
      per[q] = jaccard(sa, sb);
    }
    return per;
  }

  /** The query rows a comparison with these options uses: null for every row, else the seeded sample. */
  public static int[] queryRows(int n, CompareOptions o) {
    return everyRowQueries(n, o) ? null : sample(n, o.sample(), o.seed());
  }

  /** Whether every one of n rows is a query (exact), without drawing the sample. */
  private static boolean everyRowQueries(int n, CompareOptions o) {
    return o.sample() == 0 || o.sample() >= n;
  }

  /**
   * Compares two spaces from k-NN lists already computed (kept by a store or the pipeline): only the Jaccard
   * merge and CKA run, no k-NN pass. The lists must serve the options (same k or more, metric, self rule, queries).
   */
  public static ComparisonOutcome compare(KnnLists listsA, KnnLists listsB, FloatMatrix a, FloatMatrix b, CompareOptions o) {
    return compare(listsA, listsB, a, b, o, Double.NaN, Double.NaN);
  }

  /**
   * As above, with each space's own linear-CKA term ({@link LinearCka#selfTerm}) as kept beside its lists (NaN: computed
   * here), so the comparison computes only the cross term.
   */
  public static ComparisonOutcome compare(KnnLists listsA, KnnLists listsB, FloatMatrix a, FloatMatrix b, CompareOptions o,
      double ckaSelfA, double ckaSelfB) {
    long start = System.nanoTime();
    int n = a.rows();
    if (b.rows() != n || listsA.n() != n || listsB.n() != n) {
      throw new IllegalArgumentException("the spaces must hold the same points: A has " + n + " rows, B has " + b.rows()
          + ", their k-NN lists " + listsA.n() + " and " + listsB.n());
    }
    check(listsA, listsB, o);
    return merge(listsA.truncate(o.k()), listsB.truncate(o.k()), o, start, LinearCka.compute(a, b, ckaSelfA, ckaSelfB));
  }

  /**
   * Two spaces over the same rows from their kept k-NN lists alone, with linear CKA computed elsewhere (NaN when
   * undefined): the Jaccard merge, no vectors needed. The pipeline merges here while its compare workers compute the
   * lists and CKA.
   */
  public static ComparisonOutcome compare(KnnLists listsA, KnnLists listsB, CompareOptions o, double cka) {
    long start = System.nanoTime();
    if (listsA.n() != listsB.n()) {
      throw new IllegalArgumentException("the spaces must hold the same points: their k-NN lists have " + listsA.n() + " and " + listsB.n() + " rows");
    }
    check(listsA, listsB, o);
    return merge(listsA.truncate(o.k()), listsB.truncate(o.k()), o, start, cka);
  }

  private static void check(KnnLists listsA, KnnLists listsB, CompareOptions o) {
    int n = listsA.n();
    int[] queries = queryRows(n, o);
    if (!listsA.serves(o.k(), o.metricA(), o.includeSelf(), queries)) throw new IllegalArgumentException("space A's k-NN lists (k " + listsA.k()
        + ", " + listsA.metric() + ", self " + listsA.includeSelf() + ") do not serve k " + o.k() + ", " + o.metricA() + ", self " + o.includeSelf());
    if (!listsB.serves(o.k(), o.metricB(), o.includeSelf(), queries)) throw new IllegalArgumentException("space B's k-NN lists (k " + listsB.k()
        + ", " + listsB.metric() + ", self " + listsB.includeSelf() + ") do not serve k " + o.k() + ", " + o.metricB() + ", self " + o.includeSelf());
  }

  private static ComparisonOutcome merge(KnnLists la, KnnLists lb, CompareOptions o, long start, double cka) {
    int n = la.n();
    int k = o.k();
    int[] na = la.neighbours();
    int[] nb = lb.neighbours();
    int[] queries = la.queryRows();
    boolean exact = queries == null;
    int nq = la.queries();
    int[] rows = exact ? identity(n) : queries;
    double[] js = jaccards(la, lb, k);
    float[] per = new float[nq];
    long[] hist = new long[10];
    double sum = 0;
    double sumSq = 0;
    for (int q = 0; q < nq; q++) {
      double j = js[q];
      per[q] = (float) j;
      hist[bin(j)]++;
      sum += j;
      sumSq += j * j;
    }
    double mean = sum / nq;
    double lo = Double.NaN;
    double hi = Double.NaN;
    if (!exact) {
      // Normal approximation over the sampled queries (sample variance, n − 1), corrected for the finite population.
      double var = nq > 1 ? Math.max(0, (sumSq - nq * mean * mean) / (nq - 1)) : 0;
      double half = SampleSize.halfWidth(var, nq, n);
      lo = Math.max(0, mean - half);
      hi = Math.min(1, mean + half);
    }
    return new ComparisonOutcome(n, k, o.metricA(), o.metricB(), o.includeSelf(), exact, mean, hist, per, rows, lo, hi,
        cka, System.nanoTime() - start);
  }

  /** |A ∩ B| / |A ∪ B| of two index sets of equal size k (sorts its arguments). */
  static double jaccard(int[] a, int[] b) {
    Arrays.sort(a);
    Arrays.sort(b);
    int i = 0;
    int j = 0;
    int inter = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        inter++;
        i++;
        j++;
      } else if (a[i] < b[j]) i++;
      else j++;
    }
    return (double) inter / (a.length + b.length - inter);
  }

  /**
   * The bin of v in 10 equal bins over [0, 1], exactly as numpy.histogram(v, bins=10, range=(0, 1)) decides
   * it (edges i·0.1, the last bin closed), so counts agree with a NumPy reference bit for bit.
   */
  static int bin(double v) {
    int i = (int) (v * 10.0);
    if (i >= 10) i = 9;
    if (i < 0) i = 0;
    if (v < i * 0.1) i--;
    else if (i != 9 && v >= (i + 1) * 0.1) i++;
    return i;
  }

  private static int[] sample(int n, int m, long seed) {
    // Partial Fisher–Yates: m distinct rows, sorted so the output follows row order.
    int[] all = identity(n);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < m; i++) {
      int j = i + rnd.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] s = Arrays.copyOf(all, m);
    Arrays.sort(s);
    return s;
  }

  private static int[] identity(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) r[i] = i;
    return r;
  }
}
