package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exact k nearest neighbours by brute force, block by block, never holding the n×n distance matrix.
 *
 * <p>How it stays exact and deterministic:
 * <ol>
 *   <li>Float pass. Distances between a block of query rows and a block of data rows come from {@link DotKernel}
 *       into a reused tile; each query row keeps its best K = k + margin candidates in a sorted insertion
 *       array ordered by (float score, row index). A pair's float score is computed identically wherever it falls,
 *       so the kept set does not depend on blocking or threads. When every point is a query the pass is
 *       symmetric: tile (I, J) with I &lt; J feeds both I's rows and J's rows, so half the products are skipped.</li>
 *   <li>Exact pass. The K candidates are re-scored in double from the original float32 values and ranked by
 *       (double distance, lower row index); the first k are the answer.</li>
 *   <li>Proof of completeness. The float scores carry a bounded rounding error ε (at most (d + 8)·2⁻²⁴ per unit
 *       of |q|·|x|, doubled for safety). If the k-th exact score is below the worst kept float score minus ε, no
 *       discarded candidate can rank ahead of it; otherwise that row is searched again exhaustively in double.</li>
 * </ol>
 * Memory: the packed copy of the data (n·d floats), the per-thread candidate arrays (n·K per thread) and one
 * tile per thread.
 */
public final class ExactKnn {
  /** Rows per query block and per data block. */
  static final int BLOCK = 256;
  private static final double UNIT = 0x1p-24;

  private ExactKnn() {}

  /** Every row's k nearest rows: n*k indexes, row-major, nearest first, ties by lower row index. */
  public static int[] search(FloatMatrix m, Metric metric, int k, boolean includeSelf) {
    return search(m, metric, k, includeSelf, null, ProgressListener.NONE);
  }

  /**
   * The k nearest rows of each query row (or of every row when {@code queryRows} is null), searched against
   * all rows: queries*k indexes, row-major, nearest first, ties by lower row index.
   */
  public static int[] search(FloatMatrix m, Metric metric, int k, boolean includeSelf, int[] queryRows,
      ProgressListener progress) {
    return run(m, metric, k, includeSelf, queryRows, progress).neighbours();
  }

  /** The answer and how many rows needed the exhaustive double-precision re-check. */
  record Result(int[] neighbours, int rechecked) {}

