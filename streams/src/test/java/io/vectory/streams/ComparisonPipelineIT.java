package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.ingest.Stack;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against the shared stack's real broker and registry (VECTORY_BOOTSTRAP_SERVERS,
 * VECTORY_SCHEMA_REGISTRY). Each test uses its own topic prefix and application id.
 */
class ComparisonPipelineIT {
  static final int DIM = 64;
  static TestData data;
  @TempDir Path tmp;
  final EventSerdes serdes = EventSerdes.registry(Stack.registryConfig());

  @BeforeAll
  static void setUp() throws Exception {
    Stack.requireKafka();
    data = TestData.fortunes(DIM, Integer.MAX_VALUE);
  }

  /** Names of this class's topics, changelogs included, all start with "it-"+run; removed after the class. */
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  static String unique(String what) {
    return "it-" + RUN + "-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @org.junit.jupiter.api.AfterAll
  static void deleteTopics() throws Exception {
    Stack.deleteTopics("it-" + RUN + "-");
  }

  static String id(ComparisonResult r) {
    return r.getA().getExperiment() + "/" + r.getA().getSpace() + "@" + r.getA().getStep() + " " + r.getRelation() + " @" + r.getB().getStep();
  }

  /** Each result equals the engine's offline answer for the same pair of checkpoints. */
  static void assertMatchesEngine(ComparisonResult r, Map<String, float[][]> vectors) {
    float[][] a = vectors.get(r.getA().getExperiment() + "@" + r.getA().getStep());
    float[][] b = vectors.get(r.getB().getExperiment() + "@" + r.getB().getStep());
    var expected = SpaceComparator.compare(FloatMatrix.of(a), FloatMatrix.of(b),
        new CompareOptions(10, Metric.COSINE, Metric.COSINE, false, 0, 42L), ProgressListener.NONE);
    assertEquals(expected.n(), r.getN(), id(r));
    assertEquals(expected.meanJaccard(), r.getMeanJaccard(), 1e-12, id(r));
    assertArrayEquals(expected.histogram(), r.getHistogram().stream().mapToLong(Long::longValue).toArray(), id(r));
    assertEquals(expected.cka(), r.getCka(), 1e-9, id(r));
    assertEquals(expected.meanByLabel(data.labels.toArray(new String[0])), r.getLabelMeans(), id(r));
  }

  @Test
  void twoExperimentsAreComparedAsTheEngineDoesAndBadInputIsDeadLettered() throws Exception {
    Topics topics = Topics.withPrefix(unique("pipe") + ".");
    PipelineConfig config = PipelineConfig.defaults(topics, serdes);
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), unique("app"), tmp.resolve("state"));
    Map<String, float[][]> vectors = new HashMap<>();
    try (PipelineRunner runner = PipelineRunner.start(config, props, 2, null, Duration.ofMinutes(2));
         CheckpointPublisher publisher = CheckpointPublisher.builder(Stack.bootstrap()).serdes(serdes).topics(topics).build();
         Broker.RawProducer raw = new Broker.RawProducer(topics.spaceEvents, topics.spaceEvents.valueSerde(serdes).serializer())) {
      SpaceDescription desc = SpaceDescription.of("fortunes", "hashed-bow").withColumns(Map.of("label", data.labels));
      for (String exp : List.of("alpha", "beta")) {
        List<float[][]> walk = data.walk(3, exp.equals("alpha") ? 0.01 : 0.02, exp.hashCode());
        for (int s = 0; s < 3; s++) {
          vectors.put(exp + "@" + s, walk.get(s));
          publisher.publish(exp, "head", s, data.ids, walk.get(s), desc);
        }
      }
      // What a real publisher refuses to send, sent raw: a checkpoint whose bytes changed in transit, and junk.
      List<SpaceEvent> bad = CheckpointEvents.of(CheckpointEvents.key("beta", "head", 3), data.ids, data.perturbed(0.03, 3), data.labels, 300);
      CheckpointEvents.chunk(bad.get(2)).getVectors().put(0, (byte) 0x7F);
      raw.send("beta", bad);
      byte[] junk = "not an event".getBytes(StandardCharsets.UTF_8);
      raw.sendRaw("beta", junk);
      float[][] v4 = new TestData(vectors.get("beta@2")).perturbed(0.01, 4);
      vectors.put("beta@4", v4);
      publisher.publish("beta", "head", 4, data.ids, v4, desc);

      assertTrue(runner.awaitComparisons(10, Duration.ofMinutes(3)), () -> "comparisons so far: " + runner.comparisons().stream().map(ComparisonPipelineIT::id).toList());
    }
    List<ComparisonResult> results = Broker.readCommitted(topics.comparisons, topics.comparisons.valueSerde(serdes).deserializer(), 10, Duration.ofSeconds(60), Duration.ofSeconds(2));
    assertEquals(List.of("alpha/head@1 FIRST @0", "alpha/head@1 PREVIOUS @0", "alpha/head@2 FIRST @0", "alpha/head@2 PREVIOUS @1",
            "beta/head@1 FIRST @0", "beta/head@1 PREVIOUS @0", "beta/head@2 FIRST @0", "beta/head@2 PREVIOUS @1",
            "beta/head@4 FIRST @0", "beta/head@4 PREVIOUS @2"),
        results.stream().map(ComparisonPipelineIT::id).sorted().toList());
    for (ComparisonResult r : results) assertMatchesEngine(r, vectors);

