package io.vectory.streams;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Metric;
import io.vectory.avro.ReferencePinned;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/** Turns vectors into the events a publisher sends for one checkpoint: register, chunks, completion. */
final class CheckpointEvents {
  private CheckpointEvents() {}

  static CheckpointKey key(String experiment, String space, long step) {
    return StoreKeys.checkpointKey(experiment, space, step);
  }

  /** Mutable, so tests can corrupt it; labels may be null (no metadata columns). */
  static List<SpaceEvent> of(CheckpointKey k, List<String> ids, float[][] vectors, List<String> labels, int chunkRows) {
    int dim = vectors[0].length;
    List<SpaceEvent> out = new ArrayList<>();
    out.add(wrap(SpaceRegistered.newBuilder()
        .setCheckpoint(k).setDataset("fortunes").setModel("hashed-bow").setEpoch((int) k.getStep())
        .setDimension(dim).setRows(ids.size()).setMetric(Metric.COSINE).setParams(Map.of("test", "true"))
        .setIdField("id").setMetadataColumns(labels == null ? List.of() : List.of("label"))
        .setRegisteredAt(Instant.ofEpochMilli(1_000)).build()));
    CRC32C crc = new CRC32C();
    int seq = 0;
    for (int from = 0; from < ids.size(); from += chunkRows, seq++) {
      int to = Math.min(ids.size(), from + chunkRows);
      ByteBuffer b = ByteBuffer.allocate((to - from) * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      List<List<String>> meta = new ArrayList<>();
      for (int i = from; i < to; i++) {
        for (float f : vectors[i]) b.putFloat(f);
        if (labels != null) meta.add(List.of(labels.get(i)));
      }
      b.flip();
      crc.update(b.duplicate());
      out.add(wrap(EmbeddingChunk.newBuilder()
          .setCheckpoint(k).setSequence(seq).setFirstRow(from).setDimension(dim)
          .setIds(new ArrayList<>(ids.subList(from, to))).setVectors(b).setMetadata(meta).build()));
    }
    out.add(wrap(CheckpointCompleted.newBuilder()
        .setCheckpoint(k).setRows(ids.size()).setChunks(seq).setChecksum(crc.getValue())
        .setCompletedAt(Instant.ofEpochMilli(2_000)).build()));
    return out;
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
