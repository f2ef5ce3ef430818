package io.vectory.app.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.app.compare.ProgressPrinter;
import io.vectory.app.store.StoreOptions;
import io.vectory.avro.Relation;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.space.Metadata;
import io.vectory.core.space.NpySpaceSource;
import io.vectory.core.space.Space;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.IngestSettings;
import io.vectory.ingest.PublishResult;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.Topics;
import io.vectory.sink.IndexInfo;
import io.vectory.store.DatasetEntry;
import io.vectory.store.ExperimentEntry;
import io.vectory.store.SpaceStore;
import io.vectory.store.StoredComparison;
import io.vectory.streams.PipelineConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vectory add}: one checkpoint of an embedding space from a .npy/.npz (+ CSV metadata). With no broker
 * configured it goes straight into the store (the embedded one by default) and is compared at once with the
 * previous and first checkpoints of its space, by the comparator the Streams app runs; with a broker
 * configured it is published to Kafka for the pipeline.
 */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Add a checkpoint of an embedding space (vectors from .npy/.npz, metadata from a CSV or a registered dataset).",
      "With no Kafka broker configured (no --bootstrap-servers, $VECTORY_BOOTSTRAP_SERVERS or config file), the space is"
          + " stored in the store at once and compared with the previous and first checkpoints of its space.",
      "With a broker configured, it is published to Kafka in one transaction, for the pipeline to compare and index.",
      "Ids: the .npz 'ids' array, else --id-field of the CSV, else row numbers."
    })
public final class AddCommand implements Callable<Integer> {

  /** How long a configured broker has to answer before add gives up naming it. */
  static final int BROKER_PROBE_SECONDS = 4;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-e", "--embeddings"}, required = true, paramLabel = "FILE", description = "Vectors: .npy (rows × dim) or .npz (array 'vectors'/'embeddings' or the first; optional 'ids').")
  Path embeddings;

  @Option(names = {"-d", "--dataset"}, paramLabel = "CSV", description = "Metadata CSV with a header row, one row per vector in the same order; registered as --dataset-name.")
  Path dataset;

  @Option(names = "--dataset-name", description = "Dataset name. With -d, the CSV is registered under it; without -d, a registered dataset of that name gives the ids and metadata (default: the CSV's or the embeddings' file name).")
  String datasetName;

  @Option(names = "--train-dataset", paramLabel = "NAME", description = "The dataset the model was trained on, kept with the experiment.")
  String trainDataset;

  @Option(names = "--experiment-name", required = true, description = "Experiment (training run); the Kafka key.")
  String experiment;

  @Option(names = "--model-name", defaultValue = "unknown", description = "Model name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--embedding-space-name", defaultValue = "default", description = "Space name within the experiment (default: ${DEFAULT-VALUE}).")
  String space;

  @Option(names = "--id-field", description = "CSV field holding each row's id (default: the registered dataset's, else row numbers).")
  String idField;

  @Option(names = "--dims", paramLabel = "N", description = "Expected dimension of the vectors; a file of another width is refused.")
  Integer dims;

  @Option(names = {"-p", "--params"}, paramLabel = "FILE.json|KEY=VALUE",
      description = "Training parameters: a JSON file of an object, or KEY=VALUE pairs (e.g. -p lr=0.01 -p loss=triplet).")
  List<String> params = new ArrayList<>();

  @Option(names = "--step", defaultValue = "0", description = "Training step of this checkpoint (default: ${DEFAULT-VALUE}).")
  long step;

  @Option(names = "--epoch", description = "Training epoch, if the loop counts epochs.")
  Integer epoch;

  @Option(names = "--metric", defaultValue = "cosine", description = "k-NN metric of this space: cosine, euclidean (l2) or dot (default: ${DEFAULT-VALUE}).")
  String metric;

  @Option(names = "--array", description = "Name of the .npz array holding the vectors.")
  String array;

  @Option(names = "--load", description = "Also load the space into the k-NN index SPACE_lsh_METRIC at once (as `vectory embeddings load` would).")
  boolean load;

  @CommandLine.Mixin PublishOptions publish;

  @CommandLine.Mixin StoreOptions storeOptions;

