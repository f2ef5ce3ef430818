package io.vectory.app.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;

/**
 * Projections kept on disk, so a restarted analyser draws at once: one file of little-endian float32 pairs and
 * the layout's description per (space version, method, options), under {@code projections/} beside the store's
 * data. A file that cannot be read is computed again; one that cannot be written is only logged.
 */
final class ProjectionCache {

  /** A cached layout: row-major n × 2 coordinates and what was done. */
  record Entry(float[] xy, String description, double seconds) {}

  private static final int MAGIC = 0x56505231; // "VPR1"
  private final Path dir;

  ProjectionCache(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  Entry get(String key, int rows) {
    Path f = file(key);
    if (!Files.isRegularFile(f)) return null;
    try {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
      if (b.getInt() != MAGIC || b.getInt() != rows) return null;
      double seconds = b.getDouble();
      byte[] desc = new byte[b.getInt()];
      b.get(desc);
      float[] xy = new float[2 * rows];
      b.asFloatBuffer().get(xy);
      return new Entry(xy, new String(desc, StandardCharsets.UTF_8), seconds);
    } catch (IOException | RuntimeException e) {
      System.err.println("vectory run: ignoring unreadable cached projection " + f + " (" + e + ")");
      return null;
    }
  }

  void put(String key, Entry e) {
    byte[] desc = e.description().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(20 + desc.length + 4 * e.xy().length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(e.xy().length / 2).putDouble(e.seconds()).putInt(desc.length).put(desc);
    for (float v : e.xy()) b.putFloat(v);
    Path f = file(key);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "proj", ".tmp");
      Files.write(tmp, b.array());
      try {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException x) {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException x) {
      System.err.println("vectory run: could not keep the projection in " + f + " (" + x + "); it is kept in memory only");
    }
  }

  private Path file(String key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return dir.resolve(HexFormat.of().formatHex(h, 0, 16) + ".xy");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
