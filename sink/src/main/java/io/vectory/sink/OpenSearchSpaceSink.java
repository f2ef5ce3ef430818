package io.vectory.sink;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.schemas.CheckpointNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.indices.GetMappingResponse;

/**
 * {@link SpaceSink} on OpenSearch with the k-NN plugin, through the official client: one index per space
 * (the mapping in {@link OpenSearchMappings}: knn_vector, HNSW, {@code "engine":"lucene"}),
 * {@code vectory-comparisons}, {@code vectory-alerts} and {@code vectory-dead-letters} from the mapping files in
 * {@code io/vectory/sink/opensearch/}. All writes are bulk requests with natural {@code _id}s. The read side
 * is the store module's OpenSearchSpaceStore, which shares this sink's client.
 */
public final class OpenSearchSpaceSink implements SpaceSink {

  private final OpenSearchClient client;
  private final String where;
  private final IndexNames names;
  /** Entries of checkpoints being written, by physical name (so a chunk needs no round trip for its columns). */
  private final Map<String, IndexInfo> open = new ConcurrentHashMap<>();
  private volatile boolean resultIndicesReady;

  public OpenSearchSpaceSink(OpenSearchClients.Settings settings, IndexNames names) {
    this.client = OpenSearchClients.open(settings);
    this.where = settings.displayUrl();
    this.names = names;
  }

  public OpenSearchSpaceSink(String url, IndexNames names, Duration requestTimeout) {
    this(OpenSearchClients.Settings.of(url, requestTimeout), names);
  }

  public IndexNames names() {
    return names;
  }

  /** The client this sink writes through (the store's read side shares it). */
  public OpenSearchClient client() {
    return client;
  }

  public JsonpMapper mapper() {
    return client._transport().jsonpMapper();
  }

  /** Runs one client call, failures sorted as {@link OpenSearchCalls} says. */
  public <T> T call(String what, OpenSearchCalls.Call<T> call) {
    return OpenSearchCalls.call(where, what, call);
  }

  /** Like {@link #call}, but a missing index gives {@code missing}. */
  public <T> T callOr404(String what, T missing, OpenSearchCalls.Call<T> call) {
    return OpenSearchCalls.callOr404(where, what, missing, call);
  }