  @CommandLine.Mixin io.vectory.app.TopicsOption topics;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    try {
      IngestSettings settings = publish.settings();
      boolean broker = !"default".equals(settings.source());
      try (SpaceStore store = storeOptions.open()) {
        Prepared p = prepare(store, err);
        return broker ? publish(p, settings, store, out, err) : store(p, store, out, err);
      }
    } catch (NoSuchFileException e) {
      err.println("vectory add: " + e.getFile() + ": no such file");
      return 2;
    } catch (IOException | IllegalArgumentException e) {
      err.println("vectory add: " + e.getMessage());
      return 2;
    } catch (CheckpointPublisher.PublishException | UnsupportedOperationException e) {
      err.println("vectory add: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      err.println("vectory add: failed: " + e);
      return 1;
    } finally {
      err.flush();
    }
  }

  /** The space with its ids and metadata, the dataset it belongs to, and the description the pipeline carries. */
  private record Prepared(Space space, String dataset, io.vectory.avro.Metric metric, Map<String, String> params, SpaceDescription description) {}

  private Prepared prepare(SpaceStore store, PrintWriter err) throws IOException {
    io.vectory.avro.Metric m = metric(metric);
    Map<String, String> parameters = params(params);
    NpySpaceSource.Loaded loaded = new NpySpaceSource(array).load(embeddings);
    Space s = loaded.space();
    if (dims != null && s.vectors().cols() != dims) {
      throw new IllegalArgumentException(embeddings + ": vectors have " + s.vectors().cols() + " dimensions, --dims says " + dims);
    }
    String ds = datasetName != null ? datasetName : stem(dataset != null ? dataset : embeddings);
    List<String> header = List.of();
    String ids = idField;
    Runnable register = () -> {};
    if (dataset != null) {
      String text = Metadata.readText(dataset);
      Metadata md = Metadata.parse(dataset.toString(), text);
      header = md.header();
      s = md.attach(s, loaded.ownIds(), idField);
      if (idField != null) md.ids(idField); // unique, non-empty: checked before registering
      int csvRows = md.rows().size();
      // Registered only once the whole checkpoint has passed its checks: a refused add leaves the store as it was.
      register = () -> {
        Optional<DatasetEntry> before = store.dataset(ds);
        store.putDataset(new DatasetEntry(ds, idField, csvRows, dataset.toAbsolutePath().toString(), System.currentTimeMillis()), text);
        err.println("vectory add: dataset " + ds + " " + (before.isPresent() ? "re-registered" : "registered") + " from " + dataset
            + " (" + csvRows + " rows" + (idField == null ? ", ids are row numbers" : ", ids from " + idField) + ")");
      };
    } else {
      Optional<DatasetEntry> registered = datasetName == null ? Optional.empty() : store.dataset(datasetName);
      if (registered.isPresent()) {
        DatasetEntry d = registered.get();
        if (idField != null && d.idField() != null && !idField.equals(d.idField())) {
          throw new IllegalArgumentException("--id-field " + idField + ": dataset " + d.name() + " was registered with --id-field " + d.idField());
        }
        if (s.vectors().rows() != d.rows()) {
          throw new IllegalArgumentException("dataset " + d.name() + " has " + d.rows() + " rows (registered from " + d.source() + "), but "
              + embeddings + " has " + s.vectors().rows() + " vectors; expected one vector per dataset row");
        }
        ids = idField != null ? idField : d.idField();
        Metadata md = Metadata.parse("dataset " + d.name() + " (registered from " + d.source() + ")", store.datasetCsv(d.name()));
        header = md.header();
        s = md.attach(s, loaded.ownIds(), ids);
      } else if (idField != null && !loaded.ownIds()) {
        throw new IllegalArgumentException("--id-field " + idField + " needs -d/--dataset, the CSV holding that field, or --dataset-name of a registered dataset ("
            + (datasetName == null ? "none given" : "no dataset named " + datasetName + " in " + store.location()
                + "; registered: " + (store.registeredDatasets().isEmpty() ? "none" : String.join(", ", store.registeredDatasets().stream().map(DatasetEntry::name).toList())))
            + "; " + embeddings + " has no 'ids' array)");
      }
    }
    // Metadata columns in the CSV's order; the id field travels as the ids.
    Map<String, List<String>> columns = new LinkedHashMap<>();
    for (String h : header) {
      if (!h.equals(ids) && s.columns().containsKey(h)) columns.put(h, s.columns().get(h));
    }
    Space withColumns = new Space(CheckpointNames.of(experiment, space, step), s.ids(), s.vectors(), columns);
    Map<String, String> described = new LinkedHashMap<>(parameters);
    if (trainDataset != null) described.put("train_dataset", trainDataset);
    SpaceDescription d = new SpaceDescription(ds, model, m, epoch, described, ids == null ? "row" : ids, columns);
    // The publisher's checks on both paths (names, rows, dimension, ids, finite values, zero vectors under cosine),
    // so what the embedded store accepts is what the pipeline accepts; the file is named beside the reason.
    try {
      CheckpointPublisher.validate(experiment, space, step, withColumns.ids(), FloatBuffer.wrap(withColumns.vectors().data()),
          withColumns.vectors().cols(), d);
    } catch (io.vectory.ingest.InvalidCheckpointException e) {
      throw new IllegalArgumentException(embeddings + ": " + e.getMessage(), e);
    }
    register.run();
    return new Prepared(withColumns, ds, m, parameters, d);
  }

