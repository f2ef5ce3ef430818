package io.vectory.core.npy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** The arrays of a NumPy {@code .npz} archive (from {@code np.savez} or {@code np.savez_compressed}), in archive order. */
public final class NpzFile {
  /** The array that, when present, gives each row's id. */
  public static final String IDS = "ids";

  private final Path file;
  private final Map<String, NpyArray> arrays;

  private NpzFile(Path file, Map<String, NpyArray> arrays) {
    this.file = file;
    this.arrays = arrays;
  }

  static NpzFile read(Path file) throws IOException {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (e.isDirectory()) continue;
        String name = e.getName();
        String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
          bytes = in.readAllBytes();
        } catch (ZipException | java.io.EOFException ex) {
          throw new NpyFormatException(file + ": entry '" + name + "' is corrupt or truncated (" + ex.getMessage() + ")", ex);
        }
        arrays.put(key, Npy.parse(file + ":" + name, ByteBuffer.wrap(bytes)));
      }
    } catch (ZipException e) {
      throw new NpyFormatException(file + ": not a .npz (zip) archive (" + e.getMessage() + ")", e);
    }
    if (arrays.isEmpty()) throw new NpyFormatException(file + ": the .npz archive holds no arrays");
    return new NpzFile(file, Collections.unmodifiableMap(arrays));
  }

  public Path file() {
    return file;
  }

  /** Array names without the {@code .npy} suffix, in archive order. */
  public List<String> names() {
    return new ArrayList<>(arrays.keySet());
  }

  /** The named array; the error lists the names there are. */
  public NpyArray array(String name) throws NpyFormatException {
    NpyArray a = arrays.get(name);
    if (a == null) {
      throw new NpyFormatException(file + ": no array named '" + name + "'; the archive holds " + names());
    }
    return a;
  }

  /** The first array that is not {@value #IDS}: the default vectors. */
  public NpyArray first() throws NpyFormatException {
    for (var e : arrays.entrySet()) {
      if (!e.getKey().equals(IDS)) return e.getValue();
    }
    throw new NpyFormatException(file + ": the archive holds only an '" + IDS + "' array, no vectors");
  }

  /** The row ids, when the archive has an {@value #IDS} array. */
  public Optional<List<String>> ids() throws NpyFormatException {
    NpyArray a = arrays.get(IDS);
    return a == null ? Optional.empty() : Optional.of(a.toStrings());
  }
}
