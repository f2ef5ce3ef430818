package io.vectory.sink;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import java.util.List;

/**
 * The write side of a store: where the pipeline's output events land. The Connect task writes to
 * OpenSearch ({@link OpenSearchSpaceSink}); the embedded default writes to the Lucene store (module
 * {@code store}), which implements this too, so both paths apply the same events through {@link SpaceWriter}.
 * Every write is idempotent by natural key (point id within an index, comparison and alert ids from
 * {@link Docs}), so a replay overwrites instead of doubling.
 *
 * <p>Failures: {@link StoreUnavailableException} when the store cannot be reached (retry later);
 * {@link IllegalArgumentException} for input the store will never accept (report, do not retry).
 */
public interface SpaceSink extends AutoCloseable {

  /** Where this store keeps its data (a URL or a folder), for messages. */
  String location();

  /** Creates (or reopens, on replay) the checkpoint's index. */
  IndexInfo beginCheckpoint(SpaceRegistered registered);

  /** Indexes one chunk's points; a point already there (replay) is overwritten. */
  void addChunk(EmbeddingChunk chunk);

  /** Makes the checkpoint visible and marks it complete; returns its entry with the rows actually stored. */
  IndexInfo completeCheckpoint(CheckpointCompleted completed);

  void putComparisons(List<ComparisonResult> results);

  void putAlerts(List<DriftAlert> alerts);

  /** Records the pipeline rejected (its dead letters), so users see each rejection and its reason in the store. */
  void putDeadLetters(List<DeadLetter> deadLetters);

  @Override
  void close();
}
