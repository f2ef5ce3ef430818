package io.vectory.streams;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.vectors.FloatMatrix;

/**
 * The similarity engine as the pipeline calls it: the compare workers' k-NN shards and direct compares, and the Streams
 * app's merge of two kept k-NN lists. {@link #EXACT} is the one the pipeline runs ({@link SpaceComparator},
 * {@link KnnLists}); the seam exists so a test can hand the pipeline an engine that fails the way a real one can (an
 * {@code OutOfMemoryError}, a {@code StackOverflowError}) without any switch in the production configuration.
 */
public interface ComparisonEngine {

  /** {@link KnnLists#compute} without progress. */
  KnnLists knn(FloatMatrix vectors, Metric metric, int k, boolean includeSelf, int[] queryRows);

  /** Shard {@code shard} of {@code shards} of an exact self-join ({@link ExactKnn#searchShard}). */
  default ExactKnn.ShardLists knnShard(FloatMatrix vectors, Metric metric, int k, boolean includeSelf, int shard, int shards) {
    return ExactKnn.searchShard(vectors, metric, k, includeSelf, shard, shards, ProgressListener.NONE);
  }

  /** Two spaces' kept lists and their linear CKA computed elsewhere ({@link SpaceComparator#compare(KnnLists, KnnLists, CompareOptions, double)}). */
  ComparisonOutcome merge(KnnLists listsA, KnnLists listsB, CompareOptions options, double cka);

  /** Two aligned matrices, directly ({@link SpaceComparator#compare(FloatMatrix, FloatMatrix, CompareOptions, ProgressListener)}). */
  ComparisonOutcome compare(FloatMatrix a, FloatMatrix b, CompareOptions options);

  /** The engine of {@code core}, exact unless the options sample. */
  ComparisonEngine EXACT = new ComparisonEngine() {
    @Override
    public KnnLists knn(FloatMatrix vectors, Metric metric, int k, boolean includeSelf, int[] queryRows) {
      return KnnLists.compute(vectors, metric, k, includeSelf, queryRows, ProgressListener.NONE);
    }

    @Override
    public ComparisonOutcome merge(KnnLists listsA, KnnLists listsB, CompareOptions options, double cka) {
      return SpaceComparator.compare(listsA, listsB, options, cka);
    }

    @Override
    public ComparisonOutcome compare(FloatMatrix a, FloatMatrix b, CompareOptions options) {
      return SpaceComparator.compare(a, b, options, ProgressListener.NONE);
    }
  };
}
