package io.vectory.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import io.vectory.sink.OpenSearchClients;
import io.vectory.sink.OpenSearchSpaceSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ExpandWildcard;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.GetResponse;
import org.opensearch.client.opensearch.core.SearchRequest;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.indices.GetMappingResponse;

/**
 * {@link SpaceStore} on OpenSearch with the k-NN plugin, through the official client, writing through the
 * sink's {@link OpenSearchSpaceSink} (whose client it shares): one index per space (knn_vector, HNSW with
 * {@code "engine":"lucene"}, mapped in {@link io.vectory.sink.OpenSearchMappings}: faiss would crash this
 * OpenSearch build), {@code vectory-comparisons} and {@code vectory-alerts} with the mappings in
 * {@code io/vectory/sink/opensearch/}. All writes are bulk requests with natural {@code _id}s. Each index's
 * entry lives in its mapping's {@code _meta}, so listing needs no catalogue.
 */
public final class OpenSearchSpaceStore implements SpaceStore {

  private static final int PAGE = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes (checkpoints, results) go through the sink's writer, so the pipeline and this store write the same documents. */
  private final OpenSearchSpaceSink sink;
  private final OpenSearchClient client;
  private final IndexNames names;

  public OpenSearchSpaceStore(OpenSearchClients.Settings settings, IndexNames names) {
    this.sink = new OpenSearchSpaceSink(settings, names);
    this.client = sink.client();
    this.names = names;
  }

  public OpenSearchSpaceStore(String url, IndexNames names, Duration requestTimeout) {
    this(OpenSearchClients.Settings.of(url, requestTimeout), names);
  }

  public OpenSearchSpaceStore(String url) {
    this(url, IndexNames.defaults(), Duration.ofSeconds(60));
  }

  public IndexNames names() {
    return names;
  }

  @Override
  public String location() {
    return sink.location();
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

  @Override
  public void putDeadLetters(List<DeadLetter> deadLetters) {
    sink.putDeadLetters(deadLetters);
  }

  public void ensureResultIndices() {
    sink.ensureResultIndices();
  }

  // ---- whole spaces

  @Override
  public IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source) {
    FloatMatrix m = space.vectors();
    List<String> cols = new ArrayList<>(new TreeSet<>(space.columns().keySet()));
    IndexInfo info = new IndexInfo(name, names.loaded(name), IndexInfo.LOADED, null, null, -1, dataset, model, metric, knnModel,
        m.cols(), m.rows(), cols, false, System.currentTimeMillis(), source);
    sink.deleteIndex(info.physical());
    sink.create(info);
    List<BulkOperation> page = new ArrayList<>(PAGE);
    for (int r = 0; r < m.rows(); r++) {
      float[] row = new float[m.cols()];
      m.row(r, row);
      List<String> meta = new ArrayList<>(cols.size());
      for (String c : cols) meta.add(space.columns().get(c).get(r));
      String id = space.ids().get(r);
      page.add(OpenSearchSpaceSink.index(info.physical(), id, Docs.pointDoc(id, r, row, cols, meta)));
      if (page.size() == PAGE || r == m.rows() - 1) {
        List<String> failed = OpenSearchSpaceSink.rejected(sink.bulk(page, "points of index " + name));
        if (!failed.isEmpty()) throw new IllegalArgumentException("index " + name + ": OpenSearch rejected " + failed.size() + " points, first: " + failed.get(0));
        page = new ArrayList<>(PAGE);
      }
    }
    IndexInfo done = info.completed(sink.refreshAndCount(info.physical()));
    sink.putMeta(done);
    return done;
  }

