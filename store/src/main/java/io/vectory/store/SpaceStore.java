package io.vectory.store;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.SpaceSink;
import io.vectory.sink.StoreUnavailableException;
import io.vectory.core.space.Space;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Where indexed spaces, comparison results and alerts live, read and written: OpenSearch
 * ({@link OpenSearchSpaceStore}) or in-process Lucene HNSW on disk ({@link EmbeddedSpaceStore}, the default).
 * The write side is the sink's {@link SpaceSink}: every write is idempotent by natural key, so a replay
 * overwrites instead of doubling.
 *
 * <p>Names ({@code ref}) resolve with {@link #resolve}: {@code experiment/space@step}, {@code
 * experiment/space} (its latest complete step), a loaded index's name, or a physical index name.
 *
 * <p>Failures: {@link StoreUnavailableException} when the store cannot be reached (retry later);
 * {@link IllegalArgumentException} for input the store will never accept (report, do not retry).
 */
public interface SpaceStore extends SpaceSink {

  // ---- whole spaces

  /** Stores a whole space as an index under {@code name} (replacing one of that name) and returns its entry. */
  IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source);

  /** HNSW graph settings of a loaded index: M (links per node) and ef_construction (candidates while building). */
  record HnswSettings(int m, int efConstruction) {
    public static final HnswSettings DEFAULTS = new HnswSettings(16, 100);

    public HnswSettings {
      if (m < 2 || m > 512) throw new IllegalArgumentException("--hnsw-m " + m + ": expected 2..512");
      if (efConstruction < 1 || efConstruction > 3200) throw new IllegalArgumentException("--hnsw-ef-construction " + efConstruction + ": expected 1..3200");
    }
  }

  /** As {@link #putIndex}, building the HNSW graph with these settings. */
  default IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source, HnswSettings hnsw) {
    if (!hnsw.equals(HnswSettings.DEFAULTS)) {
      throw new UnsupportedOperationException(location() + ": this store builds HNSW graphs with M 16 and ef_construction 100 only");
    }
    return putIndex(name, space, metric, knnModel, dataset, model, source);
  }

  /** Every index, checkpoints and loaded ones, ordered by experiment, space, step, name. */
  List<IndexInfo> indices();

  /** Loads the vectors, ids (row order) and metadata columns of an index. */
  Space loadSpace(String ref);

  /** The k nearest neighbours of a point of the index (the point itself excluded unless includeSelf). */
  List<Neighbor> knn(String ref, String id, int k, boolean includeSelf);

  /** The k nearest neighbours of a vector. */
  List<Neighbor> knn(String ref, float[] vector, int k);

  /** Deletes an index; false when there was none. */
  boolean delete(String ref);

  /**
   * Stores a whole space as checkpoint {@code experiment/space@step} (replacing one of that name), as the
   * pipeline would after accepting it; for {@code vectory add} with no broker configured.
   */
  default IndexInfo putCheckpoint(String experiment, String space, long step, Space vectors, Metric metric, String dataset, String model) {
    throw new UnsupportedOperationException(location() + ": this store takes checkpoints from the pipeline only (configure a broker)");
  }

  // ---- k-NN lists

  /** A space's exact k-NN lists, and whether this call ran the k-NN pass (false: they were kept from before). */
  record KeptLists(KnnLists lists, boolean computed) {}

  /**
   * The exact k-NN lists of every point of an index (ties by lower row), computed the first time and kept
   * beside the index, so later comparisons, queries and the analyser reuse them; {@code recompute} ignores
   * (and replaces) kept lists. Kept lists are dropped when the index's points change.
   */
  default KeptLists knnLists(String ref, Metric metric, int k, boolean includeSelf, boolean recompute, ProgressListener progress) {
    Space s = loadSpace(ref);
    return new KeptLists(KnnLists.compute(s.vectors(), metric, k, includeSelf, null, progress), true);
  }

  default KeptLists knnLists(String ref, Metric metric, int k, boolean includeSelf) {
    return knnLists(ref, metric, k, includeSelf, false, ProgressListener.NONE);
  }

  /** The kept exact k-NN lists of an index serving (metric, k, self), truncated to k; empty when none are kept. Computes nothing. */
  default Optional<KnnLists> keptLists(String ref, Metric metric, int k, boolean includeSelf) {
    return Optional.empty();
  }

  /**
   * A point's k nearest neighbours as its index's kept exact k-NN lists give them (its own metric; nearest first, ties
   * by lower row): the neighbours {@code compare} merged, so {@code query} agrees with it. Empty when no such lists are
   * kept (then {@link #knn(String, String, int, boolean)} searches the index).
   */
  default Optional<List<Neighbor>> keptNeighbors(String ref, String id, int k, boolean includeSelf) {
    IndexInfo info = resolve(ref);
    Optional<KnnLists> kept = keptLists(info.name(), info.metric(), k, includeSelf);
    if (kept.isEmpty()) return Optional.empty();
    Space s = loadSpace(info.name());
    int row = s.ids().indexOf(id);
    if (row < 0) throw new IllegalArgumentException("no point with id '" + id + "' in " + info.name());
    KnnLists l = kept.get();
    float[] v = s.vectors().data();
    int d = s.vectors().cols();
    List<Neighbor> out = new ArrayList<>(l.k());
    for (int j = 0; j < l.k(); j++) {
      int r = l.neighbours()[row * l.k() + j];
      double dot = 0, qq = 0, rr = 0, sq = 0;
      for (int c = 0; c < d; c++) {
        double x = v[row * d + c], y = v[r * d + c];
        dot += x * y;
        qq += x * x;
        rr += y * y;
        sq += (x - y) * (x - y);
      }
      // The metric's own value, as the index searches report it: cosine similarity, L2 distance, inner product.
      double value = switch (info.metric()) {
        case COSINE -> dot / Math.sqrt(qq * rr);
        case EUCLIDEAN -> Math.sqrt(sq);
        case DOT -> dot;
      };
      Map<String, String> meta = new java.util.LinkedHashMap<>();
      for (String c : info.columns()) meta.put(c, s.columns().get(c).get(r));
      out.add(new Neighbor(s.ids().get(r), r, value, value, meta));
    }
    return Optional.of(out);
  }

  // ---- datasets and experiments

  /** Registers a metadata CSV under a name (replacing one of that name). */
  default DatasetEntry putDataset(DatasetEntry entry, String csvText) {
    throw new UnsupportedOperationException(location() + ": this store does not register datasets yet");
  }

  default Optional<DatasetEntry> dataset(String name) {
    return Optional.empty();
  }

  /** The CSV text a dataset was registered with. */
  default String datasetCsv(String name) {
    throw new IllegalArgumentException("no dataset named '" + name + "' in " + location());
  }

  /** Registered datasets by name. */
  default List<DatasetEntry> registeredDatasets() {
    return List.of();
  }

  default boolean deleteDataset(String name) {
    return false;
  }

  default ExperimentEntry putExperiment(ExperimentEntry entry) {
    return entry;
  }

  default Optional<ExperimentEntry> experiment(String name) {
    return Optional.empty();
  }

  default boolean deleteExperiment(String name) {
    return false;
  }

  /** Deletes an experiment's comparison results, alerts and rejections; returns how many. */
  default int deleteResults(String experiment) {
    throw new UnsupportedOperationException(location() + ": this store cannot delete results yet");
  }

  // ---- results

  /** Comparison results, oldest first (by computed_at); experiment null for all. */
  List<ComparisonResult> comparisons(String experiment);

  /** Drift alerts, oldest first; experiment null for all. */
  List<DriftAlert> alerts(String experiment);

  /** The pipeline's rejections (its dead letters, each with the reason), oldest first; experiment null for all. */
  List<DeadLetter> deadLetters(String experiment);

  // ---- derived

  /**
   * The index a name means: an exact logical or physical name, or {@code experiment/space} for the
   * space's latest complete step.
   */
  default IndexInfo resolve(String ref) {
    return find(ref).orElseThrow(() -> new IllegalArgumentException(noSuchIndex(ref)));
  }

  default Optional<IndexInfo> find(String ref) {
    List<IndexInfo> all = indices();
    for (IndexInfo i : all) if (i.name().equals(ref) || i.physical().equals(ref)) return Optional.of(i);
    int slash = ref.indexOf('/');
    if (slash > 0 && ref.indexOf('@') < 0) {
      String exp = ref.substring(0, slash), space = ref.substring(slash + 1);
      return latest(all, exp, space);
    }
    if (slash < 0 && ref.indexOf('@') < 0) return bareName(all, ref);
    return Optional.empty();
  }

  /**
   * A bare name as Vectory's users write it: a space's name (its latest complete step), else an experiment's
   * name when that experiment has one space. Names that match spaces of several experiments are refused with
   * the candidates.
   */
  private static Optional<IndexInfo> bareName(List<IndexInfo> all, String ref) {
    TreeSet<String> bySpace = new TreeSet<>();
    TreeSet<String> byExperiment = new TreeSet<>();
    for (IndexInfo i : all) {
      if (!i.isCheckpoint() || !i.complete()) continue;
      if (ref.equals(i.space())) bySpace.add(i.experiment() + "/" + i.space());
      if (ref.equals(i.experiment())) byExperiment.add(i.experiment() + "/" + i.space());
    }
    TreeSet<String> candidates = !bySpace.isEmpty() ? bySpace : byExperiment;
    if (candidates.isEmpty()) return Optional.empty();
    if (candidates.size() > 1) {
      throw new IllegalArgumentException("'" + ref + "' is ambiguous: it names " + candidates.size() + " spaces ("
          + String.join(", ", candidates) + "); write one of them as experiment/space");
    }
    String only = candidates.first();
    int slash = only.indexOf('/');
    return latest(all, only.substring(0, slash), only.substring(slash + 1));
  }

  private static Optional<IndexInfo> latest(List<IndexInfo> all, String exp, String space) {
    return all.stream()
        .filter(i -> i.isCheckpoint() && i.complete() && exp.equals(i.experiment()) && space.equals(i.space()))
        .max(Comparator.comparingLong(IndexInfo::step));
  }

  default String noSuchIndex(String ref) {
    List<String> names = indices().stream().map(IndexInfo::name).limit(8).toList();
    return "no index or space named '" + ref + "' in " + location()
        + (names.isEmpty() ? " (it holds none; run `vectory add`, `vectory demo` or the pipeline first)"
            : "; expected a space name, experiment/space@step, experiment/space (latest step) or an index name, e.g. " + String.join(", ", names));
  }

  /** Dataset names: registered ones and those the indices name. */
  default List<String> datasets() {
    TreeSet<String> s = new TreeSet<>();
    for (DatasetEntry d : registeredDatasets()) s.add(d.name());
    for (IndexInfo i : indices()) if (i.dataset() != null) s.add(i.dataset());
    return new ArrayList<>(s);
  }

  default List<String> experiments() {
    TreeSet<String> s = new TreeSet<>();
    for (IndexInfo i : indices()) if (i.experiment() != null && i.isCheckpoint()) s.add(i.experiment());
    return new ArrayList<>(s);
  }

  /** One neighbour: id, row in its index, the raw store score, the metric's own value, metadata. */
  record Neighbor(String id, long row, double score, double value, Map<String, String> metadata) {}

  static Comparator<IndexInfo> ORDER = Comparator
      .comparing((IndexInfo i) -> i.isCheckpoint() ? 0 : 1)
      .thenComparing(i -> i.experiment() == null ? "" : i.experiment())
      .thenComparing(i -> i.space() == null ? "" : i.space())
      .thenComparingLong(IndexInfo::step)
      .thenComparing(IndexInfo::name);
}