  /** No broker configured: store the checkpoint and compare it with its space's previous and first checkpoints. */
  private int store(Prepared p, SpaceStore store, PrintWriter out, PrintWriter err) {
    long t0 = System.nanoTime();
    io.vectory.core.compare.Metric m = io.vectory.core.compare.Metric.valueOf(p.metric().name());
    List<IndexInfo> earlier = store.indices().stream()
        .filter(i -> i.isCheckpoint() && i.complete() && experiment.equals(i.experiment()) && space.equals(i.space()) && i.step() != step)
        .sorted(Comparator.comparingLong(IndexInfo::step)).toList();
    IndexInfo info = store.putCheckpoint(experiment, space, step, p.space(), m, p.dataset(), model);
    store.putExperiment(new ExperimentEntry(experiment, model, trainDataset, p.params(), System.currentTimeMillis()));
    out.printf(Locale.ROOT, "added %s: %d rows × %d (%s, dataset %s) to %s in %.2f s%n", info.name(), info.rows(), info.dimension(),
        m.label(), p.dataset(), store.location(), (System.nanoTime() - t0) / 1e9);
    // As the pipeline: the previous accepted step and the first, both before this one (a later step is not a reference).
    List<IndexInfo> before = earlier.stream().filter(i -> i.step() < step).toList();
    int k = PipelineConfig.defaults(null, null).k();
    if (!before.isEmpty() && info.rows() - 1 < k) {
      // As in the pipeline, which indexes such a checkpoint and dead-letters its comparisons: said here, not thrown from the engine.
      out.flush();
      err.println("vectory add: " + info.name() + " is stored but not compared with " + before.get(before.size() - 1).name() + ": it has "
          + info.rows() + " points, and a comparison takes the k = " + k + " nearest neighbours of each (the pipeline's k), which needs at least "
          + (k + 1) + " points");
      return 2;
    }
    if (!before.isEmpty()) compareWithReferences(store, info, p.space(), before, out, err);
    if (load) loadIndex(store, info, p.space(), out);
    out.flush();
    return 0;
  }

  private void compareWithReferences(SpaceStore store, IndexInfo info, Space a, List<IndexInfo> before, PrintWriter out, PrintWriter err) {
    PipelineConfig pipeline = PipelineConfig.defaults(null, null);
    Map<IndexInfo, List<Relation>> refs = new LinkedHashMap<>();
    refs.computeIfAbsent(before.get(before.size() - 1), r -> new ArrayList<>()).add(Relation.PREVIOUS);
    refs.computeIfAbsent(before.get(0), r -> new ArrayList<>()).add(Relation.FIRST);
    List<io.vectory.avro.ComparisonResult> results = new ArrayList<>();
    for (var e : refs.entrySet()) {
      IndexInfo ref = e.getKey();
      CompareOptions o = new CompareOptions(pipeline.k(), info.metric(), ref.metric(), pipeline.includeSelf(), pipeline.sample(), pipeline.seed());
      ProgressPrinter progress = new ProgressPrinter(err, "comparing " + info.name() + " with " + ref.name());
      StoredComparison.Outcome c = StoredComparison.compare(store, info, a, ref, store.loadSpace(ref.name()), o, false, progress);
      progress.finish();
      List<String> labels = a.columns().get(pipeline.labelColumn());
      Map<String, Double> labelMeans = labels == null ? Map.of() : c.outcome().meanByLabel(labels.toArray(String[]::new));
      for (Relation rel : e.getValue()) {
        results.add(StoredComparison.result(info, ref, rel, c.outcome(), labelMeans));
        out.printf(Locale.ROOT, "compared with %s checkpoint %s: mean Jaccard %.4f, CKA %.4f (k = %d, %s/%s, self %s, %s; %d k-NN pass%s)%n",
            rel.name().toLowerCase(Locale.ROOT), ref.name(), c.outcome().meanJaccard(), c.outcome().cka(), o.k(), o.metricA().label(),
            o.metricB().label(), o.includeSelf() ? "included" : "excluded", c.outcome().exact() ? "exact" : "sampled",
            c.knnPasses(), c.knnPasses() == 1 ? "" : "es");
      }
    }
    store.putComparisons(results);
  }

