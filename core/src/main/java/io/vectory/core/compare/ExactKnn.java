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
 *   <li>Exact pass. The candidates are ranked by (double distance from the original float32 values, lower row
 *       index); the first k are the answer. Float scores are within ε (below) of the exact ones, so candidates whose
 *       float scores are more than 2ε apart are already in exact order: only runs closer than that are re-scored in
 *       double and sorted.</li>
 *   <li>Proof of completeness. The float scores carry a bounded rounding error ε (at most (d + 8)·2⁻²⁴ per unit
 *       of |q|·|x|, doubled for safety; the 8 covers the rounded unit rows, or, for sampled queries, the
 *       rounded 1/|x| and the product by it). If the k-th exact score is below the worst kept float score minus ε, no
 *       discarded candidate can rank ahead of it; otherwise that row is searched again exhaustively in double.</li>
 * </ol>
 * Memory, every row a query: the normalised copy (cosine) and the packed copy of the data (n·d floats each), the
 * per-thread candidate arrays (n·K per thread) and one tile per thread. Sampled queries (m of them): the packed
 * queries (m·d), m·K per thread, one tile per thread and one float per row; the data is read in place.
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

  /**
   * One shard's part of the self-join: for every row, its k nearest among the rows that the shard's tiles pair it
   * with, nearest first by (exact distance, row), with those distances; a row paired with fewer than k others is
   * padded with row -1 at distance +∞. {@link #mergeShards} of every shard's part is {@link #search} exactly.
   */
  public record ShardLists(int n, int k, int[] neighbours, double[] distances) {}

  /**
   * Shard {@code shard} of {@code shards} of every row's exact k nearest rows: the symmetric self-join's tile pairs
   * (I ≤ J, in order) split in equal ranges, so the shards together compute each pair's product once, as one
   * whole pass does, and several workers can share a pass without repeating any of it.
   */
  public static ShardLists searchShard(FloatMatrix m, Metric metric, int k, boolean includeSelf, int shard, int shards,
      ProgressListener progress) {
    if (shards < 1 || shard < 0 || shard >= shards) throw new IllegalArgumentException("shard must be in 0.." + (shards - 1) + ", got " + shard);
    // Always the best kernel: shards of one pass may run in several JVMs, and all must cut the same tiles.
    Prepared p = prepare(m, metric, k, DotKernel.best());
    int n = m.rows();
    int nb = (n + blockOf(p.kernel) - 1) / blockOf(p.kernel);
    long tiles = (long) nb * (nb + 1) / 2;
    TileRange range = new TileRange(nb, (int) (tiles * shard / shards), (int) (tiles * (shard + 1) / shards));
    int kk = Math.min(k + 8 + k / 8, includeSelf ? n : n - 1);
    Candidates c = selfJoin(p.kernel, p.x, n, m.cols(), metric, p.norms, includeSelf, kk, range, progress);
    int[] out = new int[Math.multiplyExact(n, k)];
    double[] dist = new double[out.length];
    recheck(c, p.x, n, m.cols(), metric, p.norms, p.maxNorm, k, includeSelf, null, range, blockOf(p.kernel), out, dist);
    return new ShardLists(n, k, out, dist);
  }

  /** Every row's k nearest from all shards' parts (any order, each shard once): equal to {@link #search}. */
  public static int[] mergeShards(java.util.List<ShardLists> parts) {
    int n = parts.get(0).n(), k = parts.get(0).k();
    for (ShardLists s : parts) {
      if (s.n() != n || s.k() != k) throw new IllegalArgumentException("shards of different passes: n " + s.n() + ", k " + s.k() + " vs " + n + ", " + k);
    }
    int[] out = new int[Math.multiplyExact(n, k)];
    int[] ptr = new int[parts.size()];
    for (int q = 0; q < n; q++) {
      Arrays.fill(ptr, 0);
      int base = q * k;
      for (int r = 0; r < k; r++) {
        int best = -1;
        for (int t = 0; t < ptr.length; t++) {
          if (ptr[t] >= k) continue;
          int j = parts.get(t).neighbours()[base + ptr[t]];
          if (j < 0) continue;
          if (best < 0) {
            best = t;
            continue;
          }
          double e = parts.get(t).distances()[base + ptr[t]], be = parts.get(best).distances()[base + ptr[best]];
          if (e < be || (e == be && j < parts.get(best).neighbours()[base + ptr[best]])) best = t;
        }
        if (best < 0) throw new IllegalArgumentException("row " + q + ": the shards hold " + r + " neighbours, expected " + k + " (a shard missing?)");
        out[base + r] = parts.get(best).neighbours()[base + ptr[best]];
        ptr[best]++;
      }
    }
    return out;
  }

  /**
   * The tile pairs (I ≤ J) numbered row by row, from {@code from} to {@code to}: a shard of the self-join. Row r
   * (block I) is paired with block J when the pair (min, max) is in the range.
   */
  private record TileRange(int nb, int from, int to) {
    static TileRange all(int nb) {
      return new TileRange(nb, 0, (int) ((long) nb * (nb + 1) / 2));
    }

    /** Number of pair (I, J), I ≤ J. */
    int index(int i, int j) {
      int a = Math.min(i, j), b = Math.max(i, j);
      return a * nb - a * (a - 1) / 2 + (b - a);
    }

    boolean has(int i, int j) {
      int t = index(i, j);
      return t >= from && t < to;
    }

    boolean whole() {
      return from == 0 && to == (int) ((long) nb * (nb + 1) / 2);
    }
  }

  /** What every pass needs first: the checks, the rows' norms, the kernel. */
  private record Prepared(float[] x, double[] norms, double maxNorm, DotKernel kernel) {}

  private static Prepared prepare(FloatMatrix m, Metric metric, int k, DotKernel kernel) {
    final int n = m.rows();
    final int d = m.cols();
    if (n < 2) throw new IllegalArgumentException("need at least 2 points, got " + n);
    if (d < 1) throw new IllegalArgumentException("vectors have no dimensions");
    if (k < 1 || k > n - 1) throw new IllegalArgumentException("k must be between 1 and n - 1 = " + (n - 1) + ", got " + k);
    final double[] norms = m.rowNorms();
    double maxNorm = 0;
    for (double v : norms) maxNorm = Math.max(maxNorm, v);
    if (metric == Metric.COSINE) {
      for (int r = 0; r < n; r++) {
        if (norms[r] == 0) {
          throw new IllegalArgumentException("row " + r + " is a zero vector; cosine distance is undefined for it");
        }
      }
    }
    return new Prepared(m.data(), norms, maxNorm, kernel);
  }

  static Result run(FloatMatrix m, Metric metric, int k, boolean includeSelf, int[] queryRows,
      ProgressListener progress) {
    final int n = m.rows();
    final int d = m.cols();
    final Prepared p = prepare(m, metric, k, DotKernel.forWork(multiplyAdds(n, d, queryRows == null ? n : queryRows.length)));
    final int available = includeSelf ? n : n - 1;
    final int kk = Math.min(k + 8 + k / 8, available);
    final TileRange all = TileRange.all((n + blockOf(p.kernel) - 1) / blockOf(p.kernel));
    final Candidates c = queryRows == null
        ? selfJoin(p.kernel, p.x, n, d, metric, p.norms, includeSelf, kk, all, progress)
        : queries(p.kernel, p.x, n, d, metric, p.norms, includeSelf, queryRows, kk, progress);
    final int nq = queryRows == null ? n : queryRows.length;
    final int[] out = new int[Math.multiplyExact(nq, k)];
    int rechecked = recheck(c, p.x, n, d, metric, p.norms, p.maxNorm, k, includeSelf, queryRows, null, blockOf(p.kernel), out, null);
    return new Result(out, rechecked);
  }

  /** A pass's multiply-adds: the self-join's symmetric half when every row is a query, else every query against every row. */
  static double multiplyAdds(int n, int d, int queries) {
    return queries == n ? 0.5 * n * n * d : (double) queries * n * d;
  }

  /** Each worker's candidate runs: for query q, (score, row) at [q·kk, (q+1)·kk) sorted; null for an idle worker. */
  private record Candidates(float[][] scores, int[][] rows, int queries, int kk) {}

  /** The normalised copy for cosine (the float pass ranks by q·x on unit rows), else the data itself. */
  private static float[] scaledRows(float[] x, int n, int d, Metric metric, double[] norms) {
    if (metric != Metric.COSINE) return x;
    float[] xs = new float[x.length];
    for (int r = 0; r < n; r++) {
      double inv = 1.0 / norms[r];
      for (int p = 0, o = r * d; p < d; p++) xs[o + p] = (float) (x[o + p] * inv);
    }
    return xs;
  }

  /** |x_r|² in float, one fma per coordinate in order: the euclidean float score's bias. */
  private static float squaredNorm(float[] xs, int o, int d) {
    float s = 0f;
    for (int p = 0; p < d; p++) s = Math.fma(xs[o + p], xs[o + p], s);
    return s;
  }

  /** Rows r of xs (row-major, d columns) packed into panels of w: row r, coordinate p at (r/w)·w·d + p·w + r%w. */
  private static float[] pack(float[] xs, int d, int w, int[] rows, int count) {
    int panels = (count + w - 1) / w;
    float[] packed = new float[Math.multiplyExact(panels, w * d)];
    for (int j = 0; j < count; j++) {
      int base = (j / w) * w * d + (j % w);
      int src = (rows == null ? j : rows[j]) * d;
      for (int p = 0; p < d; p++) packed[base + p * w] = xs[src + p];
    }
    return packed;
  }

  /**
   * Every row against every row, tile pairs (I ≤ J) only: tile (I, J) feeds I's rows by rows and J's rows by
   * columns. Memory: the normalised copy (cosine), the packed copy, n·kk per worker and one tile per worker.
   */
  private static Candidates selfJoin(DotKernel kernel, float[] x, int n, int d, Metric metric, double[] norms,
      boolean includeSelf, int kk, TileRange range, ProgressListener progress) {
    final float[] xs = scaledRows(x, n, d, metric, norms);
    final float[] bias;
    if (metric == Metric.EUCLIDEAN) {
      bias = new float[n];
      for (int r = 0; r < n; r++) bias[r] = squaredNorm(xs, r * d, d);
    } else {
      bias = null;
    }
    final int w = kernel.width();
    final int block = blockOf(kernel);
    final int panelStep = w * d;
    final float[] packed = pack(xs, d, w, null, n);
    final int nb = (n + block - 1) / block;
    final int tasks = range.to() - range.from();
    final int[] taskQ = new int[tasks];
    final int[] taskD = new int[tasks];
    for (int t = 0, all = 0, qb = 0; qb < nb; qb++) {
      for (int db = qb; db < nb; db++, all++) {
        if (all < range.from() || all >= range.to()) continue;
        taskQ[t] = qb;
        taskD[t] = db;
        t++;
      }
    }
    final int workers = Math.min(Parallel.threads(), tasks);
    final Worker[] ws = new Worker[workers];
    final AtomicLong done = new AtomicLong();
    Parallel.run(workers, tasks, (wk, t) -> {
      if (ws[wk] == null) ws[wk] = new Worker(n, kk, block);
      final Worker st = ws[wk];
      final float[] h = st.scores;
      final int[] hix = st.rows;
      final float[] tile = st.tile;
      final int q0 = taskQ[t] * block;
      final int qc = Math.min(block, n - q0);
      final int j0 = taskD[t] * block;
      final int jc = Math.min(block, n - j0);
      kernel.panels(xs, q0 * d, d, 1, qc, packed, (j0 / w) * panelStep, w, panelStep, (jc + w - 1) / w, d,
          tile, 0, block);
      if (!kernel.scanSelfTile(tile, block, qc, q0, jc, j0, bias, includeSelf, h, hix, kk, st.colThr, st.colIdx)) {
        scanSelfTile(kernel, tile, block, qc, q0, jc, j0, bias, includeSelf, h, hix, kk, st.colThr, st.colIdx);
      }
      progress.progress(done.incrementAndGet(), tasks);
    });
    return candidates(ws, n, kk);
  }

  /**
   * Offers self-join tile (q0.., j0..) to the candidate runs: each tile row to its own row's run, then, when the tile is
   * off the diagonal, each tile row to the runs of the data block's rows. The native kernel's vk_scan_self_tile is
   * this loop in C ({@link DotKernel#scanSelfTile}) and must stay equal to it.
   */
  static void scanSelfTile(DotKernel kernel, float[] tile, int block, int qc, int q0, int jc, int j0,
      float[] bias, boolean includeSelf, float[] h, int[] hix, int kk, float[] ct, int[] ci) {
    for (int a = 0; a < qc; a++) {
      final int q = q0 + a;
      scanRow(kernel, tile, a * block, jc, j0, bias, includeSelf ? -1 : q, h, hix, q * kk, kk);
    }
    if (j0 == q0) return;
    // The same tile, read row by row, feeds the data block's rows (one threshold per column).
    for (int b = 0; b < jc; b++) {
      ct[b] = h[(j0 + b) * kk + kk - 1];
      ci[b] = hix[(j0 + b) * kk + kk - 1];
    }
    for (int a = 0; a < qc; a++) {
      scanColumns(kernel, tile, a * block, jc, j0, q0 + a, bias == null ? 0f : bias[q0 + a], bias != null, 1f, -1,
          null, 0, ct, ci, h, hix, kk);
    }
  }

  /**
   * The given query rows against every row. The queries (few) are packed and stay in cache as the kernel's B
   * side; the data rows stream through as its A side straight from the caller's array, scaled per row after the
   * product for cosine. Memory beyond the data: the packed queries (m·d), m·kk per worker, one tile per worker
   * and O(n) row scales, never a copy of the data.
   */
  private static Candidates queries(DotKernel kernel, float[] x, int n, int d, Metric metric, double[] norms,
      boolean includeSelf, int[] queryRows, int kk, ProgressListener progress) {
    final int nq = queryRows.length;
    final int w = kernel.width();
    final int block = Math.max(w, BLOCK / w * w);
    final int panelStep = w * d;
    final float[] qs = new float[Math.multiplyExact(nq, d)];
    for (int i = 0; i < nq; i++) {
      int r = queryRows[i];
      double inv = metric == Metric.COSINE ? 1.0 / norms[r] : 1.0;
      for (int p = 0; p < d; p++) qs[i * d + p] = metric == Metric.COSINE ? (float) (x[r * d + p] * inv) : x[r * d + p];
    }
    final float[] packed = pack(qs, d, w, null, nq);
    final boolean euclidean = metric == Metric.EUCLIDEAN;
    final float[] rowTerm = new float[n];
    for (int r = 0; r < n; r++) {
      rowTerm[r] = switch (metric) {
        case COSINE -> (float) (1.0 / norms[r]);
        case EUCLIDEAN -> squaredNorm(x, r * d, d);
        case DOT -> 1f;
      };
    }
    final int nbData = (n + block - 1) / block;
    final int nbQuery = (nq + block - 1) / block;
    final int tasks = nbData * nbQuery;
    final int workers = Math.min(Parallel.threads(), tasks);
    final Worker[] ws = new Worker[workers];
    final AtomicLong done = new AtomicLong();
    Parallel.run(workers, tasks, (wk, t) -> {
      if (ws[wk] == null) ws[wk] = new Worker(nq, kk, block);
      final Worker st = ws[wk];
      final float[] h = st.scores;
      final int[] hix = st.rows;
      final float[] tile = st.tile;
      // Data block outer, query block inner: a data block is read from memory once and reused from cache.
      final int j0 = (t / nbQuery) * block;
      final int jc = Math.min(block, n - j0);
      final int q0 = (t % nbQuery) * block;
      final int qc = Math.min(block, nq - q0);
      kernel.panels(x, j0 * d, d, 1, jc, packed, (q0 / w) * panelStep, w, panelStep, (qc + w - 1) / w, d,
          tile, 0, block);
      final float[] ct = st.colThr;
      final int[] ci = st.colIdx;
      for (int b = 0; b < qc; b++) {
        ct[b] = h[(q0 + b) * kk + kk - 1];
        ci[b] = hix[(q0 + b) * kk + kk - 1];
      }
      for (int a = 0; a < jc; a++) {
        final int j = j0 + a;
        scanColumns(kernel, tile, a * block, qc, q0, j, euclidean ? rowTerm[j] : 0f, euclidean,
            euclidean ? 1f : rowTerm[j], includeSelf ? -1 : j, queryRows, q0, ct, ci, h, hix, kk);
      }
      progress.progress(done.incrementAndGet(), tasks);
    });
    return candidates(ws, nq, kk);
  }

  /** One worker's state: its candidate runs for every query and its tile. */
  private static final class Worker {
    final float[] scores;
    final int[] rows;
    final float[] tile;
    final float[] colThr;
    final int[] colIdx;

    Worker(int queries, int kk, int block) {
      scores = new float[Math.multiplyExact(queries, kk)];
      Arrays.fill(scores, Float.POSITIVE_INFINITY);
      rows = new int[queries * kk];
      Arrays.fill(rows, Integer.MAX_VALUE);
      tile = new float[block * block];
      colThr = new float[block];
      colIdx = new int[block];
    }
  }

  private static Candidates candidates(Worker[] ws, int queries, int kk) {
    float[][] s = new float[ws.length][];
    int[][] r = new int[ws.length][];
    for (int i = 0; i < ws.length; i++) {
      if (ws[i] != null) {
        s[i] = ws[i].scores;
        r[i] = ws[i].rows;
      }
    }
    return new Candidates(s, r, queries, kk);
  }

  /**
   * Merges the workers' candidates, re-scores them exactly, ranks by (double distance, index), proves completeness,
   * into {@code out} (queries·k); with a shard, among the rows its tiles pair each row with (padded with -1), and
   * {@code dist} (when given) gets each answer's exact distance. Returns the rows that needed the exhaustive scan.
   */
  private static int recheck(Candidates c, float[] x, int n, int d, Metric metric, double[] norms, double maxN,
      int k, boolean includeSelf, int[] queryRows, TileRange shard, int block, int[] out, double[] dist) {
    final int nq = c.queries();
    final int kk = c.kk();
    final float[][] hs = c.scores();
    final int[][] hi = c.rows();
    // Rows each row may rank: all others (or all), or, in a shard, those of the blocks its tiles pair it with.
    final int[] pairedByBlock;
    if (shard == null) {
      pairedByBlock = null;
    } else {
      int nb = (n + block - 1) / block;
      pairedByBlock = new int[nb];
      for (int i = 0; i < nb; i++) {
        for (int j = 0; j < nb; j++) if (shard.has(i, j)) pairedByBlock[i] += Math.min(block, n - j * block);
        if (!includeSelf && shard.has(i, i)) pairedByBlock[i]--;
      }
    }
    final int everyOther = includeSelf ? n : n - 1;
    final AtomicLong rechecked = new AtomicLong();
    final double bound = boundScale(d);
    final int chunk = 512;
    final int chunks = (nq + chunk - 1) / chunk;
    final int live = hs.length;
    Parallel.run(Math.min(Parallel.threads(), chunks), chunks, (wk, ch) -> {
      float[] ms = new float[kk];
      int[] mi = new int[kk];
      double[] es = new double[kk];
      boolean[] known = new boolean[kk];
      int[] ptr = new int[live];
      for (int q = ch * chunk, end = Math.min(nq, q + chunk); q < end; q++) {
        int qrow = queryRows == null ? q : queryRows[q];
        int available = pairedByBlock == null ? everyOther : pairedByBlock[qrow / block];
        int kv = Math.min(kk, available);
        int kq = Math.min(k, available);
        Arrays.fill(ptr, 0);
        Arrays.fill(known, false);
        int base = q * kk;
        for (int r = 0; r < kv; r++) {
          int best = -1;
          for (int t = 0; t < live; t++) {
            if (hs[t] == null || ptr[t] >= kk) continue;
            if (best < 0 || less(hs[t][base + ptr[t]], hi[t][base + ptr[t]], hs[best][base + ptr[best]], hi[best][base + ptr[best]])) best = t;
          }
          ms[r] = hs[best][base + ptr[best]];
          mi[r] = hi[best][base + ptr[best]];
          ptr[best]++;
        }
        // The candidates are in float order and every float score is within eps of its exact score, so two
        // candidates more than 2·eps apart are in exact order already. Only runs of candidates closer than that
        // (which may tie or swap in double) are re-scored and sorted by (exact, index); runs past the k-th do
        // not matter. The exact scores of a real space's neighbours are mostly far apart, so this re-reads a few
        // rows per query instead of all kk, which was a fifth of the search (random reads of whole rows).
        double eps = bound * rowScale(metric, norms[qrow], maxN);
        double kth = Double.NaN;
        for (int r = 0; r < kq; ) {
          int e = r + 1;
          while (e < kv && (double) ms[e] - ms[e - 1] <= 2 * eps) e++;
          if (e - r > 1) {
            for (int t = r; t < e; t++) {
              es[t] = exact(metric, x, d, norms, qrow, mi[t]);
              known[t] = true;
            }
            sortByExact(es, mi, r, e);
          }
          if (kq <= e) kth = e - r > 1 ? toFloatScale(metric, es[kq - 1], norms[qrow]) : ms[kq - 1] + eps;
          r = e;
        }
        boolean complete = kv >= available || kth < (double) ms[kk - 1] - eps;
        if (complete) {
          System.arraycopy(mi, 0, out, q * k, kq);
          if (dist != null) {
            for (int r = 0; r < kq; r++) dist[q * k + r] = known[r] ? es[r] : exact(metric, x, d, norms, qrow, mi[r]);
          }
          pad(out, dist, q * k + kq, q * k + k);
        } else {
          exhaustive(metric, x, n, d, norms, qrow, k, includeSelf, shard, block, out, dist, q * k);
          rechecked.incrementAndGet();
        }
      }
    });
    return (int) rechecked.get();
  }

  /** A shard's row with fewer than k paired rows: the rest is row -1 at +∞. */
  private static void pad(int[] out, double[] dist, int from, int to) {
    for (int i = from; i < to; i++) {
      out[i] = -1;
      if (dist != null) dist[i] = Double.POSITIVE_INFINITY;
    }
  }

  private static int blockOf(DotKernel kernel) {
    int w = kernel.width();
    return Math.max(w, BLOCK / w * w);
  }

  /** Sorts es[from, to) and mi alongside by (exact score, row index); runs are short. */
  private static void sortByExact(double[] es, int[] mi, int from, int to) {
    for (int r = from + 1; r < to; r++) {
      double e = es[r];
      int idx = mi[r];
      int p = r - 1;
      while (p >= from && (es[p] > e || (es[p] == e && mi[p] > idx))) {
        es[p + 1] = es[p];
        mi[p + 1] = mi[p];
        p--;
      }
      es[p + 1] = e;
      mi[p + 1] = idx;
    }
  }

  /** Offers tile row {@code to} (candidates j0..j0+jc) to one query's candidate run; {@code self} is skipped (-1: none). */
  private static void scanRow(DotKernel kernel, float[] tile, int to, int jc, int j0, float[] bias, int self, float[] h,
      int[] hix, int base, int kk) {
    float thr = h[base + kk - 1];
    int thrIdx = hix[base + kk - 1];
    for (int b = kernel.nextRow(tile, to, 0, jc, bias, j0, thr); b < jc; b = kernel.nextRow(tile, to, b + 1, jc, bias, j0, thr)) {
      final int j = j0 + b;
      final float s = bias == null ? -tile[to + b] : bias[j] - 2f * tile[to + b];
      if ((s < thr || j < thrIdx) && j != self) {
        insert(h, hix, base, kk, s, j);
        thr = h[base + kk - 1];
        thrIdx = hix[base + kk - 1];
      }
    }
  }

  /**
   * Offers candidate row i (tile row {@code to}) to each of the column block's lists c0..c0+cc: the score of
   * product t is {@code bi - 2t} when euclidean, else {@code -(t·scale)}. Column b is query row
   * {@code queryRows[qOff + b]} (or c0 + b when queryRows is null); when that equals {@code self} it is skipped.
   */
  private static void scanColumns(DotKernel kernel, float[] tile, int to, int cc, int c0, int i, float bi,
      boolean euclidean, float scale, int self, int[] queryRows, int qOff, float[] ct, int[] ci, float[] h, int[] hix,
      int kk) {
    for (int b = kernel.nextColumn(tile, to, 0, cc, euclidean, bi, scale, ct); b < cc;
        b = kernel.nextColumn(tile, to, b + 1, cc, euclidean, bi, scale, ct)) {
      final float s = euclidean ? bi - 2f * tile[to + b] : -(tile[to + b] * scale);
      if ((s < ct[b] || i < ci[b]) && (self < 0 || (queryRows == null ? c0 + b : queryRows[qOff + b]) != self)) {
        final int base = (c0 + b) * kk;
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

  /**
   * The exact distance in double between rows q and j of the row-major {@code x} (d columns): cosine
   * 1 − q·x/(|q||x|), euclidean the squared distance Σ(q−x)², dot −q·x. {@code norms} are the rows' lengths
   * ({@link FloatMatrix#rowNorms()}; read for cosine only).
   */
  public static double exact(Metric metric, float[] x, int d, double[] norms, int q, int j) {
    int qo = q * d;
    int jo = j * d;
    // Four independent sums: a single running sum waits on each add's latency (4 cycles), four keep the
    // adders busy. The order is fixed, so the value is deterministic; its error stays ~d·2⁻⁵³.
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    if (metric == Metric.EUCLIDEAN) {
      for (; p + 4 <= d; p += 4) {
        double t0 = (double) x[qo + p] - x[jo + p];
        double t1 = (double) x[qo + p + 1] - x[jo + p + 1];
        double t2 = (double) x[qo + p + 2] - x[jo + p + 2];
        double t3 = (double) x[qo + p + 3] - x[jo + p + 3];
        s0 += t0 * t0;
        s1 += t1 * t1;
        s2 += t2 * t2;
        s3 += t3 * t3;
      }
      for (; p < d; p++) {
        double t = (double) x[qo + p] - x[jo + p];
        s0 += t * t;
      }
      return (s0 + s1) + (s2 + s3);
    }
    for (; p + 4 <= d; p += 4) {
      s0 += (double) x[qo + p] * x[jo + p];
      s1 += (double) x[qo + p + 1] * x[jo + p + 1];
      s2 += (double) x[qo + p + 2] * x[jo + p + 2];
      s3 += (double) x[qo + p + 3] * x[jo + p + 3];
    }
    for (; p < d; p++) s0 += (double) x[qo + p] * x[jo + p];
    double s = (s0 + s1) + (s2 + s3);
    return metric == Metric.COSINE ? 1.0 - s / (norms[q] * norms[j]) : -s;
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

  /** The k nearest of row q by an exhaustive double-precision scan (in a shard, of the rows its tiles pair q with). */
  private static void exhaustive(Metric metric, float[] x, int n, int d, double[] norms, int q, int k,
      boolean includeSelf, TileRange shard, int block, int[] out, double[] dist, int off) {
    double[] best = new double[k];
    Arrays.fill(best, Double.POSITIVE_INFINITY);
    int[] idx = new int[k];
    Arrays.fill(idx, -1);
    int found = 0;
    for (int j0 = 0; j0 < n; j0 += block) {
      if (shard != null && !shard.has(q / block, j0 / block)) continue;
      for (int j = j0, end = Math.min(n, j0 + block); j < end; j++) {
        if (j == q && !includeSelf) continue;
        double e = exact(metric, x, d, norms, q, j);
        if (found < k || e < best[k - 1]) { // j increases, so an equal score never displaces a lower index
          int p = Math.min(found, k - 1);
          while (p > 0 && best[p - 1] > e) {
            best[p] = best[p - 1];
            idx[p] = idx[p - 1];
            p--;
          }
          best[p] = e;
          idx[p] = j;
          found = Math.min(k, found + 1);
        }
      }
    }
    System.arraycopy(idx, 0, out, off, k);
    if (dist != null) System.arraycopy(best, 0, dist, off, k);
  }
}
