package io.vectory.store;

import io.vectory.schemas.CheckpointNames;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import io.vectory.sink.OpenSearchHttp;
import io.vectory.sink.OpenSearchSpaceSink;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SpaceStore} on OpenSearch with the k-NN plugin, writing through the sink's {@link OpenSearchSpaceSink}: one index per space (knn_vector, HNSW with
 * {@code "engine":"lucene"}, set in {@link Docs}: faiss would crash this OpenSearch build),
 * {@code vectory-comparisons} and {@code vectory-alerts} with the mappings in {@code io/vectory/sink/opensearch/}. All writes are bulk requests with natural {@code _id}s.
 */
public final class OpenSearchSpaceStore implements SpaceStore {

  private static final int PAGE = 1000;
  private static final Map<String, Object> NO_VECTOR = Map.of("excludes", List.of(Docs.VECTOR));

  /** Writes (checkpoints, results) go through the sink's writer, so the pipeline and this store write the same documents. */
  private final OpenSearchSpaceSink sink;
  private final OpenSearchHttp http;
  private final IndexNames names;

  public OpenSearchSpaceStore(String url, IndexNames names, Duration requestTimeout) {
    this.sink = new OpenSearchSpaceSink(url, names, requestTimeout);
    this.http = sink.http();
    this.names = names;
  }

  public OpenSearchSpaceStore(String url) {
    this(url, IndexNames.defaults(), Duration.ofSeconds(60));
  }

  public IndexNames names() {
    return names;
  }

  @Override
  public String location() {
    return http.url();
  }

  // ---- checkpoints and results: the sink's writer

  @Override
  public IndexInfo beginCheckpoint(SpaceRegistered registered) {
    return sink.beginCheckpoint(registered);
  }

  @Override
  public void addChunk(EmbeddingChunk chunk) {
    sink.addChunk(chunk);
  }

  @Override
  public IndexInfo completeCheckpoint(CheckpointCompleted completed) {
    return sink.completeCheckpoint(completed);
  }

  @Override
  public void putComparisons(List<ComparisonResult> results) {
    sink.putComparisons(results);
  }

  @Override
  public void putAlerts(List<DriftAlert> alerts) {
    sink.putAlerts(alerts);
  }

  public void ensureResultIndices() {
    sink.ensureResultIndices();
  }

  // ---- whole spaces

