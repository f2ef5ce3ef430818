package io.vectory.core.space;

import io.vectory.core.npy.Npy;
import io.vectory.core.npy.NpyArray;
import io.vectory.core.npy.NpzFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Spaces from NumPy files: a .npy (ids are row numbers) or a .npz (an 'ids' array, when present, gives the ids). */
public final class NpySpaceSource implements SpaceSource {
  private final String arrayName;

  /** @param arrayName the .npz array to use, or null for the first one that is not 'ids' */
  public NpySpaceSource(String arrayName) {
    this.arrayName = arrayName;
  }

  /** A loaded space and whether its ids came from the file (rather than row numbers). */
  public record Loaded(Space space, boolean ownIds) {}

  @Override
  public Optional<Space> resolve(String argument) throws IOException {
    if (!looksLikeFile(argument)) return Optional.empty();
    return Optional.of(load(Path.of(argument)).space());
  }

  @Override
  public String describe() {
    return "a .npy or .npz file";
  }

  public static boolean looksLikeFile(String argument) {
    String l = argument.toLowerCase(Locale.ROOT);
    return l.endsWith(".npy") || l.endsWith(".npz") || Files.exists(Path.of(argument));
  }

  public Loaded load(Path file) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
    if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a directory; expected a .npy or .npz file");
    String name = file.toString();
    boolean npz = name.toLowerCase(Locale.ROOT).endsWith(".npz") || isZip(file);
    if (npz) {
      NpzFile z = Npy.readNpz(file);
      NpyArray arr = arrayName == null ? z.first() : z.array(arrayName);
      var vectors = arr.toFloatMatrix();
      Optional<List<String>> ids = z.ids();
      if (ids.isPresent()) {
        if (ids.get().size() != vectors.rows()) {
          throw new IllegalArgumentException(name + ": the 'ids' array has " + ids.get().size() + " entries for "
              + vectors.rows() + " vectors; expected one id per row");
        }
        Space s = new Space(name, ids.get(), vectors, Map.of());
        Spaces.index(s);
        return new Loaded(s, true);
      }
      return new Loaded(Space.ofRows(name, vectors), false);
    }
    if (arrayName != null) {
      throw new IllegalArgumentException(name + ": --array " + arrayName + " applies to .npz archives; this is a .npy file");
    }
    return new Loaded(Space.ofRows(name, Npy.read(file).toFloatMatrix()), false);
  }

  private static boolean isZip(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(4);
      return b.length == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
    }
  }
}
