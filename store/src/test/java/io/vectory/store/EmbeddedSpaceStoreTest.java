package io.vectory.store;

import io.vectory.sink.IndexInfo;
import io.vectory.sink.SpaceWriter;
import io.vectory.sink.TestData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSpaceStoreTest {

  static Space fortunes;

  @TempDir Path dir;

  @BeforeAll
  static void data() {
    fortunes = TestData.fortunes(128);
  }

  private static void write(SpaceStore store, List<SpaceEvent> events) {
    SpaceWriter w = new SpaceWriter(store);
    events.forEach(w::apply);
  }

  /** Recall@10 of the HNSW search against the exact engine, over every third point (436 queries), for each metric. */
  @Test
  void hnswFindsNearlyAllExactNeighbours() {
    int k = 10;
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      for (Metric metric : Metric.values()) {
        String name = "fortunes-" + metric.label();
        store.putIndex(name, fortunes, metric, "hnsw", "fortunes", "hashed-tfidf", "test");
        int[] exact = ExactKnn.search(fortunes.vectors(), metric, k, false);
        int n = fortunes.ids().size();
        long hits = 0, queries = 0;
        for (int i = 0; i < n; i += 3, queries++) {
          Set<String> want = new HashSet<>();
          for (int j = 0; j < k; j++) want.add(fortunes.ids().get(exact[i * k + j]));
          for (var nb : store.knn(name, fortunes.ids().get(i), k, false)) if (want.contains(nb.id())) hits++;
        }
        double recall = hits / (double) (queries * k);
        System.out.printf("embedded HNSW recall@%d vs exact, %s, fortunes %d x %d, %d queries (self excluded): %.4f%n", k, metric.label(), n, 128, queries, recall);
        assertTrue(recall >= 0.95, metric + " recall " + recall);
      }
    }
  }

  @Test
  void exactModelAgreesWithTheExactEngine() {
    int k = 10;
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      store.putIndex("exact", fortunes, Metric.EUCLIDEAN, "exact", "fortunes", "hashed-tfidf", "test");
      int[] exact = ExactKnn.search(fortunes.vectors(), Metric.EUCLIDEAN, k, false);
      int same = 0, n = 200;
      for (int i = 0; i < n; i++) {
        var got = store.knn("exact", fortunes.ids().get(i), k, false);
        Set<String> want = new HashSet<>(), have = new HashSet<>();
        for (int j = 0; j < k; j++) want.add(fortunes.ids().get(exact[i * k + j]));
        for (var nb : got) have.add(nb.id());
        if (want.equals(have)) same++;
        // the value is the L2 distance itself
        float[] a = new float[128], b = new float[128];
        fortunes.vectors().row(i, a);
        fortunes.vectors().row((int) got.get(0).row(), b);
        double d = 0;
        for (int j = 0; j < 128; j++) d += (a[j] - b[j]) * (double) (a[j] - b[j]);
        assertEquals(Math.sqrt(d), got.get(0).value(), 1e-3 * Math.max(1, Math.sqrt(d)));
      }
      assertTrue(same >= n - 2, same + " of " + n + " neighbour sets equal the exact engine's");
    }
  }

  @Test
  void checkpointPersistsAcrossReopenAndLoadsBackExactly() {
    List<SpaceEvent> events = TestData.checkpoint("fortunes-triplet", "head", 300, fortunes, Metric.COSINE, 200);
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      write(store, events);
      store.putComparisons(List.of(TestData.comparison("fortunes-triplet", 300, 200, Relation.PREVIOUS, 0.4, 2_000L)));
      store.putAlerts(List.of(TestData.alert("fortunes-triplet", 300, 200, 0.1)));
    }
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      IndexInfo info = store.resolve("fortunes-triplet/head");
      assertEquals("fortunes-triplet/head@300", info.name());
      assertTrue(info.complete());
      assertEquals(1307, info.rows());
      assertEquals(List.of("fortunes"), store.datasets());
      assertEquals(List.of("fortunes-triplet"), store.experiments());
      Space back = store.loadSpace("fortunes-triplet/head@300");
      assertEquals(fortunes.ids(), back.ids());
      // raw vectors, not the unit vectors indexed for cosine
      assertArrayEquals(fortunes.vectors().data(), back.vectors().data());
      assertEquals(fortunes.columns().get("label"), back.columns().get("label"));
      assertEquals(1, store.comparisons(null).size());
      assertEquals(1, store.comparisons("fortunes-triplet").size());
      assertEquals(0, store.comparisons("other").size());
      assertEquals(1, store.alerts(null).size());
      var self = store.knn("fortunes-triplet/head@300", "f0002", 1, true).get(0);
      assertEquals("f0002", self.id());
      assertEquals(1.0, self.value(), 1e-5);
      assertEquals("computers", self.metadata().get("label"));
    }
  }

  @Test
  void replayOverwritesInsteadOfDoubling() {
    List<SpaceEvent> events = TestData.checkpoint("e", "head", 1, fortunes, Metric.COSINE, 500);
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      write(store, events);
      write(store, events);
      var c = TestData.comparison("e", 1, 0, Relation.FIRST, 0.4, 2_000L);
      store.putComparisons(List.of(c));
      store.putComparisons(List.of(c, TestData.comparison("e", 1, 0, Relation.PREVIOUS, 0.4, 2_001L)));
    }
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      assertEquals(1307, store.resolve("e/head@1").rows());
      assertEquals(1307, store.loadSpace("e/head@1").ids().size());
      assertEquals(2, store.comparisons("e").size());
    }
  }

  @Test
  void rejectionsPersistBesideTheResultsOncePerRecordAndGoWithTheExperiment() {
    io.vectory.avro.DeadLetter late = io.vectory.avro.DeadLetter.newBuilder().setSourceTopic("vectory.space-events").setPartition(0).setOffset(12)
        .setKey("exp").setCheckpoint("exp/head@3").setReason("checkpoint exp/head@3 rejected: step: 3 is not after the previous accepted checkpoint (step 5)")
        .setFailedAt(java.time.Instant.ofEpochMilli(2_000L)).build();
    io.vectory.avro.DeadLetter undecodable = io.vectory.avro.DeadLetter.newBuilder().setSourceTopic("vectory.space-events").setPartition(0).setOffset(9)
        .setKey("other").setReason("cannot decode the value").setPayload(java.nio.ByteBuffer.wrap(new byte[] {1, 2}))
        .setFailedAt(java.time.Instant.ofEpochMilli(1_000L)).build();
    try (EmbeddedSpaceStore s = new EmbeddedSpaceStore(dir)) {
      s.putDeadLetters(List.of(late, undecodable));
      s.putDeadLetters(List.of(late)); // the Streams app's output replayed
    }
    assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("rejections.jsonl")));
    try (EmbeddedSpaceStore s = new EmbeddedSpaceStore(dir)) {
      assertEquals(List.of(late), s.deadLetters("exp"));
      List<io.vectory.avro.DeadLetter> all = s.deadLetters(null);
      assertEquals(2, all.size());
      assertEquals("cannot decode the value", all.get(0).getReason(), "oldest first");
      assertEquals(null, all.get(0).getPayload(), "the payload bytes are not kept");
      assertTrue(s.deleteResults("exp") > 0);
      assertEquals(List.of(), s.deadLetters("exp"));
      assertEquals(1, s.deadLetters(null).size());
    }
  }

  @Test
  void aCheckpointInterruptedMidwayCompletesAfterReopen() {
    List<SpaceEvent> events = TestData.checkpoint("e", "head", 2, fortunes, Metric.EUCLIDEAN, 300);
    int half = events.size() / 2;
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      write(store, events.subList(0, half));
      assertFalse(store.resolve("e/head@2").complete());
      assertTrue(store.find("e/head").isEmpty(), "an incomplete checkpoint is not the latest step");
    }
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      write(store, events.subList(half, events.size())); // no SpaceRegistered in this half
      assertTrue(store.resolve("e/head").complete());
      assertArrayEquals(fortunes.vectors().data(), store.loadSpace("e/head").vectors().data());
    }
  }

  @Test
  void aChunkThatDoesNotFitIsRefusedNamingTheField() {
    List<SpaceEvent> events = TestData.checkpoint("e", "head", 3, fortunes, Metric.COSINE, 500);
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      write(store, events.subList(0, 1));
      EmbeddingChunk c = (EmbeddingChunk) events.get(1).getEvent();
      EmbeddingChunk bad = EmbeddingChunk.newBuilder(c).setVectors(ByteBuffer.wrap(new byte[12])).build();
      var e = assertThrows(IllegalArgumentException.class, () -> store.addChunk(bad));
      assertTrue(e.getMessage().contains("field vectors has 12 bytes"), e.getMessage());
      EmbeddingChunk orphan = EmbeddingChunk.newBuilder(c).setCheckpoint(new io.vectory.avro.CheckpointKey("e", "other", 9L)).build();
      e = assertThrows(IllegalArgumentException.class, () -> store.addChunk(orphan));
      assertTrue(e.getMessage().contains("SpaceRegistered never arrived"), e.getMessage());
    }
  }

  @Test
  void deleteRemovesAnIndexAndUnknownNamesSayWhatExists() {
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      Space small = new Space("s", fortunes.ids().subList(0, 50),
          FloatMatrix.wrap(50, 128, java.util.Arrays.copyOf(fortunes.vectors().data(), 50 * 128)), java.util.Map.of());
      store.putIndex("small", small, Metric.DOT, "hnsw", null, null, "test");
      assertEquals(1, store.indices().size());
      var e = assertThrows(IllegalArgumentException.class, () -> store.resolve("nope"));
      assertTrue(e.getMessage().contains("small"), e.getMessage());
      assertTrue(store.delete("small"));
      assertFalse(store.delete("small"));
      assertEquals(0, store.indices().size());
    }
  }

  @Test
  void vectorsWiderThanLucenesDefaultCapAreIndexed() {
    int dim = 1536;
    float[] data = new float[20 * dim];
    for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i * 0.37);
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      store.putIndex("wide", Space.ofRows("wide", FloatMatrix.wrap(20, dim, data)), Metric.COSINE, "hnsw", null, null, "test");
      assertEquals("3", store.knn("wide", "3", 1, true).get(0).id());
    }
  }
}
