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
 * A poison record on TopologyTestDriver: the engine seam of {@link ComparisonTopology#buildTopology(PipelineConfig,
 * ComparisonEngine)} throws an {@code Error} for one checkpoint's comparison. Each failed run is what a replaced
 * stream thread sees after its transaction aborts: the same input again on the state of the last commit (here a
 * fresh driver on the same state folder replays the topic from its start). After {@link CheckpointProcessor#MAX_ATTEMPTS}
 * failures the record is dead-lettered with the error, and the checkpoints behind it are compared.
 */
class PoisonRecordTest {
  /** The first component of the poison checkpoint's first vector: how the failing engine recognises it. */
  static final float MARK = 12345f;
  static TestData data;

  @TempDir Path stateDir;
  final Topics topics = Topics.withPrefix("p.");
  final EventSerdes serdes = EventSerdes.singleObject();

  @BeforeAll
  static void load() {
    data = TestData.fortunes(16, 200);
  }

  /** The exact engine, except that a comparison of the marked checkpoint throws what {@code error} gives, {@code times} times. */
  static ComparisonEngine failing(Supplier<? extends Throwable> error, int times, AtomicInteger thrown) {
    return new ComparisonEngine() {
      @Override
      public KnnLists knn(FloatMatrix v, Metric m, int k, boolean self, int[] q) {
        return EXACT.knn(v, m, k, self, q);
      }

      @Override
      public ComparisonOutcome compare(KnnLists la, KnnLists lb, FloatMatrix a, FloatMatrix b, CompareOptions o, double selfA, double selfB) {
        poison(a);
        return EXACT.compare(la, lb, a, b, o, selfA, selfB);
      }

      @Override
      public ComparisonOutcome compare(FloatMatrix a, FloatMatrix b, CompareOptions o) {
        poison(a);
        return EXACT.compare(a, b, o);
      }

      private void poison(FloatMatrix a) {
        if (a.data()[0] != MARK || thrown.get() >= times) return;
        thrown.incrementAndGet();
        Throwable t = error.get();
        if (t instanceof Error e) throw e;
        throw (RuntimeException) t;
      }
    };
  }

  static float[][] marked(float[][] v) {
    float[][] out = v.clone();
    out[0] = v[0].clone();
    out[0][0] = MARK;
    return out;
  }

  /** Steps 0-2 of "calm" and of "sick", interleaved on one partition; sick@1 is the poison. */
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

  record Run(Throwable failure, List<ComparisonResult> comparisons, List<DeadLetter> dead) {}

  /** One attempt: a driver on the state folder, the whole input, and what came out (or the throwable that stopped it). */
  Run run(ComparisonEngine engine) {
    PipelineConfig config = PipelineConfig.defaults(topics, serdes).withCheckpointTimeout(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME);
    Properties base = new Properties();
    base.put(StreamsConfig.APPLICATION_ID_CONFIG, "vectory-poison");
    base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    base.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    TopologyTestDriver driver = new TopologyTestDriver(ComparisonTopology.buildTopology(config, engine), ComparisonTopology.streamsProperties(config, base));
    Throwable failure = null;
    try {
      TestInputTopic<String, SpaceEvent> in = driver.createInputTopic(topics.spaceEvents.name(), Serdes.String().serializer(), topics.spaceEvents.valueSerde(serdes).serializer());
      try {
        for (KeyValue<String, SpaceEvent> kv : input()) in.pipeInput(kv.key, kv.value);
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
  void anErrorIsDeadLetteredAfterBoundedAttemptsAndTheCheckpointsBehindItAreCompared() throws Exception {
    AtomicInteger thrown = new AtomicInteger();
    ComparisonEngine engine = failing(() -> new OutOfMemoryError("Java heap space (forced by the test)"), Integer.MAX_VALUE, thrown);
    for (int attempt = 1; attempt <= CheckpointProcessor.MAX_ATTEMPTS; attempt++) {
      Run r = run(engine);
      assertTrue(r.failure() != null && root(r.failure()) instanceof OutOfMemoryError, "attempt " + attempt + " fails with the Error: " + r.failure());
      assertTrue(r.dead().isEmpty(), "nothing dead-lettered while attempts are left: " + r.dead());
    }
    assertEquals(CheckpointProcessor.MAX_ATTEMPTS, thrown.get());
    try (Stream<Path> ledger = Files.list(stateDir.resolve("vectory-poison.attempts"))) {
      assertEquals(1, ledger.count(), "the ledger holds the one failing record");
    }

    Run last = run(engine);
    assertEquals(null, last.failure(), "the attempt after the limit does not run the record again");
    assertEquals(CheckpointProcessor.MAX_ATTEMPTS, thrown.get(), "the poison record was not processed a fourth time");
    assertEquals(1, last.dead().size(), () -> "dead letters: " + last.dead());
    DeadLetter d = last.dead().get(0);
    assertEquals("sick/head@1", d.getCheckpoint());
    assertTrue(d.getReason().contains("CheckpointCompleted of sick/head@1 dead-lettered after 3 failed attempts"), d.getReason());
    assertTrue(d.getReason().contains("java.lang.OutOfMemoryError: Java heap space (forced by the test)"), d.getReason());
    // Behind it: calm@1, calm@2 and sick@2 (whose previous is now step 0) are compared.
    assertEquals(List.of("calm@1 PREVIOUS @0", "calm@1 FIRST @0", "calm@2 PREVIOUS @1", "calm@2 FIRST @0", "sick@2 PREVIOUS @0", "sick@2 FIRST @0"),
        last.comparisons().stream().map(PoisonRecordTest::id).toList());
    try (Stream<Path> ledger = Files.list(stateDir.resolve("vectory-poison.attempts"))) {
      assertEquals(0, ledger.count(), "a dead-lettered record leaves the ledger");
    }
  }

  @Test
  void aRecordThatFailsOnceIsComparedOnTheNextAttemptAndNothingIsDeadLettered() {
    AtomicInteger thrown = new AtomicInteger();
    ComparisonEngine engine = failing(() -> new StackOverflowError("forced by the test"), 1, thrown);
    Run first = run(engine);
    assertTrue(first.failure() != null && root(first.failure()) instanceof StackOverflowError, String.valueOf(first.failure()));
    Run second = run(engine);
    assertEquals(null, second.failure());
    assertTrue(second.dead().isEmpty(), () -> "dead letters: " + second.dead());
    assertTrue(second.comparisons().stream().map(PoisonRecordTest::id).toList().containsAll(List.of("sick@1 PREVIOUS @0", "sick@2 PREVIOUS @1")),
        () -> second.comparisons().stream().map(PoisonRecordTest::id).toList().toString());
  }

  @Test
  void anEngineExceptionIsDeadLetteredAtOnceWithoutRetries() {
    // A RuntimeException of the engine is caught where the comparison runs: no thread dies, nothing is retried.
    AtomicInteger thrown = new AtomicInteger();
    Run r = run(failing(() -> new IllegalStateException("an engine bug (forced by the test)"), Integer.MAX_VALUE, thrown));
    assertEquals(null, r.failure());
    assertEquals(1, r.dead().size(), () -> "dead letters: " + r.dead());
    assertEquals("sick/head@1", r.dead().get(0).getCheckpoint());
    assertTrue(r.dead().get(0).getReason().contains("failed: an engine bug (forced by the test)"), r.dead().get(0).getReason());
  }
}