  static Result run(FloatMatrix m, Metric metric, int k, boolean includeSelf, int[] queryRows,
      ProgressListener progress) {
    final int n = m.rows();
    final int d = m.cols();
    if (n < 2) throw new IllegalArgumentException("need at least 2 points, got " + n);
    if (d < 1) throw new IllegalArgumentException("vectors have no dimensions");
    if (k < 1 || k > n - 1) throw new IllegalArgumentException("k must be between 1 and n - 1 = " + (n - 1) + ", got " + k);
    final float[] x = m.data();
    final double[] norms = m.rowNorms();
    double maxNorm = 0;
    for (double v : norms) maxNorm = Math.max(maxNorm, v);
    final float[] xs;
    if (metric == Metric.COSINE) {
      for (int r = 0; r < n; r++) {
        if (norms[r] == 0) {
          throw new IllegalArgumentException("row " + r + " is a zero vector; cosine distance is undefined for it");
        }
      }
      xs = new float[x.length];
      for (int r = 0; r < n; r++) {
        double inv = 1.0 / norms[r];
        for (int p = 0, o = r * d; p < d; p++) xs[o + p] = (float) (x[o + p] * inv);
      }
    } else {
      xs = x;
    }
    final float[] bias;
    if (metric == Metric.EUCLIDEAN) {
      bias = new float[n];
      for (int r = 0; r < n; r++) {
        float s = 0f;
        for (int p = 0, o = r * d; p < d; p++) s = Math.fma(xs[o + p], xs[o + p], s);
        bias[r] = s;
      }
    } else {
      bias = null;
    }

    final DotKernel kernel = DotKernel.best();
    final int w = kernel.width();
    final int block = Math.max(w, BLOCK / w * w);
    final int nPanels = (n + w - 1) / w;
    final int panelStep = w * d;
    final float[] packed = new float[Math.multiplyExact(nPanels, panelStep)];
    for (int j = 0; j < n; j++) {
      int base = (j / w) * panelStep + (j % w);
      for (int p = 0, o = j * d; p < d; p++) packed[base + p * w] = xs[o + p];
    }

    final boolean symmetric = queryRows == null;
    final int nq = symmetric ? n : queryRows.length;
    final float[] qdata = symmetric ? xs : gather(xs, d, queryRows);
    final int available = includeSelf ? n : n - 1;
    final int kk = Math.min(k + 8 + k / 8, available);

    final int nbData = (n + block - 1) / block;
    final int nbQuery = (nq + block - 1) / block;
    final int tasks = symmetric ? nbData * (nbData + 1) / 2 : nbQuery * nbData;
    final int[] taskQ = new int[tasks];
    final int[] taskD = new int[tasks];
    for (int t = 0, qb = 0; qb < nbQuery; qb++) {
      for (int db = symmetric ? qb : 0; db < nbData; db++, t++) {
        taskQ[t] = qb;
        taskD[t] = db;
      }
    }
    final int workers = Math.min(Parallel.threads(), tasks);
    final float[][] hs = new float[workers][];
    final int[][] hi = new int[workers][];
    final float[][] tiles = new float[workers][];
    final float[][] colThr = new float[workers][];
    final int[][] colIdx = new int[workers][];
    final AtomicLong done = new AtomicLong();
    Parallel.run(workers, tasks, (wk, t) -> {
      if (hs[wk] == null) {
        hs[wk] = new float[Math.multiplyExact(nq, kk)];
        Arrays.fill(hs[wk], Float.POSITIVE_INFINITY);
        hi[wk] = new int[nq * kk];
        Arrays.fill(hi[wk], Integer.MAX_VALUE);
        tiles[wk] = new float[block * block];
        colThr[wk] = new float[block];
        colIdx[wk] = new int[block];
      }
      final float[] h = hs[wk];
      final int[] hix = hi[wk];
      final float[] tile = tiles[wk];
      final int q0 = taskQ[t] * block;
      final int qc = Math.min(block, nq - q0);
      final int j0 = taskD[t] * block;
      final int jc = Math.min(block, n - j0);
      kernel.panels(qdata, q0 * d, d, 1, qc, packed, (j0 / w) * panelStep, w, panelStep, (jc + w - 1) / w, d,
          tile, 0, block);
      // Each query row of the tile against the data rows of the tile. Small static methods, called per row, so
      // the JIT compiles them within the first tile rather than interpreting one big loop nest.
      for (int a = 0; a < qc; a++) {
        final int q = q0 + a;
        scanRow(tile, a * block, jc, j0, bias, includeSelf ? -1 : (symmetric ? q : queryRows[q]), h, hix, q * kk, kk);
      }
      // Symmetric pass: the same tile, read row by row, feeds the data block's rows (one threshold per column).
      if (symmetric && j0 != q0) {
        final float[] ct = colThr[wk];
        final int[] ci = colIdx[wk];
        for (int b = 0; b < jc; b++) {
          ct[b] = h[(j0 + b) * kk + kk - 1];
          ci[b] = hix[(j0 + b) * kk + kk - 1];
        }
        for (int a = 0; a < qc; a++) {
          scanColumns(tile, a * block, jc, j0, q0 + a, bias == null ? 0f : bias[q0 + a], bias != null, ct, ci, h, hix, kk);
        }
      }
      progress.progress(done.incrementAndGet(), tasks);
    });

    // Merge the workers' candidates, re-score them exactly, rank by (double distance, index), prove completeness.
    final int[] out = new int[Math.multiplyExact(nq, k)];
    final int[] rechecked = new int[1];
    final double bound = boundScale(d);
    final double maxN = maxNorm;
    final int chunk = 512;
    final int chunks = (nq + chunk - 1) / chunk;
    final int live = workers;
    Parallel.run(Math.min(Parallel.threads(), chunks), chunks, (wk, c) -> {
      float[] ms = new float[kk];
      int[] mi = new int[kk];
      double[] es = new double[kk];
      int[] ptr = new int[live];
      for (int q = c * chunk, end = Math.min(nq, q + chunk); q < end; q++) {
        Arrays.fill(ptr, 0);
        int base = q * kk;
        for (int r = 0; r < kk; r++) {
          int best = -1;
          for (int t = 0; t < live; t++) {
            if (hs[t] == null || ptr[t] >= kk) continue;
            if (best < 0 || less(hs[t][base + ptr[t]], hi[t][base + ptr[t]], hs[best][base + ptr[best]], hi[best][base + ptr[best]])) best = t;
          }
          ms[r] = hs[best][base + ptr[best]];
          mi[r] = hi[best][base + ptr[best]];
          ptr[best]++;
        }
        int qrow = symmetric ? q : queryRows[q];
        for (int r = 0; r < kk; r++) es[r] = exact(metric, x, d, norms, qrow, mi[r]);
        // Insertion sort by (exact, index): kk is small.
        for (int r = 1; r < kk; r++) {
          double e = es[r];
          int idx = mi[r];
          int p = r - 1;
          while (p >= 0 && (es[p] > e || (es[p] == e && mi[p] > idx))) {
            es[p + 1] = es[p];
            mi[p + 1] = mi[p];
            p--;
          }
          es[p + 1] = e;
          mi[p + 1] = idx;
        }
        boolean complete = kk >= available
            || toFloatScale(metric, es[k - 1], norms[qrow]) < (double) ms[kk - 1] - bound * rowScale(metric, norms[qrow], maxN);
        if (complete) {
          System.arraycopy(mi, 0, out, q * k, k);
        } else {
          exhaustive(metric, x, n, d, norms, qrow, k, includeSelf, out, q * k);
          synchronized (rechecked) {
            rechecked[0]++;
          }
        }
      }
    });
    return new Result(out, rechecked[0]);
  }

