package io.vectory.store;

import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import io.vectory.sink.OpenSearchClients;
import io.vectory.sink.SpaceWriter;
import io.vectory.sink.TestData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.mapping.KnnVectorProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real OpenSearch (env VECTORY_OPENSEARCH, default http://127.0.0.1:9200), under a test-only index prefix. */
class OpenSearchSpaceStoreIT {

  static final String URL = System.getenv().getOrDefault("VECTORY_OPENSEARCH", "http://127.0.0.1:9200");
  static Space fortunes;

  IndexNames names;
  OpenSearchSpaceStore store;
  OpenSearchClient client;

  @BeforeAll
  static void data() {
    fortunes = TestData.fortunes(64);
  }

  @BeforeEach
  void open() throws Exception {
    names = new IndexNames("it-" + UUID.randomUUID().toString().substring(0, 8) + "-vectory-");
    store = new OpenSearchSpaceStore(URL, names, Duration.ofSeconds(60));
    client = OpenSearchClients.open(OpenSearchClients.Settings.of(URL, Duration.ofSeconds(30)));
    // Fails loudly (not skips) when the server is absent: the test command starts the stack.
    assertTrue(client.ping().value(), "OpenSearch at " + URL);
  }

  @AfterEach
  void cleanUp() throws Exception {
    client.indices().delete(d -> d.index(names.prefix() + "*"));
    OpenSearchClients.close(client);
    store.close();
  }

  private long count(String index) throws Exception {
    client.indices().refresh(r -> r.index(index));
    return client.count(c -> c.index(index)).count();
  }

  @Test
  void everyVectorIsIndexedAndFindsItselfAmongItsTopNeighbours() throws Exception {
    List<SpaceEvent> events = TestData.checkpoint("fortunes-triplet", "head", 300, fortunes, Metric.COSINE, 250);
    SpaceWriter w = new SpaceWriter(store);
    events.forEach(w::apply);

    IndexInfo info = store.resolve("fortunes-triplet/head");
    assertEquals(names.space("fortunes-triplet", "head", 300), info.physical());
    assertTrue(info.complete());
    assertEquals(1307, count(info.physical()));

    KnnVectorProperty vector = client.indices().getMapping(g -> g.index(info.physical())).get(info.physical()).mappings()
        .properties().get("vector").knnVector();
    assertEquals("lucene", vector.method().engine());
    assertEquals("cosinesimil", vector.method().spaceType());
    assertEquals(64, vector.dimension());

    Space back = store.loadSpace("fortunes-triplet/head@300");
    assertEquals(fortunes.ids(), back.ids());
    assertArrayEquals(fortunes.vectors().data(), back.vectors().data());
    assertEquals(fortunes.columns().get("label"), back.columns().get("label"));

    // every point finds itself among its own top 10 (self included), with a cosine of ~1 (score 0.9999999, not 1.0)
    int k = 10, selfFirst = 0;
    int[] exact = ExactKnn.search(fortunes.vectors(), Metric.COSINE, k, false);
    long overlap = 0;
    for (int i = 0; i < fortunes.ids().size(); i++) {
      String id = fortunes.ids().get(i);
      var hits = store.knn(info.name(), id, k, true);
      assertTrue(hits.stream().anyMatch(h -> h.id().equals(id)), id + " not among its own top " + k);
      if (hits.get(0).id().equals(id)) {
        selfFirst++;
        assertEquals(1.0, hits.get(0).score(), 1e-6);
        assertEquals(1.0, hits.get(0).value(), 2e-6);
      }
      if (i % 4 == 0) {
        Set<String> want = new HashSet<>();
        for (int j = 0; j < k; j++) want.add(fortunes.ids().get(exact[i * k + j]));
        for (var h : store.knn(info.name(), id, k, false)) if (want.contains(h.id())) overlap++;
      }
    }
    double recall = overlap / (double) (((fortunes.ids().size() + 3) / 4) * k);
    System.out.printf("OpenSearch lucene HNSW, fortunes 1307 x 64 cosine: self first for %d of 1307; recall@10 vs exact (self excluded, %d queries) %.4f%n",
        selfFirst, (fortunes.ids().size() + 3) / 4, recall);
    assertTrue(selfFirst >= 1300, selfFirst + " points ranked first for themselves");
    assertTrue(recall >= 0.95, "recall " + recall);
  }

  @Test
  void replayOverwritesInsteadOfDoubling() throws Exception {
    List<SpaceEvent> events = TestData.checkpoint("e", "head", 1, fortunes, Metric.EUCLIDEAN, 500);
    SpaceWriter w = new SpaceWriter(store);
    events.forEach(w::apply);
    events.forEach(w::apply);
    assertEquals(1307, count(names.space("e", "head", 1)));

    var c = TestData.comparison("e", 1, 0, Relation.PREVIOUS, 0.41, 1_700_000_000_000L);
    store.putComparisons(List.of(c));
    store.putComparisons(List.of(c, TestData.comparison("e", 1, 0, Relation.FIRST, 0.2, 1_700_000_000_001L)));
    store.putAlerts(List.of(TestData.alert("e", 1, 0, 0.1)));
    store.putAlerts(List.of(TestData.alert("e", 1, 0, 0.1)));
    assertEquals(2, count(names.comparisons()));
    assertEquals(1, count(names.alerts()));
    assertEquals(List.of(c, TestData.comparison("e", 1, 0, Relation.FIRST, 0.2, 1_700_000_000_001L)), store.comparisons("e"));
    assertEquals(1, store.alerts(null).size());

    ObjectNode doc = client.get(g -> g.index(names.comparisons()).id(Docs.comparisonId(c)), ObjectNode.class).source();
    assertEquals("previous", doc.path("relation").asText());
    assertEquals("cosine", doc.path("metric_a").asText());
    assertEquals(1_700_000_000_000L, doc.path("@timestamp").asLong());
    assertEquals(1252, doc.path("hist_9").asLong());
    // the dashboards query by these: a range on @timestamp and a term on experiment
    var r = client.search(s -> s.index(names.comparisons()).query(q -> q.bool(b -> b
        .filter(f -> f.term(t -> t.field("experiment").value(FieldValue.of("e"))))
        .filter(f -> f.range(g -> g.field("@timestamp").gte(JsonData.of(1_700_000_000_000L)))))), ObjectNode.class);
    assertEquals(2, r.hits().total().value());
  }

  @Test
  void loadedIndexWithTheExactModelAnswersLikeTheExactEngine() {
    store.putIndex("fortunes-exact", fortunes, Metric.DOT, "exact", "fortunes", "hashed-tfidf", "test");
    assertEquals(1307, store.resolve("fortunes-exact").rows());
    int k = 5;
    int[] exact = ExactKnn.search(fortunes.vectors(), Metric.DOT, k, false);
    int same = 0;
    for (int i = 0; i < 100; i++) {
      Set<String> want = new HashSet<>(), have = new HashSet<>();
      for (int j = 0; j < k; j++) want.add(fortunes.ids().get(exact[i * k + j]));
      for (var h : store.knn("fortunes-exact", fortunes.ids().get(i), k, false)) have.add(h.id());
      if (want.equals(have)) same++;
    }
    assertTrue(same >= 98, same + " of 100 neighbour sets equal the exact engine's");
    assertTrue(store.delete("fortunes-exact"));
    assertTrue(store.find("fortunes-exact").isEmpty());
  }

  @Test
  void checkpointsDatasetsExperimentsKeptListsAndResultsLiveInOpenSearchToo() throws Exception {
    // A checkpoint stored at once (add with no broker), its exact lists computed once, kept in <prefix>knn-lists.
    IndexInfo cp = store.putCheckpoint("e", "head", 0, fortunes, Metric.COSINE, "fortunes", "m");
    assertTrue(cp.isCheckpoint() && cp.complete() && cp.rows() == 1307, cp.toString());
    SpaceStore.KeptLists first = store.knnLists("e/head@0", Metric.COSINE, 10, false);
    assertTrue(first.computed());
    var exact = io.vectory.core.compare.KnnLists.compute(fortunes.vectors(), Metric.COSINE, 10, false, null, io.vectory.core.compare.ProgressListener.NONE);
    assertArrayEquals(exact.neighbours(), first.lists().neighbours());
    try (OpenSearchSpaceStore other = new OpenSearchSpaceStore(URL, names, Duration.ofSeconds(60))) {
      SpaceStore.KeptLists again = other.knnLists("e/head@0", Metric.COSINE, 5, false);
      assertTrue(!again.computed(), "another store instance reads the kept lists");
      assertArrayEquals(exact.truncate(5).neighbours(), again.lists().neighbours());
      assertTrue(other.keptLists("e/head@0", Metric.EUCLIDEAN, 10, false).isEmpty(), "no lists of another metric");
      assertTrue(other.keptLists("e/head@0", Metric.COSINE, 20, false).isEmpty(), "no lists of a larger k");
    }
    // Rewriting the checkpoint (new creation time) makes the kept lists stale: computed again.
    store.putCheckpoint("e", "head", 0, fortunes, Metric.COSINE, "fortunes", "m");
    assertTrue(store.keptLists("e/head@0", Metric.COSINE, 10, false).isEmpty());
    assertTrue(store.knnLists("e/head@0", Metric.COSINE, 10, false).computed());

    // Datasets and experiments, registered once and read back by name.
    String csv = "id,label\nf0,a\n";
    store.putDataset(new DatasetEntry("fortunes", "id", 1, "/tmp/f.csv", 1L), csv);
    store.putExperiment(new ExperimentEntry("e", "m", "train", java.util.Map.of("lr", "0.1"), 2L));
    assertEquals(new DatasetEntry("fortunes", "id", 1, "/tmp/f.csv", 1L), store.dataset("fortunes").orElseThrow());
    assertEquals(csv, store.datasetCsv("fortunes"));
    assertEquals(List.of("fortunes"), store.registeredDatasets().stream().map(DatasetEntry::name).toList());
    assertEquals(java.util.Map.of("lr", "0.1"), store.experiment("e").orElseThrow().params());

    // An experiment's results are deleted with it; another's stay.
    store.putComparisons(List.of(TestData.comparison("e", 1, 0, Relation.PREVIOUS, 0.4, 1_700_000_000_000L),
        TestData.comparison("other", 1, 0, Relation.PREVIOUS, 0.5, 1_700_000_000_000L)));
    store.putAlerts(List.of(TestData.alert("e", 1, 0, 0.1)));
    assertEquals(2, store.deleteResults("e"), "its comparison and its alert, written just before");
    assertTrue(store.comparisons("e").isEmpty() && store.alerts("e").isEmpty());
    assertEquals(1, store.comparisons("other").size());

    // Deleting the checkpoint takes its kept lists; the catalogue entries go by name.
    assertTrue(store.delete("e/head@0"));
    assertEquals(0, count(names.knnLists()), "kept lists deleted with their index");
    assertTrue(store.deleteDataset("fortunes") && store.deleteExperiment("e"));
    assertTrue(store.dataset("fortunes").isEmpty() && store.experiment("e").isEmpty() && !store.deleteDataset("fortunes"));
  }
}
