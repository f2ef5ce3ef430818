package io.vectory.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.sink.IndexInfo;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The on-disk layout of the embedded store's indices: one folder per physical index holding its entry
 * ({@code index.json}), its Lucene files ({@code lucene/}) and its kept k-NN lists ({@code knn/}).
 * Entries are written atomically (temp file, then rename), so a reader sees the old entry or the new one.
 */
final class IndexFolders {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path indices;

  IndexFolders(Path root) {
    this.indices = root.resolve("indices");
    try {
      Files.createDirectories(indices);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data folder " + root + ": " + e.getMessage(), e);
    }
  }

  Path dir(String physical) {
    return indices.resolve(physical);
  }

  Path lucene(String physical) {
    return dir(physical).resolve("lucene");
  }

  Path knn(String physical) {
    return dir(physical).resolve("knn");
  }

  IndexInfo read(String physical) {
    Path f = dir(physical).resolve("index.json");
    try {
      return IndexInfo.fromMap(JSON.readValue(f.toFile(), Map.class));
    } catch (NoSuchFileException | FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  void write(IndexInfo info) {
    Path d = dir(info.physical());
    try {
      Files.createDirectories(d);
      Path tmp = d.resolve("index.json.tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), info.toMap());
      atomicMove(tmp, d.resolve("index.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + d.resolve("index.json") + ": " + e.getMessage(), e);
    }
  }

  /** Every entry on disk, in {@link SpaceStore#ORDER}. */
  List<IndexInfo> list() {
    List<IndexInfo> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(indices)) {
      for (Path d : dirs.toList()) {
        IndexInfo i = read(d.getFileName().toString());
        if (i != null) out.add(i);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + indices + ": " + e.getMessage(), e);
    }
    out.sort(SpaceStore.ORDER);
    return out;
  }

  void deleteTree(String physical) {
    deleteTree(dir(physical));
  }

  static void deleteTree(Path d) {
    if (!Files.exists(d)) return;
    try (Stream<Path> all = Files.walk(d)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + d + ": " + e.getMessage(), e);
    }
  }

  static void atomicMove(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
