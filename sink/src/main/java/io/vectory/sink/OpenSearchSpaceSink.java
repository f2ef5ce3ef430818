package io.vectory.sink;

import io.vectory.schemas.CheckpointNames;
import com.fasterxml.jackson.databind.JsonNode;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SpaceSink} on OpenSearch with the k-NN plugin: one index per space (knn_vector, HNSW with
 * {@code "engine":"lucene"}, set in {@link Docs}: faiss would crash this OpenSearch build),
 * {@code vectory-comparisons} and {@code vectory-alerts} with the mappings in {@code io/vectory/sink/opensearch/}.
 * All writes are bulk requests with natural {@code _id}s. The read side is the store module's OpenSearchSpaceStore.
 */
public final class OpenSearchSpaceSink implements SpaceSink {

  private final OpenSearchHttp http;
  private final IndexNames names;
  /** Entries of checkpoints being written, by physical name (so a chunk needs no round trip for its columns). */
  private final Map<String, IndexInfo> open = new ConcurrentHashMap<>();
  private volatile boolean resultIndicesReady;

  public OpenSearchSpaceSink(String url, IndexNames names, Duration requestTimeout) {
    this.http = new OpenSearchHttp(url, requestTimeout);
    this.names = names;
  }

  public IndexNames names() {
    return names;
  }

  /** The HTTP client this sink writes through (the store's read side shares it). */
  public OpenSearchHttp http() {
    return http;
  }

  @Override
  public String location() {
    return http.url();
  }

  // ---- checkpoints

  @Override
  public IndexInfo beginCheckpoint(SpaceRegistered registered) {
    IndexInfo info = Chunks.info(registered, names);
    IndexInfo existing = meta(info.physical());
    if (existing != null && existing.dimension() == info.dimension() && existing.metric() == info.metric()
        && existing.columns().equals(info.columns())) {
      // A replay (or a restart mid-checkpoint): keep the points, the chunks overwrite them.
      open.put(info.physical(), info);
      return existing;
    }
    if (existing != null) http.call("DELETE", "/" + info.physical(), null, 404);
    create(info);
    open.put(info.physical(), info);
    return info;
  }

  @Override
  public void addChunk(EmbeddingChunk chunk) {
    var k = chunk.getCheckpoint();
    String physical = names.space(k.getExperiment(), k.getSpace(), k.getStep());
    IndexInfo info = open.get(physical);
    if (info == null) {
      info = meta(physical);
      if (info == null) {
        throw new IllegalArgumentException("EmbeddingChunk " + CheckpointNames.of(k) + " #" + chunk.getSequence()
            + ": no index " + physical + " (its SpaceRegistered never arrived)");
      }
      open.put(physical, info);
    }
    float[] v = Chunks.vectors(chunk, info);
    int dim = info.dimension();
    StringBuilder nd = new StringBuilder(v.length * 12);
    List<String> ids = chunk.getIds();
    for (int i = 0; i < ids.size(); i++) {
      float[] row = Arrays.copyOfRange(v, i * dim, (i + 1) * dim);
      List<String> meta = chunk.getMetadata().isEmpty() ? null : chunk.getMetadata().get(i);
      appendIndex(nd, physical, ids.get(i), Docs.pointDoc(ids.get(i), chunk.getFirstRow() + i, row, info.columns(), meta));
    }
    List<String> failed = bulk(nd.toString());
    if (!failed.isEmpty()) {
      throw new IllegalArgumentException("EmbeddingChunk " + CheckpointNames.of(k) + " #" + chunk.getSequence() + ": OpenSearch rejected "
          + failed.size() + " of " + ids.size() + " points, first: " + failed.get(0));
    }
  }

  @Override
  public IndexInfo completeCheckpoint(CheckpointCompleted completed) {
    var k = completed.getCheckpoint();
    String physical = names.space(k.getExperiment(), k.getSpace(), k.getStep());
    IndexInfo info = open.containsKey(physical) ? open.get(physical) : meta(physical);
    if (info == null) {
      throw new IllegalArgumentException("CheckpointCompleted " + CheckpointNames.of(k) + ": no index " + physical + " (its SpaceRegistered never arrived)");
    }
    http.call("POST", "/" + physical + "/_refresh", null);
    long count = http.call("GET", "/" + physical + "/_count", null).body().path("count").asLong();
    if (count != completed.getRows()) {
      throw new IllegalArgumentException("CheckpointCompleted " + CheckpointNames.of(k) + ": field rows is " + completed.getRows()
          + " but index " + physical + " holds " + count + " points");
    }
    IndexInfo done = info.completed(count);
    putMeta(done);
    open.remove(physical);
    return done;
  }

  // ---- results

