package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.SpaceRegistered;
import io.vectory.avro.StoredCheckpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * What the store knows about one checkpoint besides its chunks (which live in their own store). Stored as
 * {@link StoredCheckpoint}.
 *
 * @param retained false while it is being assembled; true once accepted and kept as a reference
 * @param registered its SpaceRegistered event, null until that arrives
 * @param chunksReceived chunks stored so far (duplicates are not stored)
 * @param lastActivity clock of the timeout (wall or stream time) at the checkpoint's last event
 * @param sourcePartition partition of its first event, for dead letters
 * @param sourceOffset offset of its first event, for dead letters
 * @param problems what was already found wrong while it arrived (duplicate chunks, bad sequences)
 */
record CheckpointState(
    CheckpointKey key,
    boolean retained,
    SpaceRegistered registered,
    int chunksReceived,
    long lastActivity,
    int sourcePartition,
    long sourceOffset,
    List<String> problems) {

  /** Problems beyond this many are counted, not listed, so a flood of bad chunks cannot bloat the store. */
  static final int MAX_PROBLEMS = 10;

  CheckpointState withRegistered(SpaceRegistered r, long now) {
    return new CheckpointState(key, retained, r, chunksReceived, now, sourcePartition, sourceOffset, problems);
  }

  CheckpointState withChunk(long now) {
    return new CheckpointState(key, retained, registered, chunksReceived + 1, now, sourcePartition, sourceOffset, problems);
  }

  CheckpointState withProblem(String problem, long now) {
    List<String> p = new ArrayList<>(problems);
    if (p.size() < MAX_PROBLEMS) p.add(problem);
    return new CheckpointState(key, retained, registered, chunksReceived, now, sourcePartition, sourceOffset, p);
  }

  CheckpointState asRetained() {
    return new CheckpointState(key, true, registered, chunksReceived, lastActivity, sourcePartition, sourceOffset, List.of());
  }

  StoredCheckpoint stored() {
    return new StoredCheckpoint(key, retained, registered, chunksReceived, lastActivity, sourcePartition, sourceOffset, problems);
  }

  static CheckpointState of(StoredCheckpoint s) {
    return new CheckpointState(s.getCheckpoint(), s.getRetained(), s.getRegistered(), s.getChunksReceived(), s.getLastActivity(),
        s.getSourcePartition(), s.getSourceOffset(), List.copyOf(s.getProblems()));
  }
}
