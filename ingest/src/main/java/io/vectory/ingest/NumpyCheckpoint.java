package io.vectory.ingest;

import io.vectory.core.npy.Npy;
import io.vectory.core.npy.NpyArray;
import io.vectory.core.npy.NpyFormatException;
import io.vectory.core.npy.NpzFile;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Vectors (and ids, when an .npz carries an {@code ids} array) read from NumPy files or request bodies, through core's reader. */
public record NumpyCheckpoint(FloatMatrix vectors, Optional<List<String>> ids) {

  /** Names tried, in order, for the vectors array of an .npz; else its first non-ids array. */
  static final List<String> VECTOR_NAMES = List.of("vectors", "embeddings");

  public static NumpyCheckpoint read(Path file) throws IOException {
    if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npz")) return fromNpz(Npy.readNpz(file));
    return new NumpyCheckpoint(Npy.read(file).toFloatMatrix(), Optional.empty());
  }

  /** An .npy image or an .npz archive (told apart by their first bytes), named {@code source} in errors. */
  public static NumpyCheckpoint parse(String source, byte[] body) throws IOException {
    if (body.length >= 4 && body[0] == 'P' && body[1] == 'K' && body[2] == 3 && body[3] == 4) {
      Path tmp = Files.createTempFile("vectory-ingest", ".npz");
      try {
        Files.write(tmp, body);
        return fromNpz(Npy.readNpz(tmp));
      } catch (NpyFormatException e) {
        throw new NpyFormatException(e.getMessage().replace(tmp.toString(), source), e);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    if (body.length < 6 || (body[0] & 0xff) != 0x93 || body[1] != 'N' || body[2] != 'U') {
      throw new NpyFormatException(source + ": not a NumPy .npy (expected magic \\x93NUMPY) or .npz (zip) body"
          + (body.length == 0 ? "; the body is empty" : String.format("; first byte is 0x%02X", body[0] & 0xff)));
    }
    NpyArray a = Npy.parse(source, ByteBuffer.wrap(body));
    return new NumpyCheckpoint(a.toFloatMatrix(), Optional.empty());
  }

  private static NumpyCheckpoint fromNpz(NpzFile z) throws NpyFormatException {
    NpyArray v = null;
    for (String n : VECTOR_NAMES) {
      if (z.names().contains(n)) {
        v = z.array(n);
        break;
      }
    }
    if (v == null) v = z.first();
    return new NumpyCheckpoint(v.toFloatMatrix(), z.ids());
  }
}
