package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.ingest.Stack;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workload that never finished when comparisons ran in the stream thread: three checkpoints of 100,000 × 384 of
 * one experiment (the last with two references), on the shared stack's real broker and registry, with the stream
 * threads' {@code max.poll.interval.ms} cut to 5 s — far below one k-NN pass of such a checkpoint. A comparison computed
 * inside a poll loop would get the member dropped and the transaction aborted, again and again; here every comparison
 * arrives once.
 */
class LargeCheckpointIT {
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final int ROWS = 100_000;
  static final int DIM = 384;
  static final int POLL_INTERVAL_MS = 5_000;
  @TempDir Path tmp;
  final EventSerdes serdes = EventSerdes.registry(Stack.registryConfig());

  @BeforeAll
  static void requireStack() throws Exception {
    Stack.requireKafka();
  }

  @AfterAll
  static void deleteTopics() throws Exception {
    Stack.deleteTopics("it-large-" + RUN);
  }

  /** Step s of a seeded walk: 50 Gaussian clusters, each step moving every point a little (built one at a time: 150 MB each). */
  static float[][] step(float[][] previous, int s) {
    Random rnd = new Random(1000 + s);
    float[][] v = new float[ROWS][DIM];
    if (previous == null) {
      float[][] centres = new float[50][DIM];
      for (float[] c : centres) for (int j = 0; j < DIM; j++) c[j] = (float) rnd.nextGaussian();
      for (int i = 0; i < ROWS; i++) for (int j = 0; j < DIM; j++) v[i][j] = centres[i % 50][j] + (float) (0.5 * rnd.nextGaussian());
    } else {
      for (int i = 0; i < ROWS; i++) for (int j = 0; j < DIM; j++) v[i][j] = previous[i][j] + (float) (0.05 * rnd.nextGaussian());
    }
    return v;
  }

  @Test
  void threeCheckpointsOf100kPointsAreEachComparedOnceWithAPollIntervalFarBelowAPass() throws Exception {
    Topics topics = Topics.withPrefix("it-large-" + RUN + ".");
    PipelineConfig config = PipelineConfig.defaults(topics, serdes);
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), "it-large-" + RUN + "-app", tmp.resolve("state"));
    props.put("consumer.max.poll.interval.ms", String.valueOf(POLL_INTERVAL_MS));
    List<String> ids = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) ids.add("p" + i);
    try (PipelineRunner runner = PipelineRunner.start(config, props, 2, null, Duration.ofMinutes(2));
         CheckpointPublisher publisher = CheckpointPublisher.builder(Stack.bootstrap()).serdes(serdes).topics(topics).build()) {
      float[][] v = null;
      for (int s = 0; s < 3; s++) {
        v = step(v, s);
        publisher.publish("big", "head", s, ids, v, SpaceDescription.of("synthetic-clusters", "it"));
      }
      v = null;
      assertTrue(runner.awaitComparisons(4, Duration.ofMinutes(15)), () -> "comparisons so far: " + runner.comparisons().stream().map(LargeCheckpointIT::id).toList()
          + ", dead letters " + runner.deadLetters());
    }
    List<ComparisonResult> results = Broker.readCommitted(topics.comparisons, topics.comparisons.valueSerde(serdes).deserializer(), 4,
        Duration.ofSeconds(60), Duration.ofSeconds(3));
    assertEquals(List.of("big@1 FIRST @0", "big@1 PREVIOUS @0", "big@2 FIRST @0", "big@2 PREVIOUS @1"), results.stream().map(LargeCheckpointIT::id).sorted().toList(),
        "each comparison exactly once");
    for (ComparisonResult r : results) {
      assertEquals(ROWS, r.getN());
      assertTrue(r.getExact(), "100,000 rows are below compare.sample.above: exact");
      assertTrue(r.getMeanJaccard() > 0.05 && r.getMeanJaccard() < 1, () -> "a real, imperfect overlap: " + r.getMeanJaccard());
    }
    // The step-2 pass is counted in its first published comparison: it outlasted the poll interval, so it ran outside any poll loop.
    long pass = results.stream().filter(r -> r.getA().getStep() == 2).mapToLong(ComparisonResult::getComputeMillis).max().orElseThrow();
    System.out.println("large checkpoint: step 2 compute_ms " + pass + " (poll interval " + POLL_INTERVAL_MS + " ms)");
    assertTrue(pass > POLL_INTERVAL_MS, "the property is exercised only when the pass takes longer than the poll interval: " + pass + " ms");
    List<DeadLetter> dead = Broker.readCommitted(topics.deadLetters, topics.deadLetters.valueSerde(serdes).deserializer(), 0, Duration.ofSeconds(5),
        Duration.ofSeconds(2));
    assertEquals(List.of(), dead);
  }

  static String id(ComparisonResult r) {
    return r.getA().getExperiment() + "@" + r.getA().getStep() + " " + r.getRelation() + " @" + r.getB().getStep();
  }
}
