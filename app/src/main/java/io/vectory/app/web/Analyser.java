package io.vectory.app.web;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.projection.Projections;
import io.vectory.core.projection.UmapOptions;
import io.vectory.core.space.AlignedPair;
import io.vectory.core.space.Space;
import io.vectory.core.space.Spaces;
import io.vectory.sink.IndexInfo;
import io.vectory.store.SpaceStore;
import io.vectory.store.SpaceStore.Neighbor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What the web analyser computes, over one {@link SpaceStore}: projections (cached per space version and
 * method), per-point coincidence between two spaces (cached per pair and k), and k-NN side by side. Answers
 * are plain maps, ready for JSON. Projections run one at a time on their own thread (UMAP is single-threaded
 * and seconds long), and report progress while they run.
 */
final class Analyser implements AutoCloseable {

  /** Tie-break of every neighbour list here (the engine's and the store's). */
  static final String TIE_BREAK = "lower row index";

  private final SpaceStore store;
  private final UmapOptions umap;
  /** Loaded spaces, the few most recently used (a 20,000 × 384 space is 30 MB). */
  private final Map<String, Space> spaces = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Space> e) {
      return size() > 6;
    }
  });
  private final Map<String, CompletableFuture<Map<String, Object>>> projections = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Object>> progress = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Object>> coincidences = new ConcurrentHashMap<>();
  private final ExecutorService projector = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "vectory-projection");
    t.setDaemon(true);
    return t;
  });

  Analyser(SpaceStore store, UmapOptions umap) {
    this.store = store;
    this.umap = umap;
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
      m.put("search", searchName(i));
      m.put("columns", i.columns());
      out.add(m);
    }
    return out;
  }

  /** The 2-D projection of a space: ids, coordinates, metadata columns, and what was done. */
  Map<String, Object> projection(String ref, Projections.Method method) throws InterruptedException {
    IndexInfo info = store.resolve(ref);
    String key = version(info) + "|" + method.label();
    CompletableFuture<Map<String, Object>> f = projections.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> {
      try {
        Space s = space(info);
        var layout = Projections.project(s.vectors(), info.metric(), method, umap,
            (stage, done, total) -> progress.put(k, Map.of("stage", stage, "done", done, "total", total)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("space", info.name());
        m.put("method", method.label());
        m.put("metric", info.metric().label());
        m.put("n", s.ids().size());
        m.put("description", layout.description());
        m.put("seconds", layout.nanos() / 1e9);
        float[] xy = layout.xy().data();
        double[] x = new double[s.ids().size()];
        double[] y = new double[s.ids().size()];
        for (int r = 0; r < x.length; r++) {
          x[r] = xy[2 * r];
          y[r] = xy[2 * r + 1];
        }
        m.put("ids", s.ids());
        m.put("x", x);
        m.put("y", y);
        Map<String, List<String>> cols = new LinkedHashMap<>();
        for (String c : info.columns()) cols.put(c, s.columns().get(c).stream().map(Analyser::clip).toList());
        m.put("columns", cols);
        return m;
      } finally {
        progress.remove(k);
      }
    }, projector));
    try {
      return f.get();
    } catch (ExecutionException e) {
      projections.remove(key, f); // let a later request try again
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    }
  }

  /** How far the projection of a space by a method has got; {"stage": "done"} when it is cached. */
  Map<String, Object> progress(String ref, Projections.Method method) {
    IndexInfo info = store.resolve(ref);
    String key = version(info) + "|" + method.label();
    Map<String, Object> p = progress.get(key);
    if (p != null) return p;
    CompletableFuture<?> f = projections.get(key);
    if (f != null && f.isDone()) return Map.of("stage", "done");
    return Map.of("stage", f == null ? "not started" : "queued");
  }

  /**
   * Per-point Jaccard of k-NN sets between A and B (the engine's exact comparison, each space in its own metric,
   * a point not its own neighbour), in A's row order, with the settings that give the numbers their meaning.
   */
  Map<String, Object> coincidence(String refA, String refB, int k) {
    IndexInfo ia = store.resolve(refA);
    IndexInfo ib = store.resolve(refB);
    String key = version(ia) + "|" + version(ib) + "|" + k;
    Map<String, Object> cached = coincidences.get(key);
    if (cached != null) return cached;
    Space a = space(ia);
    Space b = space(ib);
    AlignedPair pair = Spaces.alignById(a, b);
    int n = pair.ids().size();
    if (k < 1 || k > n - 1) throw new IllegalArgumentException("k must be between 1 and n - 1 = " + (n - 1) + ", got " + k);
    CompareOptions o = new CompareOptions(k, ia.metric(), ib.metric(), false, 0, 42L);
    ComparisonOutcome out = SpaceComparator.compare(pair.a(), pair.b(), o, ProgressListener.NONE);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", ia.name());
    m.put("b", ib.name());
    m.put("n", n);
    m.put("k", k);
    m.put("metric_a", ia.metric().label());
    m.put("metric_b", ib.metric().label());
    m.put("include_self", false);
    m.put("tie_break", TIE_BREAK);
    m.put("exact", out.exact());
    m.put("mean_jaccard", out.meanJaccard());
    m.put("histogram", out.histogram());
    m.put("ids", pair.ids());
    double[] j = new double[n];
    for (int q = 0; q < out.queryRows().length; q++) j[out.queryRows()[q]] = out.perPoint()[q];
    m.put("jaccard", j);
    m.put("seconds", out.seconds());
    coincidences.put(key, m);
    return m;
  }

  /** The k nearest neighbours of a point in A and, when given, in B, side by side, marking ids found in both. */
  Map<String, Object> neighbours(String refA, String refB, String id, int k) {
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
    IndexInfo ia = store.resolve(refA);
    IndexInfo ib = refB == null || refB.isBlank() ? null : store.resolve(refB);
    List<Neighbor> na = store.knn(ia.name(), id, k, false);
    List<Neighbor> nb = ib == null ? List.of() : store.knn(ib.name(), id, k, false);
    Set<String> inA = new HashSet<>();
    Set<String> inB = new HashSet<>();
    na.forEach(x -> inA.add(x.id()));
    nb.forEach(x -> inB.add(x.id()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("k", k);
    m.put("include_self", false);
    m.put("tie_break", TIE_BREAK);
    m.put("a", side(ia, na, ib == null ? null : inB));
    if (ib != null) {
      m.put("b", side(ib, nb, inA));
      Set<String> both = new HashSet<>(inA);
      both.retainAll(inB);
      Set<String> union = new HashSet<>(inA);
      union.addAll(inB);
      m.put("in_both", both.size());
      m.put("jaccard", union.isEmpty() ? 0.0 : both.size() / (double) union.size());
    }
    return m;
  }

  private static Map<String, Object> side(IndexInfo info, List<Neighbor> ns, Set<String> other) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("space", info.name());
    m.put("metric", info.metric().label());
    m.put("value", switch (info.metric()) {
      case COSINE -> "cosine similarity";
      case EUCLIDEAN -> "euclidean distance";
      case DOT -> "dot product";
    });
    m.put("search", searchName(info));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Neighbor n : ns) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", n.id());
      r.put("row", n.row());
      r.put("value", n.value());
      r.put("metadata", n.metadata());
      if (other != null) r.put("in_both", other.contains(n.id()));
      rows.add(r);
    }
    m.put("neighbours", rows);
    return m;
  }

  private static String searchName(IndexInfo i) {
    return "exact".equals(i.knnModel()) ? "exact scan" : "approximate HNSW";
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
    projector.shutdownNow();
  }
}
