package io.vectory.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The embedded store's datasets and experiments: {@code datasets/<name>/dataset.json} beside the CSV as
 * registered ({@code data.csv}, kept byte for byte so a reuse parses exactly what was registered), and
 * {@code experiments/<name>.json}. Names are URL-encoded into file names.
 */
final class Catalogue {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path datasets;
  private final Path experiments;

  Catalogue(Path root) {
    this.datasets = root.resolve("datasets");
    this.experiments = root.resolve("experiments");
  }

  synchronized DatasetEntry putDataset(DatasetEntry entry, String csvText) {
    Path d = datasets.resolve(file(entry.name()));
    try {
      Files.createDirectories(d);
      write(d.resolve("data.csv"), csvText);
      Path tmp = d.resolve("dataset.json.tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), entry);
      IndexFolders.atomicMove(tmp, d.resolve("dataset.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot register dataset " + entry.name() + " under " + d + ": " + e.getMessage(), e);
    }
    return entry;
  }

  synchronized Optional<DatasetEntry> dataset(String name) {
    Path f = datasets.resolve(file(name)).resolve("dataset.json");
    if (!Files.isRegularFile(f)) return Optional.empty();
    try {
      return Optional.of(JSON.readValue(f.toFile(), DatasetEntry.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  synchronized String datasetCsv(String name) {
    Path f = datasets.resolve(file(name)).resolve("data.csv");
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dataset " + name + " (" + f + "): " + e.getMessage(), e);
    }
  }

  synchronized List<DatasetEntry> datasets() {
    List<DatasetEntry> out = new ArrayList<>();
    for (Path d : children(datasets)) dataset(name(d)).ifPresent(out::add);
    out.sort(Comparator.comparing(DatasetEntry::name));
    return out;
  }

  synchronized boolean deleteDataset(String name) {
    Path d = datasets.resolve(file(name));
    if (!Files.exists(d)) return false;
    IndexFolders.deleteTree(d);
    return true;
  }

  synchronized ExperimentEntry putExperiment(ExperimentEntry entry) {
    Path f = experiments.resolve(file(entry.name()) + ".json");
    try {
      Files.createDirectories(experiments);
      Path tmp = experiments.resolve(file(entry.name()) + ".json.tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), entry);
      IndexFolders.atomicMove(tmp, f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
    }
    return entry;
  }

  synchronized Optional<ExperimentEntry> experiment(String name) {
    Path f = experiments.resolve(file(name) + ".json");
    if (!Files.isRegularFile(f)) return Optional.empty();
    try {
      return Optional.of(JSON.readValue(f.toFile(), ExperimentEntry.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  synchronized List<ExperimentEntry> experiments() {
    List<ExperimentEntry> out = new ArrayList<>();
    for (Path f : children(experiments)) {
      String n = f.getFileName().toString();
      if (n.endsWith(".json")) experiment(URLDecoder.decode(n.substring(0, n.length() - 5), StandardCharsets.UTF_8)).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(ExperimentEntry::name));
    return out;
  }

  synchronized boolean deleteExperiment(String name) {
    try {
      return Files.deleteIfExists(experiments.resolve(file(name) + ".json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete experiment " + name + ": " + e.getMessage(), e);
    }
  }

  private static List<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path f, String text) throws IOException {
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    IndexFolders.atomicMove(tmp, f);
  }

  /** A name as a file name: URL-encoded, and never "." or "..". */
  private static String file(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a name must not be empty");
    String f = URLEncoder.encode(name, StandardCharsets.UTF_8);
    return f.equals(".") || f.equals("..") ? f.replace(".", "%2E") : f;
  }

  private static String name(Path p) {
    return URLDecoder.decode(p.getFileName().toString(), StandardCharsets.UTF_8);
  }
}
