package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of the engine on TopologyTestDriver, through the engine seam of {@link ComparisonTopology#buildTopology(PipelineConfig,
 * ComparisonEngine)}. In a compare worker (the k-NN pass of one checkpoint throws an {@code Error}): the item is tried
 * {@link CheckpointProcessor#MAX_ATTEMPTS} times, then the comparisons that needed it are dead-lettered with the error and
 * the rest are compared. In the app itself (the merge of kept lists throws): each failed run is what a replaced stream
 * thread sees after its transaction aborts, the same input again (a fresh driver on the same state folder replays it);
 * after the limit the record is dead-lettered and the records behind it are processed.
 */
class PoisonRecordTest {
  /** The first component of the poison checkpoint's first vector: how the failing engine recognises it. */
  static final float MARK = 12345f;
  /** Rows of the "sick" experiment in the app-side test: how the failing merge recognises its lists. */
  static final int SICK_ROWS = 150;
  static TestData data;

  @TempDir Path stateDir;
  final Topics topics = Topics.withPrefix("p.");
  final EventSerdes serdes = EventSerdes.singleObject();

  @BeforeAll
  static void load() {
    data = TestData.fortunes(16, 200);
  }

  /** The exact engine, except that a k-NN pass or direct compare of the marked checkpoint throws what {@code error} gives, {@code times} times. */
  static ComparisonEngine failing(Supplier<? extends Throwable> error, int times, AtomicInteger thrown) {
    return new ComparisonEngine() {
      @Override
      public KnnLists knn(FloatMatrix v, Metric m, int k, boolean self, int[] q) {
        if (v.data()[0] == MARK) fail(error, times, thrown);
        return EXACT.knn(v, m, k, self, q);
      }

      @Override
      public ComparisonOutcome merge(KnnLists la, KnnLists lb, CompareOptions o, double cka) {
        return EXACT.merge(la, lb, o, cka);
      }

      @Override
      public ComparisonOutcome compare(FloatMatrix a, FloatMatrix b, CompareOptions o) {
        if (a.data()[0] == MARK) fail(error, times, thrown);
        return EXACT.compare(a, b, o);
      }
    };
  }

  /** The exact engine, except that merging lists of {@link #SICK_ROWS} rows throws what {@code error} gives. */
  static ComparisonEngine failingMerge(Supplier<? extends Throwable> error, AtomicInteger thrown) {
    return new ComparisonEngine() {
      @Override
      public KnnLists knn(FloatMatrix v, Metric m, int k, boolean self, int[] q) {
        return EXACT.knn(v, m, k, self, q);
      }

      @Override
      public ComparisonOutcome merge(KnnLists la, KnnLists lb, CompareOptions o, double cka) {
        if (la.n() == SICK_ROWS) fail(error, Integer.MAX_VALUE, thrown);
        return EXACT.merge(la, lb, o, cka);
      }

      @Override
      public ComparisonOutcome compare(FloatMatrix a, FloatMatrix b, CompareOptions o) {
        return EXACT.compare(a, b, o);
      }
    };
  }

  private static void fail(Supplier<? extends Throwable> error, int times, AtomicInteger thrown) {
    if (thrown.get() >= times) return;
    thrown.incrementAndGet();
    Throwable t = error.get();
    if (t instanceof Error e) throw e;
    throw (RuntimeException) t;
  }

  static float[][] marked(float[][] v) {
    float[][] out = v.clone();
    out[0] = v[0].clone();
    out[0][0] = MARK;
    return out;
  }

  /** Steps 0-2 of "calm" and of "sick", interleaved on one partition; sick@1 is marked. */
  List<KeyValue<String, SpaceEvent>> input() {
    List<KeyValue<String, SpaceEvent>> in = new ArrayList<>();
    List<float[][]> calm = data.walk(3, 0.01, 1), sick = data.walk(3, 0.01, 2);
    for (int s = 0; s < 3; s++) {
      for (SpaceEvent e : CheckpointEvents.of(CheckpointEvents.key("calm", "head", s), data.ids, calm.get(s), data.labels, 50)) in.add(KeyValue.pair("calm", e));
      float[][] v = s == 1 ? marked(sick.get(s)) : sick.get(s);
      for (SpaceEvent e : CheckpointEvents.of(CheckpointEvents.key("sick", "head", s), data.ids, v, data.labels, 50)) in.add(KeyValue.pair("sick", e));
    }
    return in;
  }

  /** Steps 0-2 of "calm" (200 rows) and steps 0-1 of "sick" ({@link #SICK_ROWS} rows), interleaved on one partition. */
  List<KeyValue<String, SpaceEvent>> inputWithSmallSick() {
    List<KeyValue<String, SpaceEvent>> in = new ArrayList<>();
    List<float[][]> calm = data.walk(3, 0.01, 1), sick = data.walk(2, 0.01, 2);
    for (int s = 0; s < 3; s++) {
      for (SpaceEvent e : CheckpointEvents.of(CheckpointEvents.key("calm", "head", s), data.ids, calm.get(s), data.labels, 50)) in.add(KeyValue.pair("calm", e));
      if (s == 2) continue;
      float[][] v = java.util.Arrays.copyOf(sick.get(s), SICK_ROWS);
      for (SpaceEvent e : CheckpointEvents.of(CheckpointEvents.key("sick", "head", s), data.ids.subList(0, SICK_ROWS), v,
          data.labels.subList(0, SICK_ROWS), 50)) in.add(KeyValue.pair("sick", e));
    }
    return in;
  }

  record Run(Throwable failure, List<ComparisonResult> comparisons, List<DeadLetter> dead) {}

  /** One attempt: a driver on the state folder, the input with its compare work done, and what came out (or the throwable that stopped it). */
  Run run(ComparisonEngine engine, List<KeyValue<String, SpaceEvent>> input) {
    PipelineConfig config = PipelineConfig.defaults(topics, serdes).withCheckpointTimeout(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME);
    Properties base = new Properties();
    base.put(StreamsConfig.APPLICATION_ID_CONFIG, "vectory-poison");
    base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    base.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    TopologyTestDriver driver = new TopologyTestDriver(ComparisonTopology.buildTopology(config, engine), ComparisonTopology.streamsProperties(config, base));
    Throwable failure = null;
    try {
      TestWorkers workers = new TestWorkers(driver, topics, serdes, engine);
      try {
        for (KeyValue<String, SpaceEvent> kv : input) workers.pipe(kv.key, kv.value);
      } catch (Throwable t) {
        failure = t;
      }
      var results = driver.createOutputTopic(topics.comparisons.name(), Serdes.String().deserializer(), topics.comparisons.valueSerde(serdes).deserializer());
      var dead = driver.createOutputTopic(topics.deadLetters.name(), Serdes.String().deserializer(), topics.deadLetters.valueSerde(serdes).deserializer());
      return new Run(failure, results.readValuesToList(), dead.readValuesToList());
    } finally {
      try {
        driver.close();
      } catch (RuntimeException e) {
        // a driver whose task threw may not close cleanly; the next attempt starts on the same folder anyway
      }
    }
  }

  static String id(ComparisonResult r) {
    return r.getA().getExperiment() + "@" + r.getA().getStep() + " " + r.getRelation() + " @" + r.getB().getStep();
  }

  static Throwable root(Throwable t) {
    while (t.getCause() != null && !(t instanceof Error)) t = t.getCause();
    return t;
  }

  @Test
  void aWorkerErrorIsRetriedThenTheComparisonsNeedingItAreDeadLetteredAndTheRestCompared() {
    AtomicInteger thrown = new AtomicInteger();
    Run r = run(failing(() -> new OutOfMemoryError("Java heap space (forced by the test)"), Integer.MAX_VALUE, thrown), input());
    assertEquals(null, r.failure(), "a worker's failure never stops the app");
    assertEquals(CheckpointProcessor.MAX_ATTEMPTS, thrown.get(), "attempts at sick@1's k-NN pass");
    // sick@1's lists never come: its comparison with step 0 and sick@2's with it are dead-lettered, each saying why.
    assertEquals(List.of("sick/head@1", "sick/head@2"), r.dead().stream().map(DeadLetter::getCheckpoint).toList(), () -> "dead letters: " + r.dead());
    for (DeadLetter d : r.dead()) {
      assertTrue(d.getReason().contains("KNN of sick/head@1 failed 3 times; the last with java.lang.OutOfMemoryError: Java heap space (forced by the test)"),
          d.getReason());
    }
    assertTrue(r.dead().get(1).getReason().contains("comparison with sick/head@1 ([PREVIOUS])"), r.dead().get(1).getReason());
    assertEquals(List.of("calm@1 PREVIOUS @0", "calm@1 FIRST @0", "calm@2 PREVIOUS @1", "calm@2 FIRST @0", "sick@2 FIRST @0"),
        r.comparisons().stream().map(PoisonRecordTest::id).toList());
  }

  @Test
  void aWorkerErrorThatPassesOnRetryLeavesNothingDeadLettered() {
    AtomicInteger thrown = new AtomicInteger();
    Run r = run(failing(() -> new StackOverflowError("forced by the test"), 1, thrown), input());
    assertEquals(null, r.failure());
    assertEquals(1, thrown.get());
    assertTrue(r.dead().isEmpty(), () -> "dead letters: " + r.dead());
    assertEquals(8, r.comparisons().size(), () -> r.comparisons().stream().map(PoisonRecordTest::id).toList().toString());
    assertTrue(r.comparisons().stream().map(PoisonRecordTest::id).toList().containsAll(List.of("sick@1 PREVIOUS @0", "sick@2 PREVIOUS @1")),
        () -> r.comparisons().stream().map(PoisonRecordTest::id).toList().toString());
  }

  @Test
  void anErrorInTheAppIsDeadLetteredAfterBoundedAttemptsAndTheRecordsBehindItAreProcessed() throws Exception {
    AtomicInteger thrown = new AtomicInteger();
    ComparisonEngine engine = failingMerge(() -> new OutOfMemoryError("Java heap space (forced by the test)"), thrown);
    for (int attempt = 1; attempt <= CheckpointProcessor.MAX_ATTEMPTS; attempt++) {
      Run r = run(engine, inputWithSmallSick());
      assertTrue(r.failure() != null && root(r.failure()) instanceof OutOfMemoryError, "attempt " + attempt + " fails with the Error: " + r.failure());
      assertTrue(r.dead().isEmpty(), "nothing dead-lettered while attempts are left: " + r.dead());
    }
    assertEquals(CheckpointProcessor.MAX_ATTEMPTS, thrown.get());
    try (Stream<Path> ledger = Files.list(stateDir.resolve("vectory-poison.attempts"))) {
      assertEquals(1, ledger.count(), "the ledger holds the one failing record");
    }
    Run last = run(engine, inputWithSmallSick());
    assertEquals(null, last.failure(), () -> "the attempt after the limit does not run the record again: " + root(last.failure()));
    assertEquals(CheckpointProcessor.MAX_ATTEMPTS, thrown.get(), "the poison record was not processed a fourth time");
    assertEquals(1, last.dead().size(), () -> "dead letters: " + last.dead());
    DeadLetter d = last.dead().get(0);
    assertEquals("sick/head@1", d.getCheckpoint());
    assertTrue(d.getReason().contains("WorkDone (CKA 0) of sick/head@1 dead-lettered after 3 failed attempts"), d.getReason());
    assertTrue(d.getReason().contains("java.lang.OutOfMemoryError: Java heap space (forced by the test)"), d.getReason());
    assertEquals(List.of("calm@1 PREVIOUS @0", "calm@1 FIRST @0", "calm@2 PREVIOUS @1", "calm@2 FIRST @0"),
        last.comparisons().stream().map(PoisonRecordTest::id).toList());
    try (Stream<Path> ledger = Files.list(stateDir.resolve("vectory-poison.attempts"))) {
      assertEquals(0, ledger.count(), "a dead-lettered record leaves the ledger");
    }
  }
}