  @Override
  public List<IndexInfo> indices() {
    List<String> patterns = Arrays.asList(names.dataPattern().split(","));
    GetMappingResponse all = sink.call("list the indices " + names.dataPattern(), () -> client.indices().getMapping(g -> g
        .index(patterns).allowNoIndices(true).ignoreUnavailable(true).expandWildcards(ExpandWildcard.Open)));
    List<IndexInfo> out = new ArrayList<>();
    all.result().values().forEach(r -> {
      IndexInfo i = sink.info(r.mappings());
      if (i != null) out.add(i);
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
    FieldValue after = null;
    int seen = 0;
    while (true) {
      FieldValue from = after;
      SearchRequest q = SearchRequest.of(s -> {
        s.index(info.physical()).size(PAGE).sort(o -> o.field(f -> f.field(Docs.ROW).order(SortOrder.Asc)));
        if (from != null) s.searchAfter(from);
        return s;
      });
      List<Hit<ObjectNode>> hits = search(q, "load " + info.physical());
      if (hits.isEmpty()) break;
      for (Hit<ObjectNode> h : hits) {
        JsonNode s = h.source();
        long row = s.path(Docs.ROW).asLong();
        if (row < 0 || row >= n) throw new IllegalArgumentException("index " + info.physical() + ": point " + s.path(Docs.ID).asText() + " has row " + row + ", expected 0.." + (n - 1));
        ids[(int) row] = s.path(Docs.ID).asText();
        JsonNode vec = s.path(Docs.VECTOR);
        for (int j = 0; j < dim; j++) data[(int) row * dim + j] = (float) vec.path(j).asDouble();
        for (var c : cols.entrySet()) c.getValue()[(int) row] = s.path(Docs.META).path(c.getKey()).asText(null);
        after = FieldValue.of(row);
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
    GetResponse<ObjectNode> doc = sink.call("get point " + id + " of " + info.physical(),
        () -> client.get(g -> g.index(info.physical()).id(id), ObjectNode.class));
    if (!doc.found() || doc.source() == null) throw new IllegalArgumentException("no point with id '" + id + "' in " + info.name());
    JsonNode vec = doc.source().path(Docs.VECTOR);
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
    boolean exact = "exact".equals(info.knnModel());
    List<Float> vector = new ArrayList<>(v.length);
    for (float f : v) vector.add(f);
    Query query = exact
        // Exact: the k-NN plugin's scoring script over every document (no graph).
        ? Query.of(q -> q.scriptScore(ss -> ss.query(all -> all.matchAll(ma -> ma))
            .script(sc -> sc.inline(in -> in.source("knn_score").lang(l -> l.custom("knn"))
                .params("field", JsonData.of(Docs.VECTOR))
                .params("query_value", JsonData.of(vector))
                .params("space_type", JsonData.of(Docs.spaceType(info.metric())))))))
        : Query.of(q -> q.knn(kn -> kn.field(Docs.VECTOR).vector(vector).k(k)));
    SearchRequest req = SearchRequest.of(s -> s.index(info.physical()).size(k).query(query)
        .source(src -> src.filter(f -> f.excludes(Docs.VECTOR)))
        .sort(SortOptions.of(o -> o.score(sc -> sc.order(SortOrder.Desc))), SortOptions.of(o -> o.field(f -> f.field(Docs.ROW).order(SortOrder.Asc))))
        .trackScores(true));
    List<Neighbor> out = new ArrayList<>();
    for (Hit<ObjectNode> h : search(req, "k-NN search in " + info.physical())) {
      JsonNode s = h.source();
      Map<String, String> meta = new LinkedHashMap<>();
      s.path(Docs.META).properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
      double score = h.score() == null ? Double.NaN : h.score();
      // The scoring script gives 1 + cos for cosinesimil; the approximate query (1 + cos) / 2.
      double value = exact && info.metric() == Metric.COSINE ? score - 1 : Docs.metricValue(info.metric(), score);
      out.add(new Neighbor(s.path(Docs.ID).asText(), s.path(Docs.ROW).asLong(), score, value, meta));
    }
    return out;
  }

  private List<Hit<ObjectNode>> search(SearchRequest req, String what) {
    SearchResponse<ObjectNode> r = sink.call(what, () -> client.search(req, ObjectNode.class));
    return r.hits().hits();
  }

  @Override
  public boolean delete(String ref) {
    var found = find(ref);
    if (found.isEmpty()) return false;
    sink.deleteIndex(found.get().physical());
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

  /** The pipeline's rejections, from vectory-dead-letters (written by the sink connector from vectory.dead-letters). */
  @Override
  public List<DeadLetter> deadLetters(String experiment) {
    List<DeadLetter> out = new ArrayList<>();
    for (Map<String, Object> d : results(names.deadLetters(), experiment)) out.add(Docs.deadLetterFromDoc(d));
    return out;
  }

  /** Every document of a result index (one experiment's, or all), oldest first, paged with search_after. */
  private List<Map<String, Object>> results(String index, String experiment) {
    List<Map<String, Object>> out = new ArrayList<>();
    Query query = experiment == null ? Query.of(q -> q.matchAll(m -> m))
        : Query.of(q -> q.term(t -> t.field("experiment").value(FieldValue.of(experiment))));
    List<FieldValue> after = null;
    while (true) {
      List<FieldValue> from = after;
      SearchRequest req = SearchRequest.of(s -> {
        s.index(index).size(PAGE).query(query)
            .sort(SortOptions.of(o -> o.field(f -> f.field("@timestamp").order(SortOrder.Asc))),
                SortOptions.of(o -> o.field(f -> f.field("_id").order(SortOrder.Asc))));
        if (from != null) s.searchAfter(from);
        return s;
      });
      SearchResponse<ObjectNode> r = sink.callOr404("search " + index, null, () -> client.search(req, ObjectNode.class));
      if (r == null || r.hits().hits().isEmpty()) return out;
      for (Hit<ObjectNode> h : r.hits().hits()) {
        out.add(JSON.convertValue(h.source(), JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class)));
        after = h.sort();
      }
    }
  }

  @Override
  public void close() {
    sink.close();
  }
}