  @Override
  public void putComparisons(List<ComparisonResult> results) {
    ensureResultIndices();
    StringBuilder nd = new StringBuilder();
    for (ComparisonResult r : results) appendIndex(nd, names.comparisons(), Docs.comparisonId(r), Docs.comparisonDoc(r));
    List<String> failed = bulkPerItem(nd.toString(), results.size());
    rejectIfAny("comparison results", failed);
  }

  @Override
  public void putAlerts(List<DriftAlert> alerts) {
    ensureResultIndices();
    StringBuilder nd = new StringBuilder();
    for (DriftAlert a : alerts) appendIndex(nd, names.alerts(), Docs.alertId(a), Docs.alertDoc(a));
    List<String> failed = bulkPerItem(nd.toString(), alerts.size());
    rejectIfAny("drift alerts", failed);
  }

  private static void rejectIfAny(String what, List<String> perItem) {
    Map<Integer, String> f = new HashMap<>();
    for (int i = 0; i < perItem.size(); i++) if (perItem.get(i) != null) f.put(i, perItem.get(i));
    if (!f.isEmpty()) throw new RejectedItemsException(what, f);
  }

  @Override
  public void close() {
    // java.net.http.HttpClient needs no closing on Java 21.
  }

  // ---- plumbing

  /** Creates vectory-comparisons and vectory-alerts from their mapping files, once. */
  public void ensureResultIndices() {
    if (resultIndicesReady) return;
    createIfMissing(names.comparisons(), "vectory-comparisons.json");
    createIfMissing(names.alerts(), "vectory-alerts.json");
    resultIndicesReady = true;
  }

  private void createIfMissing(String index, String resource) {
    if (http.call("HEAD", "/" + index, null, 404).status() == 200) return;
    var r = http.call("PUT", "/" + index, mappingResource(resource), 400);
    if (r.status() == 400 && !r.body().path("error").path("type").asText().equals("resource_already_exists_exception")) {
      throw new IllegalArgumentException("cannot create " + index + ": " + OpenSearchHttp.reason(r.body(), new byte[0]));
    }
  }

  /** The mapping file (the contract with the dashboards), as text. */
  public static String mappingResource(String file) {
    try (InputStream in = OpenSearchSpaceSink.class.getResourceAsStream("opensearch/" + file)) {
      if (in == null) throw new IllegalStateException("missing resource io/vectory/sink/opensearch/" + file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void create(IndexInfo info) {
    var r = http.call("PUT", "/" + info.physical(), Docs.spaceIndexBody(info), 400);
    if (r.status() == 400 && !r.body().path("error").path("type").asText().equals("resource_already_exists_exception")) {
      throw new IllegalArgumentException("cannot create index " + info.physical() + " for " + info.name() + ": " + OpenSearchHttp.reason(r.body(), new byte[0]));
    }
  }

  public IndexInfo meta(String physical) {
    var r = http.call("GET", "/" + physical + "/_mapping", null, 404);
    if (r.status() == 404) return null;
    JsonNode v = r.body().path(physical).path("mappings").path("_meta").path("vectory");
    return v.isObject() ? IndexInfo.fromMap(OpenSearchHttp.JSON.convertValue(v, Map.class)) : null;
  }

  public void putMeta(IndexInfo info) {
    http.call("PUT", "/" + info.physical() + "/_mapping", Map.of("_meta", Map.of("vectory", info.toMap())));
  }

  public static void appendIndex(StringBuilder nd, String index, String id, Map<String, Object> doc) {
    try {
      nd.append(OpenSearchHttp.JSON.writeValueAsString(Map.of("index", Map.of("_index", index, "_id", id)))).append('\n');
      nd.append(OpenSearchHttp.JSON.writeValueAsString(doc)).append('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a bulk request; returns the reasons of rejected items (empty when all passed). */
  public List<String> bulk(String ndjson) {
    List<String> out = new ArrayList<>();
    for (String s : bulkPerItem(ndjson, -1)) if (s != null) out.add(s);
    return out;
  }

  /** Per item, null or why OpenSearch rejected it. Server-side item failures (5xx, 429) mean retry the whole request. */
  private List<String> bulkPerItem(String ndjson, int expected) {
    if (ndjson.isEmpty()) return List.of();
    JsonNode body = http.bulk(ndjson).body();
    List<String> out = new ArrayList<>();
    for (JsonNode item : body.path("items")) {
      JsonNode op = item.path("index");
      int status = op.path("status").asInt();
      if (status >= 500 || status == 429) {
        throw new StoreUnavailableException("OpenSearch answered " + status + " for a bulk item: " + OpenSearchHttp.reason(op, new byte[0]));
      }
      out.add(status / 100 == 2 ? null : "_id " + op.path("_id").asText() + ": " + OpenSearchHttp.reason(op, new byte[0]));
    }
    if (expected >= 0 && out.size() != expected) {
      throw new StoreUnavailableException("OpenSearch answered " + out.size() + " bulk items for " + expected + " requests");
    }
    return out;
  }
}
