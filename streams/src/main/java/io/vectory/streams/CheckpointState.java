package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.SpaceRegistered;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the store knows about one checkpoint besides its chunks (which live in their own store).
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

  private static final Codec<CheckpointKey> KEY = new Codec<>(CheckpointKey.class);
  private static final Codec<SpaceRegistered> REG = new Codec<>(SpaceRegistered.class);
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

  byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
      DataOutputStream out = new DataOutputStream(bytes);
      writeBlob(out, KEY.encode(key));
      out.writeBoolean(retained);
      writeBlob(out, registered == null ? null : REG.encode(registered));
      out.writeInt(chunksReceived);
      out.writeLong(lastActivity);
      out.writeInt(sourcePartition);
      out.writeLong(sourceOffset);
      out.writeInt(problems.size());
      for (String s : problems) out.writeUTF(s);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CheckpointState decode(byte[] b) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
      CheckpointKey key = KEY.decode(readBlob(in));
      boolean retained = in.readBoolean();
      byte[] reg = readBlob(in);
      int chunks = in.readInt();
      long last = in.readLong();
      int part = in.readInt();
      long off = in.readLong();
      int np = in.readInt();
      List<String> problems = new ArrayList<>(np);
      for (int i = 0; i < np; i++) problems.add(in.readUTF());
      return new CheckpointState(key, retained, reg == null ? null : REG.decode(reg), chunks, last, part, off, problems);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeBlob(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) out.write(b);
  }

  private static byte[] readBlob(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) return null;
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