  @Override
  public IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source) {
    FloatMatrix m = space.vectors();
    List<String> cols = new ArrayList<>(new java.util.TreeSet<>(space.columns().keySet()));
    IndexInfo info = new IndexInfo(name, names.loaded(name), IndexInfo.LOADED, null, null, -1, dataset, model, metric, knnModel,
        m.cols(), m.rows(), cols, false, System.currentTimeMillis(), source);
    http.call("DELETE", "/" + info.physical(), null, 404);
    sink.create(info);
    float[] row = new float[m.cols()];
    StringBuilder nd = new StringBuilder();
    for (int r = 0; r < m.rows(); r++) {
      m.row(r, row);
      List<String> meta = new ArrayList<>(cols.size());
      for (String c : cols) meta.add(space.columns().get(c).get(r));
      String id = space.ids().get(r);
      OpenSearchSpaceSink.appendIndex(nd, info.physical(), id, Docs.pointDoc(id, r, row, cols, meta));
      if ((r + 1) % PAGE == 0 || r == m.rows() - 1) {
        List<String> failed = sink.bulk(nd.toString());
        if (!failed.isEmpty()) throw new IllegalArgumentException("index " + name + ": OpenSearch rejected " + failed.size() + " points, first: " + failed.get(0));
        nd.setLength(0);
      }
    }
    http.call("POST", "/" + info.physical() + "/_refresh", null);
    long count = http.call("GET", "/" + info.physical() + "/_count", null).body().path("count").asLong();
    IndexInfo done = info.completed(count);
    sink.putMeta(done);
    return done;
  }

  @Override
  public List<IndexInfo> indices() {
    JsonNode all = http.call("GET", "/" + names.dataPattern() + "/_mapping?allow_no_indices=true&ignore_unavailable=true&expand_wildcards=open", null, 404).body();
    List<IndexInfo> out = new ArrayList<>();
    all.properties().forEach(e -> {
      JsonNode v = e.getValue().path("mappings").path("_meta").path("vectory");
      if (v.isObject()) out.add(IndexInfo.fromMap(OpenSearchHttp.JSON.convertValue(v, Map.class)));
    });
    out.sort(ORDER);
    return out;
  }

  @Override
  public Space loadSpace(String ref) {
    IndexInfo info = resolve(ref);
    int n = Math.toIntExact(info.rows());
    int dim = info.dimension();
    float[] data = new float[Math.multiplyExact(n, dim)];
    String[] ids = new String[n];
    Map<String, String[]> cols = new LinkedHashMap<>();
    for (String c : info.columns()) cols.put(c, new String[n]);
    Long after = null;
    int seen = 0;
    while (true) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("size", PAGE);
      q.put("sort", List.of(Map.of(Docs.ROW, "asc")));
      if (after != null) q.put("search_after", List.of(after));
      JsonNode hits = http.call("POST", "/" + info.physical() + "/_search", q).body().path("hits").path("hits");
      if (hits.isEmpty()) break;
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        long row = s.path(Docs.ROW).asLong();
        if (row < 0 || row >= n) throw new IllegalArgumentException("index " + info.physical() + ": point " + s.path(Docs.ID).asText() + " has row " + row + ", expected 0.." + (n - 1));
        ids[(int) row] = s.path(Docs.ID).asText();
        JsonNode vec = s.path(Docs.VECTOR);
        for (int j = 0; j < dim; j++) data[(int) row * dim + j] = (float) vec.path(j).asDouble();
        for (var c : cols.entrySet()) c.getValue()[(int) row] = s.path(Docs.META).path(c.getKey()).asText(null);
        after = row;
        seen++;
      }
    }
    if (seen != n) throw new IllegalArgumentException("index " + info.physical() + " holds " + seen + " points, its entry says " + n);
    Map<String, List<String>> columns = new LinkedHashMap<>();
    cols.forEach((c, v) -> columns.put(c, Arrays.asList(v)));
    return new Space(info.name(), Arrays.asList(ids), FloatMatrix.wrap(n, dim, data), columns);
  }

  @Override
  public List<Neighbor> knn(String ref, String id, int k, boolean includeSelf) {
    IndexInfo info = resolve(ref);
    JsonNode doc = http.call("GET", "/" + info.physical() + "/_doc/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, 404).body();
    if (!doc.path("found").asBoolean()) throw new IllegalArgumentException("no point with id '" + id + "' in " + info.name());
    JsonNode vec = doc.path("_source").path(Docs.VECTOR);
    float[] v = new float[vec.size()];
    for (int j = 0; j < v.length; j++) v[j] = (float) vec.path(j).asDouble();
    List<Neighbor> hits = search(info, v, includeSelf ? k : k + 1);
    List<Neighbor> out = new ArrayList<>(k);
    for (Neighbor h : hits) if ((includeSelf || !h.id().equals(id)) && out.size() < k) out.add(h);
    return out;
  }

  @Override
  public List<Neighbor> knn(String ref, float[] vector, int k) {
    return search(resolve(ref), vector, k);
  }

  private List<Neighbor> search(IndexInfo info, float[] v, int k) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("size", k);
    q.put("_source", NO_VECTOR);
    boolean exact = "exact".equals(info.knnModel());
    if (exact) {
      // Exact: the k-NN plugin's scoring script over every document (no graph).
      q.put("query", Map.of("script_score", Map.of("query", Map.of("match_all", Map.of()),
          "script", Map.of("source", "knn_score", "lang", "knn",
              "params", Map.of("field", Docs.VECTOR, "query_value", v, "space_type", Docs.spaceType(info.metric()))))));
    } else {
      q.put("query", Map.of("knn", Map.of(Docs.VECTOR, Map.of("vector", v, "k", k))));
    }
    q.put("sort", List.of(Map.of("_score", "desc"), Map.of(Docs.ROW, "asc")));
    q.put("track_scores", true);
    JsonNode hits = http.call("POST", "/" + info.physical() + "/_search", q).body().path("hits").path("hits");
    List<Neighbor> out = new ArrayList<>();
    for (JsonNode h : hits) {
      JsonNode s = h.path("_source");
      Map<String, String> meta = new LinkedHashMap<>();
      s.path(Docs.META).properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
      double score = h.path("_score").asDouble();
      // The scoring script gives 1 + cos for cosinesimil; the approximate query (1 + cos) / 2.
      double value = exact && info.metric() == Metric.COSINE ? score - 1 : Docs.metricValue(info.metric(), score);
      out.add(new Neighbor(s.path(Docs.ID).asText(), s.path(Docs.ROW).asLong(), score, value, meta));
    }
    return out;
  }

  @Override
  public boolean delete(String ref) {
    var found = find(ref);
    if (found.isEmpty()) return false;
    http.call("DELETE", "/" + found.get().physical(), null, 404);
    return true;
  }

  // ---- results

  @Override
  public List<ComparisonResult> comparisons(String experiment) {
    List<ComparisonResult> out = new ArrayList<>();
    for (Map<String, Object> d : results(names.comparisons(), experiment)) out.add(Docs.comparisonFromDoc(d));
    return out;
  }

  @Override
  public List<DriftAlert> alerts(String experiment) {
    List<DriftAlert> out = new ArrayList<>();
    for (Map<String, Object> d : results(names.alerts(), experiment)) out.add(Docs.alertFromDoc(d));
    return out;
  }

  private List<Map<String, Object>> results(String index, String experiment) {
    List<Map<String, Object>> out = new ArrayList<>();
    List<Object> after = null;
    while (true) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("size", PAGE);
      q.put("query", experiment == null ? Map.of("match_all", Map.of()) : Map.of("term", Map.of("experiment", experiment)));
      q.put("sort", List.of(Map.of("@timestamp", "asc"), Map.of("_id", "asc")));
      if (after != null) q.put("search_after", after);
      var r = http.call("POST", "/" + index + "/_search", q, 404);
      if (r.status() == 404) return out;
      JsonNode hits = r.body().path("hits").path("hits");
      if (hits.isEmpty()) return out;
      for (JsonNode h : hits) {
        out.add(OpenSearchHttp.JSON.convertValue(h.path("_source"), new TypeReference<Map<String, Object>>() {}));
        after = OpenSearchHttp.JSON.convertValue(h.path("sort"), new TypeReference<List<Object>>() {});
      }
    }
  }

  @Override
  public void close() {
    sink.close();
  }


}