    List<DeadLetter> dead = Broker.readCommitted(topics.deadLetters, topics.deadLetters.valueSerde(serdes).deserializer(), 2, Duration.ofSeconds(30), Duration.ofSeconds(2));
    assertEquals(2, dead.size(), () -> "dead letters: " + dead);
    DeadLetter checksum = dead.stream().filter(d -> "beta/head@3".equals(d.getCheckpoint())).findFirst().orElseThrow();
    assertTrue(checksum.getReason().contains("checksum: CRC-32C"), checksum.getReason());
    DeadLetter undecodable = dead.stream().filter(d -> d.getPayload() != null).findFirst().orElseThrow();
    byte[] payload = new byte[undecodable.getPayload().remaining()];
    undecodable.getPayload().get(payload);
    assertArrayEquals("not an event".getBytes(StandardCharsets.UTF_8), payload);
    assertTrue(undecodable.getReason().contains("cannot decode"), undecodable.getReason());

    // The sink's input: every accepted checkpoint, complete, and nothing of the rejected one.
    List<SpaceEvent> indexed = Broker.readCommitted(topics.indexedSpaces, topics.indexedSpaces.valueSerde(serdes).deserializer(), 1, Duration.ofSeconds(30), Duration.ofSeconds(2));
    List<String> completed = indexed.stream().filter(e -> e.getEvent() instanceof CheckpointCompleted)
        .map(e -> { var k = ((CheckpointCompleted) e.getEvent()).getCheckpoint(); return k.getExperiment() + "@" + k.getStep(); }).sorted().toList();
    assertEquals(List.of("alpha@0", "alpha@1", "alpha@2", "beta@0", "beta@1", "beta@2", "beta@4"), completed);
    long rows = indexed.stream().filter(e -> e.getEvent() instanceof EmbeddingChunk).mapToLong(e -> ((EmbeddingChunk) e.getEvent()).getIds().size()).sum();
    assertEquals(7L * data.rows(), rows);
  }

  /** A child JVM running the pipeline ({@link PipelineProcess}), so the test can SIGKILL it. */
  final class App {
    final Process process;
    final Path out;

    App(String appId, Topics topics, Path stateDir, int n) throws IOException {
      this(appId, topics, stateDir, n, 0);
    }

    App(String appId, Topics topics, Path stateDir, int n, int shardRows) throws IOException {
      out = tmp.resolve("app-" + n + ".out");
      String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx768m", "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
          "-Djava.io.tmpdir=" + tmp, "-cp", cp, PipelineProcess.class.getName(),
          Stack.bootstrap(), Stack.registry(), appId, stateDir.toString(), topics.spaceEvents.name().replace("vectory.space-events", ""),
          Integer.toString(shardRows)));
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!Files.readString(out).contains("RUNNING")) {
        if (!process.isAlive()) throw new IllegalStateException("the pipeline process exited " + process.exitValue() + ":\n" + Files.readString(out));
        if (System.nanoTime() > deadline) throw new IllegalStateException("the pipeline process not RUNNING after 2 min:\n" + Files.readString(out));
        sleep(100);
      }
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no clean close
      process.waitFor();
    }

    void stop() throws InterruptedException {
      process.destroy(); // SIGTERM: the shutdown hook closes Streams
      if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A condition on the broker's state; {@code last} takes what to say if it never holds. */
  interface BrokerCheck {
    boolean holds(Admin admin, StringBuilder last) throws Exception;
  }

  /** Polls the broker every 200 ms until the check holds; after the timeout, fails with the check's last state. */
  static void awaitBroker(Duration timeout, BrokerCheck check) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      StringBuilder last = new StringBuilder();
      while (!check.holds(admin, last)) {
        if (System.nanoTime() > deadline) throw new IllegalStateException(last.toString());
        last.setLength(0);
        sleep(200);
      }
    }
  }

  /** Waits until a consumer group has this many members, each assigned some partitions. */
  static void awaitMembers(String group, int members, Duration timeout) throws Exception {
    awaitBroker(timeout, (admin, last) -> {
      var d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
      last.append("group ").append(group).append(" not ").append(members).append(" assigned members: ").append(d);
      return d.members().size() == members && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
    });
  }

  /** Waits until the app's group has committed offsets up to the end of the input topic. */
  static void awaitConsumed(String appId, Topics topics, Duration timeout) throws Exception {
    awaitBroker(timeout, (admin, last) -> {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
      var parts = admin.describeTopics(List.of(topics.spaceEvents.name())).allTopicNames().get().get(topics.spaceEvents.name()).partitions()
          .stream().map(i -> new TopicPartition(topics.spaceEvents.name(), i.partition())).toList();
      var ends = admin.listOffsets(parts.stream().collect(Collectors.toMap(Function.identity(), tp -> org.apache.kafka.clients.admin.OffsetSpec.latest())),
          new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get();
      last.append("app ").append(appId).append(" did not consume the input: committed ").append(committed).append(", ends ").append(ends);
      return parts.stream().allMatch(tp -> ends.get(tp).offset() == 0
          || (committed.get(tp) != null && committed.get(tp).offset() >= ends.get(tp).offset()));
    });
  }

  @Test
  void sigkillMidCheckpointLosesAndDoublesNothing() throws Exception {
    Topics topics = Topics.withPrefix(unique("crash") + ".");
    String appId = unique("crash-app");
    Path state = tmp.resolve("crash-state");
    Properties client = PipelineRunner.streamsProperties(Stack.bootstrap(), appId, state);
    PipelineRunner.createTopics(client, topics, 2);
    List<float[][]> walk = data.walk(4, 0.015, 77);
    Map<String, float[][]> vectors = new HashMap<>();
    List<List<SpaceEvent>> cps = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      vectors.put("gamma@" + s, walk.get(s));
      cps.add(CheckpointEvents.of(CheckpointEvents.key("gamma", "head", s), data.ids, walk.get(s), data.labels, 150));
    }
    var comparisonDe = topics.comparisons.valueSerde(serdes).deserializer();
    try (Broker.RawProducer producer = new Broker.RawProducer(topics.spaceEvents, topics.spaceEvents.valueSerde(serdes).serializer())) {
      App app = new App(appId, topics, state, 1);
      producer.send("gamma", cps.get(0));
      producer.send("gamma", cps.get(1));
      assertEquals(2, Broker.readCommitted(topics.comparisons, comparisonDe, 2, Duration.ofMinutes(2), Duration.ofMillis(500)).size());

      // Kill 1: the app holds half of step 2's chunks in its stores, committed.
      List<SpaceEvent> step2 = cps.get(2);
      int half = step2.size() / 2;
      producer.send("gamma", step2.subList(0, half));
      awaitConsumed(appId, topics, Duration.ofMinutes(1));
      app.kill();
      producer.send("gamma", step2.subList(half, step2.size()));

      // Kill 2: while it works through the rest of step 2 and step 3 (assembling, validating or comparing).
      app = new App(appId, topics, state, 2);
      producer.send("gamma", cps.get(3));
      sleep(300);
      app.kill();

      app = new App(appId, topics, state, 3);
      try {
        List<ComparisonResult> results = Broker.readCommitted(topics.comparisons, comparisonDe, 6, Duration.ofMinutes(3), Duration.ofSeconds(5));
        assertEquals(List.of("gamma/head@1 FIRST @0", "gamma/head@1 PREVIOUS @0", "gamma/head@2 FIRST @0", "gamma/head@2 PREVIOUS @1",
                "gamma/head@3 FIRST @0", "gamma/head@3 PREVIOUS @2"),
            results.stream().map(ComparisonPipelineIT::id).sorted().toList(), "each comparison exactly once");
        for (ComparisonResult r : results) assertMatchesEngine(r, vectors);
        List<DeadLetter> dead = Broker.readCommitted(topics.deadLetters, topics.deadLetters.valueSerde(serdes).deserializer(), 0, Duration.ofSeconds(5), Duration.ofSeconds(2));
        assertEquals(List.of(), dead, "a crash must not make a good checkpoint look bad");
        String log = Files.readString(app.out);
        assertTrue(log.contains("RUNNING"), log);
      } finally {
        app.stop();
      }
    }
  }

  /**
   * Two instances of one app (one group of stream threads, one group of compare workers) share each checkpoint's k-NN
   * shards; one is SIGKILLed while checkpoints are in flight. The survivor takes its partitions and its unanswered
   * work; every comparison comes exactly once and equals the engine's.
   */
  @Test
  void twoInstancesShareTheShardsAndOneKilledLosesAndDoublesNothing() throws Exception {
    Topics topics = Topics.withPrefix(unique("pair") + ".");
    String appId = unique("pair-app");
    PipelineRunner.createTopics(PipelineRunner.streamsProperties(Stack.bootstrap(), appId, tmp.resolve("admin")), topics, 4);
    int steps = 5;
    List<float[][]> walk = data.walk(steps, 0.015, 91);
    Map<String, float[][]> vectors = new HashMap<>();
    List<List<SpaceEvent>> cps = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      vectors.put("delta@" + s, walk.get(s));
      cps.add(CheckpointEvents.of(CheckpointEvents.key("delta", "head", s), data.ids, walk.get(s), data.labels, 150));
    }
    int shardRows = (data.rows() + 3) / 4; // four k-NN shards per checkpoint
    var comparisonDe = topics.comparisons.valueSerde(serdes).deserializer();
    try (Broker.RawProducer producer = new Broker.RawProducer(topics.spaceEvents, topics.spaceEvents.valueSerde(serdes).serializer())) {
      App first = new App(appId, topics, tmp.resolve("pair-state-1"), 11, shardRows);
      App second = new App(appId, topics, tmp.resolve("pair-state-2"), 12, shardRows);
      try {
        awaitMembers(appId + "-compare", 2, Duration.ofMinutes(1));
        producer.send("delta", cps.get(0));
        producer.send("delta", cps.get(1));
        assertEquals(2, Broker.readCommitted(topics.comparisons, comparisonDe, 2, Duration.ofMinutes(2), Duration.ofMillis(500)).size());
        List<io.vectory.avro.WorkDone> answers = Broker.readCommitted(topics.workResults, topics.workResults.valueSerde(serdes).deserializer(),
            8, Duration.ofMinutes(1), Duration.ofMillis(500));
        assertTrue(answers.stream().map(io.vectory.avro.WorkDone::getWorker).distinct().count() >= 2,
            () -> "both instances' workers answered some of the 8 k-NN shards: " + answers.stream().map(a -> a.getWorker() + " " + a.getKind() + " " + a.getShard()).toList());

        for (int s = 2; s < steps; s++) producer.send("delta", cps.get(s));
        sleep(400);
        first.kill();

        List<ComparisonResult> results = Broker.readCommitted(topics.comparisons, comparisonDe, 2 * (steps - 1), Duration.ofMinutes(3), Duration.ofSeconds(5));
        List<String> expected = new ArrayList<>();
        for (int s = 1; s < steps; s++) {
          expected.add("delta/head@" + s + " FIRST @0");
          expected.add("delta/head@" + s + " PREVIOUS @" + (s - 1));
        }
        assertEquals(expected.stream().sorted().toList(), results.stream().map(ComparisonPipelineIT::id).sorted().toList(), "each comparison exactly once");
        for (ComparisonResult r : results) assertMatchesEngine(r, vectors);
        List<DeadLetter> dead = Broker.readCommitted(topics.deadLetters, topics.deadLetters.valueSerde(serdes).deserializer(), 0, Duration.ofSeconds(5), Duration.ofSeconds(2));
        assertEquals(List.of(), dead, "a lost instance must not make a good checkpoint look bad");
      } finally {
        first.kill();
        second.stop();
      }
    }
  }
}
