package io.vectory.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.sink.SpaceWriter;
import io.vectory.sink.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's parts: reads beside a held write lock, kept k-NN lists, the catalogue, bare names. */
class EmbeddedStoreJobsTest {

  static Space fortunes;

  @TempDir Path dir;

  @BeforeAll
  static void data() {
    fortunes = TestData.fortunes(64);
  }

  @Test
  void aKnnQueryDoesNotWaitBehindACheckpointWrite() throws Exception {
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      store.putCheckpoint("exp", "done", 1, fortunes, Metric.COSINE, "fortunes", "m");
      // A second checkpoint half written: its writer is open.
      List<SpaceEvent> events = TestData.checkpoint("exp", "open", 2, fortunes, Metric.COSINE, 300);
      SpaceWriter w = new SpaceWriter(store);
      events.subList(0, 3).forEach(w::apply);
      // Hold the write side's lock, as a long chunk write would, and query both indices from another thread.
      synchronized (store.lifecycle()) {
        var reads = CompletableFuture.supplyAsync(() -> List.of(
            store.knn("exp/done@1", "f0002", 5, false).size(),
            store.knn("exp/open@2", fortunes.vectors().row(0, new float[64]), 3).size(),
            store.loadSpace("exp/done@1").vectors().rows()));
        assertEquals(List.of(5, 3, 1307), reads.get(20, TimeUnit.SECONDS), "reads finished while the write lock was held");
      }
    }
  }

  @Test
  void knnListsAreComputedOnceKeptAndDroppedWhenTheSpaceChanges() {
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      store.putCheckpoint("exp", "s", 1, fortunes, Metric.COSINE, "fortunes", "m");
      SpaceStore.KeptLists first = store.knnLists("exp/s@1", Metric.COSINE, 10, false);
      assertTrue(first.computed());
      KnnLists direct = KnnLists.compute(fortunes.vectors(), Metric.COSINE, 10, false, null, ProgressListener.NONE);
      assertArrayEquals(direct.neighbours(), first.lists().neighbours(), "kept lists are the exact engine's");
      assertEquals(1, store.knnPasses());

      SpaceStore.KeptLists again = store.knnLists("exp/s@1", Metric.COSINE, 10, false);
      assertFalse(again.computed());
      assertArrayEquals(direct.neighbours(), again.lists().neighbours());
      SpaceStore.KeptLists smaller = store.knnLists("exp/s@1", Metric.COSINE, 4, false);
      assertFalse(smaller.computed(), "k 4 is the prefix of the kept k 10");
      assertArrayEquals(direct.truncate(4).neighbours(), smaller.lists().neighbours());
      assertTrue(store.knnLists("exp/s@1", Metric.EUCLIDEAN, 10, false).computed(), "another metric is another list");
      assertTrue(store.knnLists("exp/s@1", Metric.COSINE, 10, true).computed(), "self in is another list");
      assertTrue(store.knnLists("exp/s@1", Metric.COSINE, 10, false, true, ProgressListener.NONE).computed(), "recompute forces a pass");
      assertEquals(4, store.knnPasses());
      assertEquals(3, store.keptLists("exp/s@1"));
    }
    try (EmbeddedSpaceStore reopened = new EmbeddedSpaceStore(dir)) {
      assertFalse(reopened.knnLists("exp/s@1", Metric.COSINE, 10, false).computed(), "kept on disk across processes");
      // The space changes: its lists go.
      float[] other = fortunes.vectors().data().clone();
      for (int i = 0; i < other.length; i += 7) other[i] = -other[i];
      Space changed = new Space(fortunes.name(), fortunes.ids(), FloatMatrix.wrap(fortunes.vectors().rows(), fortunes.vectors().cols(), other), fortunes.columns());
      reopened.putCheckpoint("exp", "s", 1, changed, Metric.COSINE, "fortunes", "m");
      assertEquals(0, reopened.keptLists("exp/s@1"));
      SpaceStore.KeptLists fresh = reopened.knnLists("exp/s@1", Metric.COSINE, 10, false);
      assertTrue(fresh.computed());
      assertArrayEquals(KnnLists.compute(changed.vectors(), Metric.COSINE, 10, false, null, ProgressListener.NONE).neighbours(), fresh.lists().neighbours());
    }
  }

  @Test
  void aStoredComparisonEqualsTheDirectOneAndSecondTimeRunsNoPass() {
    float[] b = fortunes.vectors().data().clone();
    for (int i = 0; i < b.length; i += 5) b[i] *= 0.5f;
    Space sb = new Space("b", fortunes.ids(), FloatMatrix.wrap(fortunes.vectors().rows(), fortunes.vectors().cols(), b), Map.of());
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      var ia = store.putCheckpoint("exp", "s", 1, fortunes, Metric.COSINE, "fortunes", "m");
      var ib = store.putCheckpoint("exp", "s", 2, sb, Metric.COSINE, "fortunes", "m");
      CompareOptions o = CompareOptions.defaults();
      ComparisonOutcome want = SpaceComparator.compare(fortunes.vectors(), sb.vectors(), o, ProgressListener.NONE);
      StoredComparison.Outcome first = StoredComparison.compare(store, ia, ib, o, false, ProgressListener.NONE);
      assertEquals(2, first.knnPasses());
      assertEquals(want.meanJaccard(), first.outcome().meanJaccard(), 0.0);
      assertArrayEquals(want.histogram(), first.outcome().histogram());
      StoredComparison.Outcome second = StoredComparison.compare(store, ia, ib, o.withK(5), false, ProgressListener.NONE);
      assertEquals(0, second.knnPasses());
      assertEquals(SpaceComparator.compare(fortunes.vectors(), sb.vectors(), o.withK(5), ProgressListener.NONE).meanJaccard(),
          second.outcome().meanJaccard(), 0.0);
      StoredComparison.Outcome sampled = StoredComparison.compare(store, ia, ib, o.withSample(100, 1), false, ProgressListener.NONE);
      assertEquals(2, sampled.knnPasses(), "a sample is not served by kept lists");
      assertFalse(sampled.kept());
    }
  }

  @Test
  void datasetsAndExperimentsAreKeptByName() throws Exception {
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      store.putDataset(new DatasetEntry("tiny imagenet/val", "id", 2, "/x.csv", 1L), "id,label\na,1\nb,2\n");
      store.putExperiment(new ExperimentEntry("e", "m", "train", Map.of("lr", "0.1"), 2L));
    }
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      assertEquals("id,label\na,1\nb,2\n", store.datasetCsv("tiny imagenet/val"));
      assertEquals(2, store.dataset("tiny imagenet/val").orElseThrow().rows());
      assertEquals(List.of("tiny imagenet/val"), store.datasets());
      assertEquals(Map.of("lr", "0.1"), store.experiment("e").orElseThrow().params());
      assertTrue(store.deleteDataset("tiny imagenet/val"));
      assertTrue(store.dataset("tiny imagenet/val").isEmpty());
      assertTrue(Files.isDirectory(dir.resolve("datasets")));
    }
  }

  @Test
  void bareNamesResolveWhenUnambiguous() {
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir)) {
      store.putCheckpoint("exp1", "only", 1, fortunes, Metric.COSINE, "d", "m");
      store.putCheckpoint("exp1", "only", 3, fortunes, Metric.COSINE, "d", "m");
      store.putCheckpoint("exp1", "shared", 1, fortunes, Metric.COSINE, "d", "m");
      store.putCheckpoint("exp2", "shared", 1, fortunes, Metric.COSINE, "d", "m");
      assertEquals("exp1/only@3", store.resolve("only").name(), "a space name: its latest step");
      var e = assertThrows(IllegalArgumentException.class, () -> store.resolve("shared"));
      assertEquals("'shared' is ambiguous: it names 2 spaces (exp1/shared, exp2/shared); write one of them as experiment/space", e.getMessage());
      assertEquals("exp2/shared@1", store.resolve("exp2").name(), "an experiment with one space");
      assertThrows(IllegalArgumentException.class, () -> store.resolve("exp1"), "exp1 has two spaces");
    }
  }
}
