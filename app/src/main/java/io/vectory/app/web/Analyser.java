package io.vectory.app.web;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.projection.Projections;
import io.vectory.core.projection.UmapOptions;
import io.vectory.core.space.AlignedPair;
import io.vectory.core.space.Space;
import io.vectory.core.space.Spaces;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.CheckpointNames;
import io.vectory.sink.IndexInfo;
import io.vectory.store.EmbeddedSpaceStore;
import io.vectory.store.SpaceStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * What the web analyser computes, over one {@link SpaceStore}: projections (a bounded worker pool, superseded
 * jobs cancelled, kept on disk beside the store's data), per-point coincidence between two spaces and k-NN
 * side by side, both from the same exact k-NN lists ({@link ExactLists}), and an experiment's stored
 * comparisons and alerts. Answers are plain maps, ready for JSON.
 */
final class Analyser implements AutoCloseable {

  /** Tie-break of every neighbour list here. */
  static final String TIE_BREAK = "lower row index";
  /** Largest k the analyser serves: tables of 100 rows are already long, and k-NN memory grows with n·k. */
  static final int MAX_K = 100;

  private final SpaceStore store;
  private final UmapOptions umap;
  private final ProjectionCache disk;
  private final ExactLists lists = new ExactLists();
  /** Loaded spaces, the few most recently used (a 20,000 × 384 space is 30 MB). */
  private final Map<String, Space> spaces = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Space> e) {
      return size() > 6;
    }
  });
  private final ProjectionJobs<Map<String, Object>> jobs;
  private final Map<String, Map<String, Object>> coincidences = new ConcurrentHashMap<>();

  Analyser(SpaceStore store, UmapOptions umap) {
    this(store, umap, defaultCacheDir(store));
  }

  Analyser(SpaceStore store, UmapOptions umap, Path cacheDir) {
    this.store = store;
    this.umap = umap;
    this.disk = new ProjectionCache(cacheDir);
    this.jobs = new ProjectionJobs<>(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
  }

  /** Beside the embedded store's indices; for a remote store, under ~/.vectory, one folder per store URL. */
  static Path defaultCacheDir(SpaceStore store) {
    if (store instanceof EmbeddedSpaceStore e) return e.dataDir().resolve("projections");
    String id = UUID.nameUUIDFromBytes(store.location().getBytes(StandardCharsets.UTF_8)).toString();
    return Path.of(System.getProperty("user.home"), ".vectory", "projections", id);
  }

  String location() {
    return store.location();
  }

  /** Every complete index, checkpoints first (by experiment, space, step), then loaded ones. */
  List<Map<String, Object>> spaces() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (IndexInfo i : store.indices()) {
      if (!i.complete()) continue;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", i.name());
      m.put("kind", i.kind());
      m.put("experiment", i.experiment());
      m.put("space", i.space());
      m.put("step", i.step());
      m.put("dataset", i.dataset());
      m.put("model", i.model());
      m.put("rows", i.rows());
      m.put("dimension", i.dimension());
      m.put("metric", i.metric().label());
      m.put("columns", i.columns());
      out.add(m);
    }
    return out;
  }

  /**
   * What the page opens on when its URL names nothing: the experiment whose checkpoint was stored last (so
   * {@code vectory demo} then {@code vectory run} shows that run), its first step as A and its last as B, of
   * the same space; null when the store holds no experiment.
   */
  Map<String, Object> opening() {
    List<IndexInfo> complete = store.indices().stream().filter(i -> i.complete() && i.isCheckpoint()).toList();
    IndexInfo newest = null;
    for (IndexInfo i : complete) if (newest == null || i.createdAt() > newest.createdAt()) newest = i;
    if (newest == null) return null;
    IndexInfo first = newest, last = newest;
    for (IndexInfo i : complete) {
      if (!i.experiment().equals(newest.experiment()) || !i.space().equals(newest.space())) continue;
      if (i.step() < first.step()) first = i;
      if (i.step() > last.step()) last = i;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment", newest.experiment());
    m.put("space", newest.space());
    m.put("a", first.name());
    m.put("b", last.name());
    return m;
  }

  /**
   * The 2-D projection of a space: ids, coordinates, metadata columns, and what was done. {@code slot} names
   * the map the page asks for (e.g. "A" of one page); a later request for the same slot cancels this one.
   */
  Map<String, Object> projection(String ref, Projections.Method method, String slot) throws InterruptedException {
    IndexInfo info = store.resolve(ref);
    String key = key(info, method);
    ProjectionJobs.Job<Map<String, Object>> job = jobs.submit(key, slot, j -> project(info, method, key, j));
    try {
      return job.future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CancellationException c) throw new Superseded(c.getMessage());
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    }
  }

  /** A projection cancelled because its map asked for another one. */
  static final class Superseded extends RuntimeException {
    Superseded(String message) {
      super(message);
    }
  }

  private Map<String, Object> project(IndexInfo info, Projections.Method method, String key, ProjectionJobs.Job<?> job) {
    Space s = space(info);
    int n = s.ids().size();
    ProjectionCache.Entry e = disk.get(key, n);
    boolean cached = e != null;
    if (e == null) {
      var layout = Projections.project(s.vectors(), info.metric(), method, umap, (stage, done, total) -> {
        job.check();
        job.progress = Map.of("stage", stage, "done", done, "total", total);
      });
      job.check();
      e = new ProjectionCache.Entry(layout.xy().data(), layout.description(), layout.nanos() / 1e9);
      disk.put(key, e);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("space", info.name());
    m.put("method", method.label());
    m.put("metric", info.metric().label());
    m.put("n", n);
    m.put("description", e.description());
    m.put("seconds", e.seconds());
    m.put("from_disk", cached);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int r = 0; r < n; r++) {
      x[r] = e.xy()[2 * r];
      y[r] = e.xy()[2 * r + 1];
    }
    m.put("ids", s.ids());
    m.put("x", x);
    m.put("y", y);
    Map<String, List<String>> cols = new LinkedHashMap<>();
    for (String c : info.columns()) cols.put(c, s.columns().get(c).stream().map(Analyser::clip).toList());
    m.put("columns", cols);
    return m;
  }

  /** How far the projection of a space by a method has got; {"stage": "done"} when it is ready. */
  Map<String, Object> progress(String ref, Projections.Method method) {
    IndexInfo info = store.resolve(ref);
    ProjectionJobs.Job<?> j = jobs.get(key(info, method));
    if (j == null) return Map.of("stage", "not started");
    if (j.future.isDone()) return Map.of("stage", "done");
    Map<String, Object> p = j.progress;
    return p != null ? p : Map.of("stage", "queued");
  }

  private String key(IndexInfo info, Projections.Method method) {
    return version(info) + "|" + method.label() + "|" + umap;
  }

  /** k must lie in [1, min(MAX_K, n − 1)]: anything else is refused, saying why. */
  static void checkK(int k, int n) {
    int max = Math.min(MAX_K, n - 1);
    if (k < 1 || k > max) {
      throw new IllegalArgumentException("k must be between 1 and " + max + " (min(" + MAX_K + ", n − 1) with n = " + n
          + " points), got " + k);
    }
  }

  /** The two spaces over their common ids, with the exact lists of each at k. */
  private record Pair(IndexInfo ia, IndexInfo ib, Metric ma, Metric mb, AlignedPair aligned, KnnLists la, KnnLists lb) {}

  private Pair pair(String refA, String refB, String metricA, String metricB, int k) {
    IndexInfo ia = store.resolve(refA);
    IndexInfo ib = store.resolve(refB);
    Metric ma = metricA == null || metricA.isBlank() ? ia.metric() : Metric.parse(metricA);
    Metric mb = metricB == null || metricB.isBlank() ? ib.metric() : Metric.parse(metricB);
    Space a = space(ia);
    Space b = space(ib);
    AlignedPair aligned = Spaces.alignById(a, b);
    int n = aligned.ids().size();
    checkK(k, n);
    // The aligned matrices are the spaces themselves when both hold the same ids in the same order.
    String align = aligned.ids().equals(a.ids()) && aligned.ids().equals(b.ids()) ? "" : "|aligned:" + version(ib) + version(ia);
    KnnLists la = lists.lists(version(ia) + align, aligned.a(), ma, k);
    KnnLists lb = lists.lists(version(ib) + align, aligned.b(), mb, k);
    return new Pair(ia, ib, ma, mb, aligned, la, lb);
  }

  /**
   * Per-point Jaccard of the exact k-NN sets in A and B over their common ids (each space in its metric, a
   * point not its own neighbour, ties by lower row), with the settings that give the numbers their meaning.
   */
  Map<String, Object> coincidence(String refA, String refB, int k, String metricA, String metricB) {
    String key = refA + "|" + refB + "|" + k + "|" + metricA + "|" + metricB;
    Map<String, Object> cached = coincidences.get(key);
    if (cached != null && cached.get("version").equals(version(store.resolve(refA)) + version(store.resolve(refB)))) return cached;
    Pair p = pair(refA, refB, metricA, metricB, k);
    int n = p.aligned().ids().size();
    CompareOptions o = new CompareOptions(k, p.ma(), p.mb(), false, 0, 42L);
    ComparisonOutcome out = SpaceComparator.compare(p.la(), p.lb(), p.aligned().a(), p.aligned().b(), o);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", p.ia().name());
    m.put("b", p.ib().name());
    m.put("n", n);
    m.put("k", k);
    m.put("max_k", Math.min(MAX_K, n - 1));
    m.put("metric_a", p.ma().label());
    m.put("metric_b", p.mb().label());
    m.put("include_self", false);
    m.put("tie_break", TIE_BREAK);
    m.put("exact", out.exact());
    m.put("mean_jaccard", out.meanJaccard());
    m.put("histogram", out.histogram());
    m.put("ids", p.aligned().ids());
    double[] j = new double[n];
    for (int q = 0; q < out.queryRows().length; q++) j[out.queryRows()[q]] = out.perPoint()[q];
    m.put("jaccard", j);
    m.put("seconds", out.seconds());
    m.put("version", version(p.ia()) + version(p.ib()));
    coincidences.put(key, m);
    return m;
  }

  /** The exact k nearest neighbours of a point in A and in B, side by side, marking ids found in both. */
  Map<String, Object> neighbours(String refA, String refB, String id, int k, String metricA, String metricB) {
    Pair p = pair(refA, refB, metricA, metricB, k);
    int row = p.aligned().ids().indexOf(id);
    if (row < 0) throw new IllegalArgumentException("no point with id '" + id + "' in both " + p.ia().name() + " and " + p.ib().name());
    List<String> ids = p.aligned().ids();
    Set<String> inA = new HashSet<>();
    Set<String> inB = new HashSet<>();
    for (int i = 0; i < k; i++) {
      inA.add(ids.get(p.la().neighbours()[row * k + i]));
      inB.add(ids.get(p.lb().neighbours()[row * k + i]));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("k", k);
    m.put("include_self", false);
    m.put("tie_break", TIE_BREAK);
    m.put("search", "exact scan over the " + ids.size() + " points in both spaces");
    m.put("a", side(p.ia(), space(p.ia()), p.aligned().a(), p.ma(), p.la(), row, ids, inB));
    m.put("b", side(p.ib(), space(p.ib()), p.aligned().b(), p.mb(), p.lb(), row, ids, inA));
    Set<String> both = new HashSet<>(inA);
    both.retainAll(inB);
    Set<String> union = new HashSet<>(inA);
    union.addAll(inB);
    m.put("in_both", both.size());
    m.put("jaccard", both.size() / (double) union.size());
    return m;
  }

  private static Map<String, Object> side(IndexInfo info, Space s, FloatMatrix aligned, Metric metric, KnnLists l, int row,
      List<String> ids, Set<String> other) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("space", info.name());
    m.put("metric", metric.label());
    m.put("value", switch (metric) {
      case COSINE -> "cosine similarity";
      case EUCLIDEAN -> "euclidean distance";
      case DOT -> "dot product";
    });
    Map<String, Integer> rowOf = Spaces.index(s);
    List<Map<String, Object>> rows = new ArrayList<>();
    int k = l.k();
    for (int i = 0; i < k; i++) {
      int j = l.neighbours()[row * k + i];
      String nid = ids.get(j);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", nid);
      r.put("value", value(metric, aligned, row, j));
      Map<String, String> meta = new LinkedHashMap<>();
      Integer sr = rowOf.get(nid);
      for (var c : s.columns().entrySet()) meta.put(c.getKey(), sr == null ? null : clip(c.getValue().get(sr)));
      r.put("metadata", meta);
      r.put("in_both", other.contains(nid));
      rows.add(r);
    }
    m.put("neighbours", rows);
    return m;
  }

  /** The metric's own value between two rows: cosine similarity, euclidean distance or dot product. */
  static double value(Metric metric, FloatMatrix m, int p, int q) {
    double dot = 0, pp = 0, qq = 0;
    for (int c = 0; c < m.cols(); c++) {
      double x = m.get(p, c), y = m.get(q, c);
      dot += x * y;
      pp += x * x;
      qq += y * y;
    }
    return switch (metric) {
      case COSINE -> pp == 0 || qq == 0 ? 0 : dot / Math.sqrt(pp * qq);
      case EUCLIDEAN -> Math.sqrt(Math.max(0, pp + qq - 2 * dot));
      case DOT -> dot;
    };
  }

  /** An experiment's stored comparisons (oldest first) and drift alerts, for the experiment view. */
  Map<String, Object> experiment(String experiment) {
    List<Map<String, Object>> cs = new ArrayList<>();
    for (ComparisonResult c : store.comparisons(experiment)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("a", CheckpointNames.of(c.getA()));
      m.put("b", CheckpointNames.of(c.getB()));
      m.put("space", c.getA().getSpace());
      m.put("step", c.getA().getStep());
      m.put("b_step", c.getB().getStep());
      m.put("relation", c.getRelation().name().toLowerCase(java.util.Locale.ROOT));
      m.put("k", c.getK());
      m.put("n", c.getN());
      m.put("exact", c.getExact());
      m.put("metric_a", c.getMetricA().name().toLowerCase(java.util.Locale.ROOT));
      m.put("metric_b", c.getMetricB().name().toLowerCase(java.util.Locale.ROOT));
      m.put("include_self", c.getIncludeSelf());
      m.put("mean_jaccard", c.getMeanJaccard());
      m.put("histogram", c.getHistogram());
      m.put("cka", c.getCka());
      cs.add(m);
    }
    List<Map<String, Object>> as = new ArrayList<>();
    for (DriftAlert a : store.alerts(experiment)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("a", CheckpointNames.of(a.getA()));
      m.put("b", CheckpointNames.of(a.getB()));
      m.put("space", a.getA().getSpace());
      m.put("step", a.getA().getStep());
      m.put("rule", a.getRule().name().toLowerCase(java.util.Locale.ROOT));
      m.put("value", a.getValue());
      m.put("threshold", a.getThreshold());
      m.put("message", a.getMessage());
      as.add(m);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment", experiment);
    m.put("comparisons", cs);
    m.put("alerts", as);
    return m;
  }

  /** A space's identity for caches: a re-published index has a new creation time or row count. */
  private static String version(IndexInfo i) {
    return i.physical() + "@" + i.createdAt() + "#" + i.rows();
  }

  private Space space(IndexInfo info) {
    String v = version(info);
    Space s = spaces.get(v);
    if (s == null) {
      s = store.loadSpace(info.name());
      spaces.put(v, s);
    }
    return s;
  }

  private static String clip(String v) {
    if (v == null) return null;
    return v.length() <= 400 ? v : v.substring(0, 399) + "…";
  }

  @Override
  public void close() {
    jobs.close();
  }
}
