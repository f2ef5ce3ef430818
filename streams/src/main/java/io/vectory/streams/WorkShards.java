package io.vectory.streams;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.compare.ExactKnn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * How a checkpoint's k-NN pass splits into shards. Every row a query (exact): the symmetric self-join's tile pairs
 * split in equal ranges ({@link ExactKnn#searchShard}), each pair's product computed once over all shards as in one
 * pass, the shards' lists merged by exact distance ({@link ExactKnn#mergeShards}). Sampled queries: ranges of the
 * query rows, taken in order, so concatenating the shards' lists in shard order gives the whole pass's. Either way the
 * result is the one pass's, exactly and deterministically; more shards let several workers share one checkpoint.
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

  /**
   * Whether a pass's shards split the self-join's tiles (every row a query, several shards) rather than query ranges:
   * also only while a shard's answer (every row's k neighbours and exact distances, 12 bytes each) fits in a message.
   */
  static boolean tiled(int[] queryRows, int shards, int rows, int k) {
    return queryRows == null && shards > 1 && (long) rows * k * 12 + (1 << 20) <= ComparisonTopology.MAX_MESSAGE_BYTES;
  }

  /** A tiled shard's exact distances as little-endian float64. */
  static ByteBuffer packDistances(double[] d) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(d.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(d);
    return b;
  }

  static double[] unpackDistances(ByteBuffer b) {
    double[] d = new double[b.remaining() / 8];
    b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
    return d;
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
