package io.vectory.streams;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Metric;
import io.vectory.avro.ReferencePinned;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.schemas.CheckpointProtocol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns vectors into the events a publisher sends for one checkpoint (register, chunks, completion), by {@link CheckpointProtocol}. */
final class CheckpointEvents {
  private CheckpointEvents() {}

  static CheckpointKey key(String experiment, String space, long step) {
    return StoreKeys.checkpointKey(experiment, space, step);
  }

  /** Mutable, so tests can corrupt it; labels may be null (no metadata columns). */
  static List<SpaceEvent> of(CheckpointKey k, List<String> ids, float[][] vectors, List<String> labels, int chunkRows) {
    int dim = vectors[0].length;
    SpaceRegistered registered = SpaceRegistered.newBuilder()
        .setCheckpoint(k).setDataset("fortunes").setModel("hashed-bow").setEpoch((int) k.getStep())
        .setDimension(dim).setRows(ids.size()).setMetric(Metric.COSINE).setParams(Map.of("test", "true"))
        .setIdField("id").setMetadataColumns(labels == null ? List.of() : List.of("label"))
        .setRegisteredAt(Instant.ofEpochMilli(1_000)).build();
    List<List<String>> meta = new ArrayList<>();
    if (labels != null) for (String l : labels) meta.add(List.of(l));
    return CheckpointProtocol.events(registered, ids, vectors, meta, chunkRows, Instant.ofEpochMilli(2_000));
  }

  static SpaceEvent pin(CheckpointKey ref, boolean pinned) {
    return wrap(ReferencePinned.newBuilder().setReference(ref).setPinned(pinned).setPinnedAt(Instant.ofEpochMilli(3_000)).build());
  }

  static SpaceEvent wrap(Object event) {
    return SpaceEvent.newBuilder().setEvent(event).build();
  }

  static EmbeddingChunk chunk(SpaceEvent e) {
    return (EmbeddingChunk) e.getEvent();
  }

  static CheckpointCompleted completed(List<SpaceEvent> events) {
    return (CheckpointCompleted) events.get(events.size() - 1).getEvent();
  }
}
