package io.vectory.ingest;

import io.vectory.schemas.CheckpointNames;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.schemas.CheckpointProtocol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reassembles checkpoints from space events read in partition order (as a read_committed consumer
 * sees them). A checkpoint is returned when its CheckpointCompleted arrives and passes the
 * {@link CheckpointProtocol.Validation} the Streams app runs (every sequence 0..chunks-1, rows, CRC-32C, ids,
 * finite vectors). A chunk sequence
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
      CheckpointProtocol.Validation v = new CheckpointProtocol.Validation(registered, List.of());
      chunks.values().forEach(v::accept);
      List<String> problems = v.finish(done);
      if (!problems.isEmpty()) throw new IllegalStateException(name + ": " + String.join("; ", problems));
      CheckpointProtocol.Assembled a = CheckpointProtocol.assemble(registered, chunks.values());
      return new AssembledCheckpoint(name, registered, a.ids(), a.dimension(), a.vectors(), a.metadata(), chunks.size(), done.getChecksum());
    }
  }
}
