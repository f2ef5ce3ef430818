package io.vectory.streams;

import io.vectory.ingest.Stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poison record on the shared stack's real broker and registry: the engine seam throws an {@code
 * OutOfMemoryError} whenever the marked checkpoint sick/head@1 is computed. The compare worker tries its k-NN item
 * {@link CheckpointProcessor#MAX_ATTEMPTS} times, then answers with the error; the comparisons that needed those lists
 * (sick@1's own, and sick@2's with it as previous) are dead-lettered with it, and every other comparison, on the same
 * partitions, is made.
 */
class PoisonRecordIT {
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static TestData data;
  @TempDir Path tmp;
  final EventSerdes serdes = EventSerdes.registry(Stack.registryConfig());

  @BeforeAll
  static void setUp() throws Exception {
    Stack.requireKafka();
    data = TestData.fortunes(32, 300);
  }

  @AfterAll
  static void deleteTopics() throws Exception {
    Stack.deleteTopics("it-poison-" + RUN);
  }

  @Test
  void anErrorInProcessingIsDeadLetteredAfterBoundedAttemptsAndThePartitionMovesOn() throws Exception {
    Topics topics = Topics.withPrefix("it-poison-" + RUN + ".");
    PipelineConfig config = PipelineConfig.defaults(topics, serdes);
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), "it-poison-" + RUN + "-app", tmp.resolve("state"));
    AtomicInteger thrown = new AtomicInteger();
    ComparisonEngine engine = PoisonRecordTest.failing(() -> new OutOfMemoryError("Java heap space (forced by the test)"), Integer.MAX_VALUE, thrown);
    List<float[][]> calm = data.walk(3, 0.01, 1), sick = data.walk(3, 0.01, 2);
    try (PipelineRunner runner = PipelineRunner.start(config, props, 1, null, Duration.ofMinutes(2), engine);
         CheckpointPublisher publisher = CheckpointPublisher.builder(Stack.bootstrap()).serdes(serdes).topics(topics).build()) {
      SpaceDescription desc = SpaceDescription.of("fortunes", "hashed-bow").withColumns(Map.of("label", data.labels));
      for (int s = 0; s < 3; s++) {
        publisher.publish("sick", "head", s, data.ids, s == 1 ? PoisonRecordTest.marked(sick.get(s)) : sick.get(s), desc);
        publisher.publish("calm", "head", s, data.ids, calm.get(s), desc);
      }
      // calm@1 (2), sick@2 with its first (sick@2 with sick@1 needs the poisoned lists), calm@2 (2).
      assertTrue(runner.awaitComparisons(5, Duration.ofMinutes(2)),
          () -> "comparisons so far: " + runner.comparisons().stream().map(PoisonRecordIT::id).toList() + ", errors thrown " + thrown.get());
    }
    assertEquals(CheckpointProcessor.MAX_ATTEMPTS, thrown.get(), "attempts at the poison record");
    List<ComparisonResult> results = Broker.readCommitted(topics.comparisons, topics.comparisons.valueSerde(serdes).deserializer(), 5,
        Duration.ofSeconds(60), Duration.ofSeconds(3));
    assertEquals(List.of("calm@1 FIRST @0", "calm@1 PREVIOUS @0", "calm@2 FIRST @0", "calm@2 PREVIOUS @1", "sick@2 FIRST @0"),
        results.stream().map(PoisonRecordIT::id).sorted().toList());
    List<DeadLetter> dead = Broker.readCommitted(topics.deadLetters, topics.deadLetters.valueSerde(serdes).deserializer(), 2,
        Duration.ofSeconds(30), Duration.ofSeconds(3));
    assertEquals(List.of("sick/head@1", "sick/head@2"), dead.stream().map(DeadLetter::getCheckpoint).sorted().toList(), () -> "dead letters: " + dead);
    String cause = "KNN of sick/head@1 failed 3 times; the last with java.lang.OutOfMemoryError: Java heap space (forced by the test)";
    for (DeadLetter d : dead) {
      String ref = d.getCheckpoint().equals("sick/head@1") ? "sick/head@0 ([PREVIOUS, FIRST])" : "sick/head@1 ([PREVIOUS])";
      assertEquals("comparison with " + ref + " failed: " + cause, d.getReason());
    }
  }

  static String id(ComparisonResult r) {
    return r.getA().getExperiment() + "@" + r.getA().getStep() + " " + r.getRelation() + " @" + r.getB().getStep();
  }
}
