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
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import io.vectory.schemas.CheckpointNames;
import io.vectory.sink.OpenSearchClients;
import io.vectory.sink.OpenSearchMappings;
import io.vectory.sink.StoreUnavailableException;
import io.vectory.sink.OpenSearchSpaceSink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Conflicts;
import org.opensearch.client.opensearch._types.ExpandWildcard;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.Result;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.cluster.HealthResponse;
import org.opensearch.client.opensearch.core.DeleteResponse;
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
 * entry lives in its mapping's {@code _meta}, so listing needs no catalogue. Registered datasets and experiments
 * are documents of {@code <prefix>catalogue}, kept exact k-NN lists documents of {@code <prefix>knn-lists}
 * (explicit mappings in {@link OpenSearchMappings}), so every command works the same on either store.
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
    return write(new IndexInfo(name, names.loaded(name), IndexInfo.LOADED, null, null, -1, dataset, model, metric, knnModel,
        space.vectors().cols(), space.vectors().rows(), columns(space), false, System.currentTimeMillis(), source), space);
  }

  @Override
  public IndexInfo putCheckpoint(String experiment, String space, long step, Space vectors, Metric metric, String dataset, String model) {
    return write(new IndexInfo(CheckpointNames.of(experiment, space, step), names.space(experiment, space, step), IndexInfo.CHECKPOINT,
        experiment, space, step, dataset, model, metric, "hnsw", vectors.vectors().cols(), vectors.vectors().rows(), columns(vectors), false,
        System.currentTimeMillis(), null), vectors);
  }

  private static List<String> columns(Space space) {
    return new ArrayList<>(new TreeSet<>(space.columns().keySet()));
  }

  /** Replaces the index of {@code info} with the space's points (bulk pages) and marks it complete. */
  private IndexInfo write(IndexInfo info, Space space) {
    FloatMatrix m = space.vectors();
    List<String> cols = info.columns();
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
        List<String> failed = OpenSearchSpaceSink.rejected(sink.bulk(page, "points of index " + info.name()));
        if (!failed.isEmpty()) throw new IllegalArgumentException("index " + info.name() + ": OpenSearch rejected " + failed.size() + " points, first: " + failed.get(0));
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
    SpaceRows rows = new SpaceRows(info);
    int dim = info.dimension();
    FieldValue after = null;
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
        int at = rows.put(row, s.path(Docs.ID).asText(), c -> s.path(Docs.META).path(c).asText(null));
        JsonNode vec = s.path(Docs.VECTOR);
        for (int j = 0; j < dim; j++) rows.data()[at + j] = (float) vec.path(j).asDouble();
        after = FieldValue.of(row);
      }
    }
    return rows.build();
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
    deleteWhere(names.knnLists(), "index", found.get().physical());
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
      SearchResponse<ObjectNode> r = searchResults(index, req);
      if (r == null || r.hits().hits().isEmpty()) return out;
      for (Hit<ObjectNode> h : r.hits().hits()) {
        out.add(JSON.convertValue(h.source(), JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class)));
        after = h.sort();
      }
    }
  }

  /**
   * One page of a result index (null when there is none). A result index the sink has just created may have no
   * searchable primary shard yet (OpenSearch answers 503, "all shards failed"): its health is awaited first, and
   * a 503 is retried once after waiting again.
   */
  private SearchResponse<ObjectNode> searchResults(String index, SearchRequest req) {
    if (!searchable.contains(index) && !awaitPrimary(index)) return null;
    try {
      return sink.callOr404("search " + index, null, () -> client.search(req, ObjectNode.class));
    } catch (StoreUnavailableException e) {
      if (!(e.getCause() instanceof OpenSearchException os && os.status() == 503)) throw e;
      searchable.remove(index);
      if (!awaitPrimary(index)) return null;
      return sink.callOr404("search " + index, null, () -> client.search(req, ObjectNode.class));
    }
  }

  /** Result indices whose primary shard this store has seen active. */
  private final java.util.Set<String> searchable = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Waits (up to the client's request timeout) for the index's primary shard; false when there is no such index. */
  private boolean awaitPrimary(String index) {
    if (!sink.call("check index " + index, () -> client.indices().exists(e -> e.index(index)).value())) return false;
    HealthResponse h = sink.call("wait for the primary shard of " + index, () -> client.cluster().health(r -> r.index(index)
        .waitForActiveShards(w -> w.count(1)).waitForStatus(HealthStatus.Yellow).timeout(t -> t.time("30s"))));
    if (h.timedOut()) throw new StoreUnavailableException("OpenSearch at " + location() + ": the primary shard of " + index + " is not active after 30 s (status " + h.status() + ")");
    searchable.add(index);
    return true;
  }

  /**
   * Deletes the documents of an index whose field holds the value, written before this call (the index is refreshed
   * first: delete-by-query sees only what search sees), at once visible; how many (0 when there is no index).
   */
  private long deleteWhere(String index, String field, String value) {
    if (sink.callOr404("refresh " + index, null, () -> client.indices().refresh(r -> r.index(index))) == null) return 0;
    Long deleted = sink.callOr404("delete from " + index + " where " + field + " = " + value, 0L, () -> client.deleteByQuery(d -> d.index(index)
        .query(q -> q.term(t -> t.field(field).value(FieldValue.of(value)))).refresh(Refresh.True).conflicts(Conflicts.Proceed)).deleted());
    return deleted == null ? 0 : deleted;
  }

  @Override
  public int deleteResults(String experiment) {
    return Math.toIntExact(deleteWhere(names.comparisons(), "experiment", experiment) + deleteWhere(names.alerts(), "experiment", experiment));
  }

  // ---- k-NN lists: kept in <prefix>knn-lists, one document per index, metric and self rule

  @Override
  public KeptLists knnLists(String ref, Metric metric, int k, boolean includeSelf, boolean recompute, ProgressListener progress) {
    IndexInfo info = resolve(ref);
    if (!info.complete()) throw new IllegalArgumentException(info.name() + " is still being written; its k-NN lists are computed once it is complete");
    String id = keptId(info, metric, includeSelf);
    KnnLists kept = keptLists(id, info);
    if (!recompute && kept != null && kept.serves(k, metric, includeSelf, null)) return new KeptLists(kept.truncate(k), false);
    Space s = loadSpace(info.name());
    KnnLists lists = KnnLists.compute(s.vectors(), metric, k, includeSelf, null, progress);
    if (kept == null || recompute || kept.k() < k) keepLists(id, info, lists);
    return new KeptLists(lists, true);
  }

  @Override
  public Optional<KnnLists> keptLists(String ref, Metric metric, int k, boolean includeSelf) {
    IndexInfo info = resolve(ref);
    KnnLists kept = keptLists(keptId(info, metric, includeSelf), info);
    return kept != null && kept.serves(k, metric, includeSelf, null) ? Optional.of(kept.truncate(k)) : Optional.empty();
  }

  private static String keptId(IndexInfo info, Metric metric, boolean includeSelf) {
    return info.physical() + ":" + metric.name().toLowerCase(Locale.ROOT) + ":" + (includeSelf ? "self" : "noself");
  }

  /** The kept lists of that id when they are of this very index (same creation time and rows), else null. */
  private KnnLists keptLists(String id, IndexInfo info) {
    GetResponse<ObjectNode> r = sink.callOr404("read kept k-NN lists " + id, null, () -> client.get(g -> g.index(names.knnLists()).id(id), ObjectNode.class));
    if (r == null || !r.found() || r.source() == null) return null;
    JsonNode d = r.source();
    if (d.path("created_at").asLong() != info.createdAt() || d.path("rows").asLong() != info.rows() || d.path("n").asLong() != info.rows()) return null;
    int[] nb = KnnLists.unpack(ByteBuffer.wrap(Base64.getDecoder().decode(d.path("neighbours").asText())));
    return new KnnLists(d.path("n").asInt(), d.path("k").asInt(), Metric.valueOf(d.path("metric").asText()), d.path("include_self").asBoolean(), null, nb);
  }

  private void keepLists(String id, IndexInfo info, KnnLists lists) {
    sink.createIfMissing(names.knnLists(), OpenSearchMappings::knnListsIndex, "for kept k-NN lists");
    ByteBuffer b = KnnLists.pack(lists.neighbours());
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("index", info.physical());
    doc.put("metric", lists.metric().name());
    doc.put("include_self", lists.includeSelf());
    doc.put("n", lists.n());
    doc.put("k", lists.k());
    doc.put("created_at", info.createdAt());
    doc.put("rows", info.rows());
    doc.put("neighbours", Base64.getEncoder().encodeToString(b.array()));
    sink.call("keep k-NN lists " + id, () -> client.index(x -> x.index(names.knnLists()).id(id).document(doc).refresh(Refresh.True)));
  }

  // ---- datasets and experiments: <prefix>catalogue, one document each, _id <kind>:<name>

  private static final String DATASET = "dataset";
  private static final String EXPERIMENT = "experiment";

  @Override
  public DatasetEntry putDataset(DatasetEntry entry, String csvText) {
    putEntry(DATASET, entry.name(), entry, csvText);
    return entry;
  }

  @Override
  public Optional<DatasetEntry> dataset(String name) {
    return entry(DATASET, name).map(d -> JSON.convertValue(d.path("entry"), DatasetEntry.class));
  }

  @Override
  public String datasetCsv(String name) {
    return entry(DATASET, name).map(d -> d.path("csv").asText())
        .orElseThrow(() -> new IllegalArgumentException("no dataset named '" + name + "' in " + location()));
  }

  @Override
  public List<DatasetEntry> registeredDatasets() {
    List<DatasetEntry> out = new ArrayList<>();
    SearchRequest req = SearchRequest.of(q -> q.index(names.catalogue()).size(10_000)
        .query(x -> x.term(t -> t.field("kind").value(FieldValue.of(DATASET)))).sort(o -> o.field(f -> f.field("name").order(SortOrder.Asc))));
    SearchResponse<ObjectNode> r = sink.callOr404("list datasets in " + names.catalogue(), null, () -> client.search(req, ObjectNode.class));
    if (r != null) for (Hit<ObjectNode> h : r.hits().hits()) out.add(JSON.convertValue(h.source().path("entry"), DatasetEntry.class));
    return out;
  }

  @Override
  public boolean deleteDataset(String name) {
    return deleteEntry(DATASET, name);
  }

  @Override
  public ExperimentEntry putExperiment(ExperimentEntry entry) {
    putEntry(EXPERIMENT, entry.name(), entry, null);
    return entry;
  }

  @Override
  public Optional<ExperimentEntry> experiment(String name) {
    return entry(EXPERIMENT, name).map(d -> JSON.convertValue(d.path("entry"), ExperimentEntry.class));
  }

  @Override
  public boolean deleteExperiment(String name) {
    return deleteEntry(EXPERIMENT, name);
  }

  private void putEntry(String kind, String name, Object entry, String csv) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a " + kind + " name must not be empty");
    sink.createIfMissing(names.catalogue(), OpenSearchMappings::catalogueIndex, "for registered datasets and experiments");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("kind", kind);
    doc.put("name", name);
    doc.put("entry", JSON.convertValue(entry, Map.class));
    if (csv != null) doc.put("csv", csv);
    sink.call("register " + kind + " " + name, () -> client.index(x -> x.index(names.catalogue()).id(kind + ":" + name).document(doc).refresh(Refresh.True)));
  }

  private Optional<JsonNode> entry(String kind, String name) {
    GetResponse<ObjectNode> r = sink.callOr404("read " + kind + " " + name, null,
        () -> client.get(g -> g.index(names.catalogue()).id(kind + ":" + name), ObjectNode.class));
    return r == null || !r.found() || r.source() == null ? Optional.empty() : Optional.of(r.source());
  }

  private boolean deleteEntry(String kind, String name) {
    DeleteResponse r = sink.callOr404("delete " + kind + " " + name, null,
        () -> client.delete(d -> d.index(names.catalogue()).id(kind + ":" + name).refresh(Refresh.True)));
    return r != null && r.result() == Result.Deleted;
  }

  @Override
  public void close() {
    sink.close();
  }
}
