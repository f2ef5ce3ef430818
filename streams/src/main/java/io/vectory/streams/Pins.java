package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The pinned reference checkpoints of one experiment, in pin order. */
final class Pins {
  private Pins() {}

  static byte[] encode(List<CheckpointKey> pins) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(pins.size());
      for (CheckpointKey k : pins) {
        out.writeUTF(k.getExperiment());
        out.writeUTF(k.getSpace());
        out.writeLong(k.getStep());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<CheckpointKey> decode(byte[] b) {
    if (b == null) return new ArrayList<>();
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
      int n = in.readInt();
      List<CheckpointKey> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) out.add(Codec.key(in.readUTF(), in.readUTF(), in.readLong()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