  private void loadIndex(SpaceStore store, IndexInfo info, Space s, PrintWriter out) {
    String index = space + "_lsh_" + info.metric().label();
    IndexInfo done = store.putIndex(index, s, info.metric(), "hnsw", info.dataset(), info.model(), info.name());
    out.printf(Locale.ROOT, "loaded %s into index %s (approximate: Lucene HNSW, %s)%n", info.name(), done.name(), done.metric().label());
  }

  /** A broker configured: publish for the pipeline, after checking within a few seconds that the broker answers. */
  private int publish(Prepared p, IngestSettings settings, SpaceStore store, PrintWriter out, PrintWriter err) {
    probe(settings);
    // As with the dataset: the experiment's entry (model, --train-dataset, -p) is the store's, not the pipeline's.
    store.putExperiment(new ExperimentEntry(experiment, model, trainDataset, p.params(), System.currentTimeMillis()));
    Space s = p.space();
    err.println("vectory add: " + embeddings + ": " + s.vectors().rows() + " × " + s.vectors().cols() + " → " + settings.describe());
    if (load) err.println("vectory add: --load: the pipeline indexes the checkpoint as it accepts it; no separate index is made");
    try (CheckpointPublisher pub = publish.publisher(settings).topics(topics.topics()).build()) {
      String name = CheckpointNames.of(experiment, space, step);
      ProgressPrinter progress = new ProgressPrinter(err, "publishing " + name);
      PublishResult r = pub.publish(experiment, space, step, s.ids(), FloatBuffer.wrap(s.vectors().data()), s.vectors().cols(), p.description(),
          (acked, total, bytes) -> progress.progress(acked, total));
      progress.finish();
      out.printf(Locale.ROOT, "published %s: %d rows × %d, %d chunks, %.1f MB of vectors in %.2f s (%.1f MB/s), CRC-32C %08x%n",
          r.checkpoint(), r.rows(), r.dimension(), r.chunks(), r.vectorBytes() / 1e6, r.nanos() / 1e9, r.megabytesPerSecond(), r.checksum());
      out.flush();
      return 0;
    }
  }

  /** Fails in a few seconds, naming the address and where it came from, when no broker answers there. */
  private static void probe(IngestSettings settings) {
    Map<String, Object> cfg = new LinkedHashMap<>(settings.clientConfig());
    cfg.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    cfg.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, BROKER_PROBE_SECONDS * 1000);
    cfg.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, BROKER_PROBE_SECONDS * 1000);
    String where = "Kafka broker " + settings.bootstrapServers() + " (from " + settings.source() + ")";
    try (Admin a = Admin.create(cfg)) {
      a.describeCluster().clusterId().get(BROKER_PROBE_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new CheckpointPublisher.PublishException("no answer from the " + where + " within " + BROKER_PROBE_SECONDS
          + " s; start it, or unset the broker setting to add to the embedded store", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointPublisher.PublishException("interrupted while reaching the " + where, e);
    }
  }

  /** -p values: each a JSON file holding one object, or KEY=VALUE. */
  static Map<String, String> params(List<String> values) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      Path f = Path.of(v);
      if (eq < 0 && (v.endsWith(".json") || Files.isRegularFile(f))) {
        JsonNode node;
        try {
          // A mapper here, not in a static field: picocli builds every command at start, and a static one cost each
          // vectory command (compare too) Jackson's ~0.1 s initialisation.
          node = new ObjectMapper().readTree(f.toFile());
        } catch (IOException e) {
          if (!Files.exists(f)) throw new NoSuchFileException(v);
          throw new IllegalArgumentException("-p " + v + ": not a JSON file: " + e.getMessage());
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("-p " + v + ": expected a JSON object of parameters");
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
      } else if (eq > 0) {
        out.put(v.substring(0, eq), v.substring(eq + 1));
      } else {
        throw new IllegalArgumentException("-p " + v + ": expected KEY=VALUE or a JSON file");
      }
    }
    return out;
  }

  static io.vectory.avro.Metric metric(String s) {
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
