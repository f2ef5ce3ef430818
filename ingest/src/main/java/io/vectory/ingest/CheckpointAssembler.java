package io.vectory.ingest;

import io.vectory.schemas.CheckpointNames;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Reassembles checkpoints from space events read in partition order (as a read_committed consumer
 * sees them). A checkpoint is returned when its CheckpointCompleted arrives and checks out: every
 * sequence 0..chunks-1 present, the row count, and the CRC-32C of the vector bytes. A chunk sequence
 * seen twice is counted in {@link #duplicateChunks()} (a correct publisher never causes one).
 */
public final class CheckpointAssembler {

  private final Map<String, Pending> pending = new HashMap<>();
  private long duplicateChunks;

  /** Feeds one event; returns the checkpoint it completes, if any. Throws if a completion does not check out. */
  public Optional<AssembledCheckpoint> accept(SpaceEvent event) {
    Object e = event.getEvent();
    if (e instanceof SpaceRegistered r) {
      // A re-publish of the same checkpoint starts over.
      pending.put(CheckpointNames.of(r.getCheckpoint()), new Pending(r));
    } else if (e instanceof EmbeddingChunk c) {
      Pending p = pending.computeIfAbsent(CheckpointNames.of(c.getCheckpoint()), k -> new Pending(null));
      if (p.chunks.putIfAbsent(c.getSequence(), c) != null) duplicateChunks++;
    } else if (e instanceof CheckpointCompleted done) {
      String name = CheckpointNames.of(done.getCheckpoint());
      Pending p = pending.remove(name);
      if (p == null || p.registered == null) throw new IllegalStateException(name + ": CheckpointCompleted without a SpaceRegistered before it");
      return Optional.of(p.assemble(name, done));
    }
    return Optional.empty();
  }

  public long duplicateChunks() {
    return duplicateChunks;
  }

  private static final class Pending {
    final SpaceRegistered registered;
    final TreeMap<Integer, EmbeddingChunk> chunks = new TreeMap<>();

    Pending(SpaceRegistered registered) {
      this.registered = registered;
    }

    AssembledCheckpoint assemble(String name, CheckpointCompleted done) {
      for (int s = 0; s < done.getChunks(); s++) {
        if (!chunks.containsKey(s)) throw new IllegalStateException(name + ": chunk " + s + " of " + done.getChunks() + " is missing");
      }
      if (chunks.size() != done.getChunks()) {
        throw new IllegalStateException(name + ": " + chunks.size() + " chunks received, completion says " + done.getChunks());
      }
      int dim = registered.getDimension();
      long rows = done.getRows();
      if (rows != registered.getRows()) throw new IllegalStateException(name + ": completion says " + rows + " rows, registration " + registered.getRows());
      float[] vectors = new float[Math.toIntExact(rows * dim)];
      List<String> ids = new ArrayList<>((int) rows);
      List<List<String>> meta = new ArrayList<>();
      CRC32C crc = new CRC32C();
      int row = 0;
      for (EmbeddingChunk c : chunks.values()) {
        if (c.getDimension() != dim) throw new IllegalStateException(name + ": chunk " + c.getSequence() + " has dimension " + c.getDimension() + ", registration " + dim);
        if (c.getFirstRow() != row) throw new IllegalStateException(name + ": chunk " + c.getSequence() + " starts at row " + c.getFirstRow() + ", expected " + row);
        ByteBuffer v = c.getVectors().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = c.getIds().size();
        if (v.remaining() != n * dim * 4) throw new IllegalStateException(name + ": chunk " + c.getSequence() + " has " + v.remaining() + " vector bytes for " + n + " ids of dimension " + dim);
        if (row + n > rows) throw new IllegalStateException(name + ": chunks hold more than the " + rows + " rows announced");
        crc.update(v.duplicate());
        v.asFloatBuffer().get(vectors, row * dim, n * dim);
        ids.addAll(c.getIds());
        meta.addAll(c.getMetadata());
        row += n;
      }
      if (row != rows) throw new IllegalStateException(name + ": chunks hold " + row + " rows, completion says " + rows);
      if (crc.getValue() != done.getChecksum()) {
        throw new IllegalStateException(name + ": CRC-32C of the vector bytes is " + Long.toHexString(crc.getValue()) + ", completion says " + Long.toHexString(done.getChecksum()));
      }
      return new AssembledCheckpoint(name, registered, ids, dim, vectors, meta, chunks.size(), done.getChecksum());
    }
  }
}
