package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The exact k nearest neighbours of a space's query rows, as {@link ExactKnn} ranks them: nearest first, ties
 * by lower row index. This is what a comparison needs of each space, so a space's lists can be computed once
 * and kept (by the store, by the pipeline) and every later comparison against it costs only the Jaccard merge.
 *
 * <p>Because the ranking is a total order, the first k' entries of a k-list are the k'-list: lists kept at
 * k = 10 serve any k ≤ 10 ({@link #truncate}).
 *
 * @param n rows of the space
 * @param k neighbours per query
 * @param metric the metric the neighbours were ranked by
 * @param includeSelf whether a point could be its own neighbour
 * @param queryRows the query rows in ascending order, or null when every row is a query (exact)
 * @param neighbours queries·k row indexes, row-major
 */
public record KnnLists(int n, int k, Metric metric, boolean includeSelf, int[] queryRows, int[] neighbours) {

  public KnnLists {
    if (metric == null) throw new IllegalArgumentException("metric must be given");
    int queries = queryRows == null ? n : queryRows.length;
    if (k < 1 || (long) queries * k != neighbours.length) {
      throw new IllegalArgumentException("k-NN lists: expected " + queries + " queries × k " + k + " = " + (long) queries * k
          + " entries, got " + neighbours.length);
    }
  }

  /** Exact k-NN lists of every row of {@code m} ({@code queryRows} null) or of the given sorted query rows. */
  public static KnnLists compute(FloatMatrix m, Metric metric, int k, boolean includeSelf, int[] queryRows, ProgressListener progress) {
    return new KnnLists(m.rows(), k, metric, includeSelf, queryRows, ExactKnn.search(m, metric, k, includeSelf, queryRows, progress));
  }

  /** Whether every row is a query. */
  public boolean exact() {
    return queryRows == null;
  }

  public int queries() {
    return queryRows == null ? n : queryRows.length;
  }

  /** The row of query q. */
  public int queryRow(int q) {
    return queryRows == null ? q : queryRows[q];
  }

  /** Whether these lists answer a comparison with this k, metric, self rule and query set. */
  public boolean serves(int wantK, Metric wantMetric, boolean wantSelf, int[] wantQueries) {
    return wantK <= k && wantMetric == metric && wantSelf == includeSelf && Arrays.equals(wantQueries, queryRows);
  }

  /** The first {@code newK} neighbours of each query: the exact newK-lists. */
  public KnnLists truncate(int newK) {
    if (newK == k) return this;
    if (newK < 1 || newK > k) throw new IllegalArgumentException("k-NN lists hold k = " + k + "; cannot give k = " + newK);
    int q = queries();
    int[] out = new int[q * newK];
    for (int i = 0; i < q; i++) System.arraycopy(neighbours, i * k, out, i * newK, newK);
    return new KnnLists(n, newK, metric, includeSelf, queryRows, out);
  }

  /** Row indexes as little-endian int32, the form the stores keep lists in (the pipeline's state, OpenSearch). */
  public static ByteBuffer pack(int[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(v);
    return b;
  }

  /** The inverse of {@link #pack}. */
  public static int[] unpack(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (d.remaining() % 4 != 0) throw new IllegalArgumentException("k-NN lists: " + d.remaining() + " bytes is not a whole number of int32");
    int[] v = new int[d.remaining() / 4];
    d.asIntBuffer().get(v);
    return v;
  }
}
