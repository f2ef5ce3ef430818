package io.vectory.app.ingest;

import io.vectory.schemas.CheckpointNames;
import io.vectory.app.KafkaOptions;
import io.vectory.avro.Metric;
import io.vectory.core.space.Metadata;
import io.vectory.core.space.NpySpaceSource;
import io.vectory.core.space.Space;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.IngestSettings;
import io.vectory.ingest.PublishResult;
import io.vectory.ingest.SpaceDescription;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vectory add}: publishes one checkpoint of an embedding space from a .npy/.npz (+ CSV metadata) to Kafka. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {
      "Publish a checkpoint of an embedding space (vectors from .npy/.npz, metadata from CSV) to Kafka,",
      "in one transaction: consumers see the whole checkpoint or nothing.",
      "Ids: the .npz 'ids' array, else --id-field of the CSV, else row numbers."
    })
public final class AddCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-e", "--embeddings"}, required = true, paramLabel = "FILE", description = "Vectors: .npy (rows × dim) or .npz (array 'vectors'/'embeddings' or the first; optional 'ids').")
  Path embeddings;

  @Option(names = {"-d", "--dataset"}, paramLabel = "CSV", description = "Metadata CSV with a header row, one row per vector in the same order.")
  Path dataset;

  @Option(names = "--dataset-name", description = "Dataset name (default: the CSV's or the embeddings' file name).")
  String datasetName;

  @Option(names = "--experiment-name", required = true, description = "Experiment (training run); the Kafka key.")
  String experiment;

  @Option(names = "--model-name", defaultValue = "unknown", description = "Model name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--embedding-space-name", defaultValue = "default", description = "Space name within the experiment (default: ${DEFAULT-VALUE}).")
  String space;

  @Option(names = "--id-field", description = "CSV field holding each row's id (default: row numbers).")
  String idField;

  @Option(names = {"-p", "--params"}, paramLabel = "KEY=VALUE", description = "Training parameters, e.g. -p lr=0.01 -p loss=triplet.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--step", defaultValue = "0", description = "Training step of this checkpoint (default: ${DEFAULT-VALUE}).")
  long step;

  @Option(names = "--epoch", description = "Training epoch, if the loop counts epochs.")
  Integer epoch;

  @Option(names = "--metric", defaultValue = "cosine", description = "k-NN metric of this space: cosine, euclidean (l2) or dot (default: ${DEFAULT-VALUE}).")
  String metric;

  @Option(names = "--array", description = "Name of the .npz array holding the vectors.")
  String array;

  @CommandLine.Mixin KafkaOptions kafka;

  @Option(names = "--transactional-id", description = "Kafka transactional.id (default: a random one).")
  String transactionalId;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Space s;
    Metric m;
    List<String> header = List.of();
    try {
      m = metric(metric);
      NpySpaceSource.Loaded loaded = new NpySpaceSource(array).load(embeddings);
      s = loaded.space();
      if (dataset != null) {
        Metadata md = Metadata.read(dataset);
        header = md.header();
        s = md.attach(s, loaded.ownIds(), idField);
      } else if (idField != null && !loaded.ownIds()) {
        throw new IllegalArgumentException("--id-field " + idField + " needs -d/--dataset, the CSV holding that field (" + embeddings + " has no 'ids' array)");
      }
    } catch (NoSuchFileException e) {
      err.println("vectory add: " + e.getFile() + ": no such file");
      return 2;
    } catch (IOException | IllegalArgumentException e) {
      err.println("vectory add: " + e.getMessage());
      return 2;
    }
    // Metadata columns in the CSV's order; the id field travels as the ids.
    Map<String, List<String>> columns = new LinkedHashMap<>();
    for (String h : header) {
      if (!h.equals(idField) && s.columns().containsKey(h)) columns.put(h, s.columns().get(h));
    }
    String ds = datasetName != null ? datasetName : stem(dataset != null ? dataset : embeddings);
    SpaceDescription d = new SpaceDescription(ds, model, m, epoch, params, idField == null ? "row" : idField, columns);
    IngestSettings settings;
    try {
      settings = kafka.settings();
    } catch (IllegalArgumentException e) {
      err.println("vectory add: " + e.getMessage());
      return 2;
    }
    err.println("vectory add: " + embeddings + ": " + s.vectors().rows() + " × " + s.vectors().cols() + " → " + settings.describe());
    CheckpointPublisher.Builder b = settings.publisher();
    if (transactionalId != null) b.transactionalId(transactionalId);
    try (CheckpointPublisher p = b.build()) {
      String name = CheckpointNames.of(experiment, space, step);
      PublishResult r = p.publish(experiment, space, step, s.ids(), FloatBuffer.wrap(s.vectors().data()), s.vectors().cols(), d,
          (acked, total, bytes) -> {
            err.printf("\rpublishing %s: %d/%d chunks acknowledged (%.1f MB)", name, acked, total, bytes / 1e6);
            err.flush();
          });
      err.println();
      out.printf(Locale.ROOT, "published %s: %d rows × %d, %d chunks, %.1f MB of vectors in %.2f s (%.1f MB/s), CRC-32C %08x%n",
          r.checkpoint(), r.rows(), r.dimension(), r.chunks(), r.vectorBytes() / 1e6, r.nanos() / 1e9, r.megabytesPerSecond(), r.checksum());
      out.flush();
      return 0;
    } catch (IllegalArgumentException e) {
      err.println();
      err.println("vectory add: " + e.getMessage());
      return 2;
    } catch (CheckpointPublisher.PublishException e) {
      err.println();
      err.println("vectory add: " + e.getMessage());
      return 1;
    }
  }

  static Metric metric(String s) {
    try {
      return SpaceDescription.parseMetric(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--metric " + s + " is not one of cosine, euclidean (l2), dot");
    }
  }

  private static String stem(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
