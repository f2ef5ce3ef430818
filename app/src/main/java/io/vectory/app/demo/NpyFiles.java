package io.vectory.app.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough .npy (v1.0, little-endian float32, C order, 2-D) for the demo's embedding cache, so the cache opens
 * in NumPy too. Writes go to a temporary file and are moved into place, so a killed run never leaves half a cache.
 */
final class NpyFiles {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\)");

  private NpyFiles() {}

  static void write(Path path, int rows, int cols, float[] data) throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII));
    buf.asFloatBuffer().put(data, 0, rows * cols);
    Files.createDirectories(path.toAbsolutePath().getParent());
    Path tmp = Files.createTempFile(path.toAbsolutePath().getParent(), path.getFileName().toString(), ".tmp");
    Files.write(tmp, buf.array());
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads a 2-D {@code <f4} array; returns {rows, cols} in {@code shape}. */
  static float[] read(Path path, int[] shape) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (byte b : MAGIC) {
      if (buf.remaining() == 0 || buf.get() != b) throw new IOException(path + ": not a .npy file (bad magic)");
    }
    int major = buf.get();
    buf.get();
    int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
    String header = new String(bytes, buf.position(), headerLen, StandardCharsets.US_ASCII);
    buf.position(buf.position() + headerLen);
    if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
      throw new IOException(path + ": expected little-endian float32 in C order, header " + header.trim());
    }
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) throw new IOException(path + ": expected a 2-D shape, header " + header.trim());
    shape[0] = Integer.parseInt(m.group(1));
    shape[1] = Integer.parseInt(m.group(2));
    float[] data = new float[shape[0] * shape[1]];
    if (buf.remaining() < 4L * data.length) throw new IOException(path + ": truncated, expected " + data.length + " floats");
    buf.asFloatBuffer().get(data);
    return data;
  }
}
