package io.vectory.streams;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.SpaceComparator;
import java.util.Arrays;

/**
 * How a checkpoint's k-NN pass splits into shards: ranges of its query rows (every row, or the seeded sample), taken in
 * order, so concatenating the shards' lists in shard order gives the lists of the whole pass, exactly and
 * deterministically. One shard runs the symmetric self-join (each pair's product computed once, about 1.8× cheaper
 * than the same rows as queries); more shards let several workers share one checkpoint.
 */
final class WorkShards {
  private WorkShards() {}

  /** Shards of a pass over {@code queries} query rows, at most {@code shardRows} each (0: one shard). */
  static int count(int queries, int shardRows) {
    if (shardRows <= 0 || queries <= shardRows) return 1;
    return (queries + shardRows - 1) / shardRows;
  }

  /** First query (index into the query rows) of shard {@code shard} of {@code shards}: equal ranges, the remainder spread. */
  static int from(int queries, int shards, int shard) {
    return (int) ((long) queries * shard / shards);
  }

  /** The query rows of a checkpoint of {@code rows} rows under these options: null for every row. */
  static int[] queryRows(int rows, int k, Metric metric, boolean includeSelf, int sample, long seed) {
    return SpaceComparator.queryRows(rows, new CompareOptions(k, metric, metric, includeSelf, sample, seed));
  }

  /**
   * The rows a shard asks for: null when it is the only shard of an exact pass (the symmetric self-join), else its
   * range of the query rows.
   */
  static int[] shardRows(int rows, int[] queryRows, int shards, int from, int to) {
    if (shards == 1) return queryRows;
    if (queryRows != null) return Arrays.copyOfRange(queryRows, from, to);
    int[] r = new int[to - from];
    for (int i = 0; i < r.length; i++) r[i] = from + i;
    return r;
  }
}
