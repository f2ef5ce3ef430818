package io.vectory.sink;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.ReferencePinned;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import java.util.List;

/**
 * Applies the pipeline's output events to a {@link SpaceSink}: the Connect task does it for OpenSearch,
 * and the embedded default does the same for the embedded store, so both paths write the same documents.
 */
public final class SpaceWriter {

  private final SpaceSink store;

  public SpaceWriter(SpaceSink store) {
    this.store = store;
  }

  /** One event of vectory.indexed-spaces (register, chunk, completion; pins need no index and are ignored). */
  public void apply(SpaceEvent event) {
    Object e = event.getEvent();
    switch (e) {
      case SpaceRegistered r -> store.beginCheckpoint(r);
      case EmbeddingChunk c -> store.addChunk(c);
      case CheckpointCompleted c -> store.completeCheckpoint(c);
      case ReferencePinned p -> { }
      case null, default -> throw new IllegalArgumentException("SpaceEvent: field event holds a " + (e == null ? "null" : e.getClass().getSimpleName())
          + ", expected SpaceRegistered, EmbeddingChunk, CheckpointCompleted or ReferencePinned");
    }
  }

  public void comparisons(List<ComparisonResult> results) {
    if (!results.isEmpty()) store.putComparisons(results);
  }

  public void alerts(List<DriftAlert> alerts) {
    if (!alerts.isEmpty()) store.putAlerts(alerts);
  }

  public void deadLetters(List<DeadLetter> deadLetters) {
    if (!deadLetters.isEmpty()) store.putDeadLetters(deadLetters);
  }
}