  /** Offers tile row {@code to} (candidates j0..j0+jc) to one query's candidate run; {@code self} is skipped (-1: none). */
  private static void scanRow(float[] tile, int to, int jc, int j0, float[] bias, int self, float[] h, int[] hix,
      int base, int kk) {
    float thr = h[base + kk - 1];
    int thrIdx = hix[base + kk - 1];
    for (int b = 0; b < jc; b++) {
      final int j = j0 + b;
      final float s = bias == null ? -tile[to + b] : bias[j] - 2f * tile[to + b];
      if (s <= thr && (s < thr || j < thrIdx) && j != self) {
        insert(h, hix, base, kk, s, j);
        thr = h[base + kk - 1];
        thrIdx = hix[base + kk - 1];
      }
    }
  }

  /** Offers candidate row i (tile row {@code to}) to each of the data block's rows j0..j0+jc. */
  private static void scanColumns(float[] tile, int to, int jc, int j0, int i, float bi, boolean euclidean, float[] ct,
      int[] ci, float[] h, int[] hix, int kk) {
    for (int b = 0; b < jc; b++) {
      final float s = euclidean ? bi - 2f * tile[to + b] : -tile[to + b];
      if (s <= ct[b] && (s < ct[b] || i < ci[b])) {
        final int base = (j0 + b) * kk;
        insert(h, hix, base, kk, s, i);
        ct[b] = h[base + kk - 1];
        ci[b] = hix[base + kk - 1];
      }
    }
  }

  private static boolean less(float s1, int i1, float s2, int i2) {
    return s1 < s2 || (s1 == s2 && i1 < i2);
  }

  /** Inserts (s, j) into the sorted run h[base, base+kk), dropping the last; the caller checked it belongs. */
  private static void insert(float[] h, int[] hix, int base, int kk, float s, int j) {
    int p = base + kk - 1;
    while (p > base && (h[p - 1] > s || (h[p - 1] == s && hix[p - 1] > j))) {
      h[p] = h[p - 1];
      hix[p] = hix[p - 1];
      p--;
    }
    h[p] = s;
    hix[p] = j;
  }

  private static float[] gather(float[] xs, int d, int[] rows) {
    float[] q = new float[Math.multiplyExact(rows.length, d)];
    for (int i = 0; i < rows.length; i++) System.arraycopy(xs, rows[i] * d, q, i * d, d);
    return q;
  }

  /**
   * The exact distance in double between rows q and j of the row-major {@code x} (d columns): cosine
   * 1 − q·x/(|q||x|), euclidean the squared distance Σ(q−x)², dot −q·x. {@code norms} are the rows' lengths
   * ({@link FloatMatrix#rowNorms()}; read for cosine only).
   */
  public static double exact(Metric metric, float[] x, int d, double[] norms, int q, int j) {
    int qo = q * d;
    int jo = j * d;
    double s = 0;
    switch (metric) {
      case EUCLIDEAN -> {
        for (int p = 0; p < d; p++) {
          double t = (double) x[qo + p] - x[jo + p];
          s += t * t;
        }
        return s;
      }
      case COSINE -> {
        for (int p = 0; p < d; p++) s += (double) x[qo + p] * x[jo + p];
        return 1.0 - s / (norms[q] * norms[j]);
      }
      default -> {
        for (int p = 0; p < d; p++) s += (double) x[qo + p] * x[jo + p];
        return -s;
      }
    }
  }

  /** The exact distance on the float pass's scale: cosine −cos, euclidean |x|² − 2q·x, dot −q·x. */
  private static double toFloatScale(Metric metric, double exact, double qNorm) {
    return switch (metric) {
      case COSINE -> exact - 1.0;
      case EUCLIDEAN -> exact - qNorm * qNorm;
      case DOT -> exact;
    };
  }

  /** The float pass's rounding bound per unit of |q|·|x| (see the class comment), doubled for safety. */
  private static double boundScale(int d) {
    return 2.0 * (d + 8) * UNIT;
  }

  private static double rowScale(Metric metric, double qNorm, double maxNorm) {
    return switch (metric) {
      case COSINE -> 1.0;
      case DOT -> qNorm * maxNorm;
      case EUCLIDEAN -> maxNorm * maxNorm + 2 * qNorm * maxNorm;
    } * 1.0000001 + 1e-30;
  }

  /** The k nearest of row q by an exhaustive double-precision scan. */
  private static void exhaustive(Metric metric, float[] x, int n, int d, double[] norms, int q, int k,
      boolean includeSelf, int[] out, int off) {
    double[] best = new double[k];
    Arrays.fill(best, Double.POSITIVE_INFINITY);
    int[] idx = new int[k];
    Arrays.fill(idx, Integer.MAX_VALUE);
    for (int j = 0; j < n; j++) {
      if (j == q && !includeSelf) continue;
      double e = exact(metric, x, d, norms, q, j);
      if (e < best[k - 1]) { // j increases, so an equal score never displaces a lower index
        int p = k - 1;
        while (p > 0 && best[p - 1] > e) {
          best[p] = best[p - 1];
          idx[p] = idx[p - 1];
          p--;
        }
        best[p] = e;
        idx[p] = j;
      }
    }
    System.arraycopy(idx, 0, out, off, k);
  }
}