  @Override
  public String location() {
    return where;
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
    if (existing != null) deleteIndex(info.physical());
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
    List<String> ids = chunk.getIds();
    List<BulkOperation> ops = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      float[] row = Arrays.copyOfRange(v, i * dim, (i + 1) * dim);
      List<String> meta = chunk.getMetadata().isEmpty() ? null : chunk.getMetadata().get(i);
      ops.add(index(physical, ids.get(i), Docs.pointDoc(ids.get(i), chunk.getFirstRow() + i, row, info.columns(), meta)));
    }
    List<String> failed = rejected(bulk(ops, "EmbeddingChunk " + CheckpointNames.of(k) + " #" + chunk.getSequence()));
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
    long count = refreshAndCount(physical);
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
    List<BulkOperation> ops = new ArrayList<>(results.size());
    for (ComparisonResult r : results) ops.add(index(names.comparisons(), Docs.comparisonId(r), Docs.comparisonDoc(r)));
    rejectIfAny("comparison results", bulk(ops, results.size() + " comparison results"));
  }

  @Override
  public void putAlerts(List<DriftAlert> alerts) {
    ensureResultIndices();
    List<BulkOperation> ops = new ArrayList<>(alerts.size());
    for (DriftAlert a : alerts) ops.add(index(names.alerts(), Docs.alertId(a), Docs.alertDoc(a)));
    rejectIfAny("drift alerts", bulk(ops, alerts.size() + " drift alerts"));
  }

  @Override
  public void putDeadLetters(List<DeadLetter> deadLetters) {
    ensureResultIndices();
    List<BulkOperation> ops = new ArrayList<>(deadLetters.size());
    for (DeadLetter d : deadLetters) ops.add(index(names.deadLetters(), Docs.deadLetterId(d), Docs.deadLetterDoc(d)));
    rejectIfAny("dead letters", bulk(ops, deadLetters.size() + " dead letters"));
  }

  private static void rejectIfAny(String what, List<String> perItem) {
    Map<Integer, String> f = new HashMap<>();
    for (int i = 0; i < perItem.size(); i++) if (perItem.get(i) != null) f.put(i, perItem.get(i));
    if (!f.isEmpty()) throw new RejectedItemsException(what, f);
  }

  @Override
  public void close() {
    OpenSearchClients.close(client);
  }

  // ---- indices

  /** Creates vectory-comparisons, vectory-alerts and vectory-dead-letters from their mapping files, once. */
  public void ensureResultIndices() {
    if (resultIndicesReady) return;
    createIfMissing(names.comparisons(), "vectory-comparisons.json");
    createIfMissing(names.alerts(), "vectory-alerts.json");
    createIfMissing(names.deadLetters(), "vectory-dead-letters.json");
    resultIndicesReady = true;
  }

  private void createIfMissing(String index, String file) {
    createIfMissing(index, () -> OpenSearchMappings.resultIndex(file, mapper()), "from " + file);
  }

  /** Creates an index with its explicit mapping unless it is there (the store's catalogue and kept k-NN lists). */
  public void createIfMissing(String index, java.util.function.Supplier<OpenSearchMappings.IndexBody> body, String purpose) {
    if (call("check index " + index, () -> client.indices().exists(e -> e.index(index)).value())) return;
    create(index, body.get(), purpose);
  }

  /** Creates a space's k-NN index (an index already there, e.g. made by a concurrent writer, is kept). */
  public void create(IndexInfo info) {
    create(info.physical(), OpenSearchMappings.spaceIndex(info), "for " + info.name());
  }

  private void create(String index, OpenSearchMappings.IndexBody body, String purpose) {
    try {
      call("create index " + index + " " + purpose,
          () -> client.indices().create(c -> c.index(index).settings(body.settings()).mappings(body.mappings())));
    } catch (IllegalArgumentException e) {
      if (!OpenSearchCalls.isType(e, "resource_already_exists_exception")) throw e;
    }
  }

  /** Deletes an index; false when there was none. */
  public boolean deleteIndex(String index) {
    return callOr404("delete index " + index, false, () -> client.indices().delete(d -> d.index(index)).acknowledged());
  }

  /** The entry kept in an index's mapping {@code _meta}, or null when there is no such index (or no entry). */
  public IndexInfo meta(String physical) {
    GetMappingResponse r = callOr404("read the mapping of " + physical, null, () -> client.indices().getMapping(g -> g.index(physical)));
    if (r == null || r.get(physical) == null) return null;
    return info(r.get(physical).mappings());
  }

  /** The entry in a mapping's {@code _meta}, or null. */
  public IndexInfo info(TypeMapping mapping) {
    JsonData v = mapping == null ? null : mapping.meta().get(OpenSearchMappings.META_KEY);
    // A LinkedHashMap, not Map: the value read from the response is a JSON-P object, itself a Map of JSON-P values.
    return v == null ? null : IndexInfo.fromMap(v.to(LinkedHashMap.class, mapper()));
  }

  public void putMeta(IndexInfo info) {
    call("write the entry of " + info.physical(),
        () -> client.indices().putMapping(p -> p.index(info.physical()).meta(OpenSearchMappings.META_KEY, JsonData.of(info.toMap()))));
  }

  /** Makes every write to the index visible to search and returns how many documents it holds. */
  public long refreshAndCount(String index) {
    call("refresh " + index, () -> client.indices().refresh(r -> r.index(index)));
    return call("count " + index, () -> client.count(c -> c.index(index)).count());
  }

  // ---- bulk

  /** One index operation with a natural _id, so a replay overwrites. */
  public static BulkOperation index(String index, String id, Map<String, Object> doc) {
    return BulkOperation.of(o -> o.index(i -> i.index(index).id(id).document(doc)));
  }

  /** The reasons of the rejected items only (empty when every item passed). */
  public static List<String> rejected(List<String> perItem) {
    List<String> out = new ArrayList<>();
    for (String s : perItem) if (s != null) out.add(s);
    return out;
  }

  /**
   * Sends one bulk request; per item, null or why OpenSearch refused it. An item failing with 5xx or 429 is
   * the server's trouble, not the item's: the whole request is retried.
   */
  public List<String> bulk(List<BulkOperation> ops, String what) {
    if (ops.isEmpty()) return List.of();
    BulkResponse r = call("bulk-index " + what, () -> client.bulk(b -> b.operations(ops)));
    List<String> out = new ArrayList<>(ops.size());
    for (BulkResponseItem item : r.items()) {
      int status = item.status();
      if (status >= 500 || status == 429) {
        throw new StoreUnavailableException("OpenSearch at " + where + " answered " + status + " for a bulk item of " + what + ": "
            + OpenSearchCalls.reason(item.error()));
      }
      out.add(item.error() == null && status / 100 == 2 ? null : "_id " + item.id() + ": " + OpenSearchCalls.reason(item.error()));
    }
    if (out.size() != ops.size()) {
      throw new StoreUnavailableException("OpenSearch at " + where + " answered " + out.size() + " bulk items for " + ops.size() + " requests (" + what + ")");
    }
    return out;
  }
}
