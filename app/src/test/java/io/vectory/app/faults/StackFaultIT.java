package io.vectory.app.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import io.vectory.schemas.Topics;
import io.vectory.sink.IndexNames;
import io.vectory.sink.OpenSearchClients;
import io.vectory.streams.PipelineRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;

/**
 * The fault suite (issue 14): each case breaks one server of a private stack ({@link PrivateStack}: this suite's own
 * Kafka, Apicurio, OpenSearch and Connect worker, started by {@code bin/stack} on ports 19xxx) while checkpoints
 * flow through the real {@code vectory pipeline} and the stack's sink connector, and asserts nothing lost (every
 * comparison and every point in OpenSearch), nothing doubled (each comparison once on the committed topic, each
 * document once by its natural id), a clear log line, and recovery without a human. docs/faults.md says how each was
 * shown to fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackFaultIT {
  static final int ROWS = 200;
  static final int DIM = 16;
  static final String APP = "fault-pipeline";
  static final Topics TOPICS = Topics.defaults();
  static final IndexNames NAMES = IndexNames.defaults();

  static PrivateStack stack;
  static OpenSearchClient os;
  /** One client for every publish: its schema ids stay cached, so a publish needs no registry once one succeeded. */
  static EventSerdes publisherSerdes;
  @TempDir static Path work;
  /** Kept after the run (target/fault-logs), for a failure to be read. */
  static final Path LOGS = Path.of("target", "fault-logs").toAbsolutePath();

  @BeforeAll
  static void startStack() throws Exception {
    stack = PrivateStack.create();
    Files.createDirectories(LOGS);
    stack.wipe();
    stack.up();
    // The pipeline's topics with 2 partitions, as `vectory pipeline --partitions 2` would make them.
    PipelineRunner.createTopics(PipelineRunner.streamsProperties(stack.bootstrap(), APP, work.resolve("unused")), TOPICS, 2);
    os = OpenSearchClients.open(OpenSearchClients.Settings.of(stack.opensearch(), Duration.ofSeconds(10)));
    publisherSerdes = EventSerdes.registry(Map.of("schema.registry.url", stack.registry()));
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (os != null) OpenSearchClients.close(os);
    if (stack != null) stack.down();
  }

  // ---- (g) schemas outlive restarts

  @Test
  @Order(1)
  void everyRecordOfEveryTopicDecodesAfterTheWholeStackCrashed() throws Exception {
    try (PipelineChild p = pipeline("g1")) {
      publish("g1", 0, 3);
      publish("g1", 2, 1); // step 2 again: refused, one dead letter per event of it (register, chunk, completion)
      awaitEverything("g1", 3, 3);
    }
    Map<String, List<String>> before = readEveryTopic();
    for (String topic : List.of(TOPICS.spaceEvents.name(), TOPICS.indexedSpaces.name(), TOPICS.comparisons.name(), TOPICS.deadLetters.name())) {
      assertTrue(!before.get(topic).isEmpty(), () -> topic + " is empty before the crash: nothing would be checked");
    }

    for (String svc : PrivateStack.SERVICES) stack.kill9(svc); // a crash of the machine, as far as the servers know
    stack.up();

    // A fresh client (no cached schema): every id must resolve again, to the same schema.
    assertEquals(before, readEveryTopic(), "every record read back after the crash, decoded with the registry's schemas");
    try (PipelineChild p = pipeline("g1-after")) {
      publish("g1", 3, 1);
      awaitEverything("g1", 4, 3);
    }
  }

  // ---- (e) schema registry down at start and mid-run

  @Test
  @Order(2)
  void aPipelineStartedWithoutItsRegistryWaitsBoundedThenExitsHavingConsumedNothing() throws Exception {
    publish("e1", 0, 3);
    Map<TopicPartition, Long> committed = committedOffsets();
    stack.down("apicurio");
    try {
      try (PipelineChild p = pipeline("e1-nowait", false, "--registry-wait", "3")) {
        assertEquals(1, p.awaitExit(Duration.ofSeconds(90)), p.log());
        assertTrue(p.log().contains("schema registry at " + stack.registry() + " is unreachable; waiting up to 3 s for it (--registry-wait)"), p.log());
        assertTrue(p.log().contains("vectory pipeline: cannot start: schema registry at " + stack.registry() + " still unreachable after 3 s"), p.log());
      }
      assertEquals(committed, committedOffsets(), "offsets committed by a pipeline that never started");

      // Waiting, it starts once the registry is back, and loses nothing.
      try (PipelineChild p = pipeline("e1-wait", false)) {
        p.await("is unreachable; waiting up to 120 s", Duration.ofMinutes(1));
        stack.up();
        p.awaitRunning();
        awaitEverything("e1", 3, 0);
      }
    } finally {
      stack.up();
    }
  }

  @Test
  @Order(3)
  void theRegistryCrashingMidRunPausesThePipelineAndNothingIsDeadLettered() throws Exception {
    try (PipelineChild p = pipeline("e2")) {
      // The publisher holds the events schema id (registered now, sent nowhere); the pipeline, a new process, does not.
      TOPICS.spaceEvents.valueSerde(publisherSerdes).serializer().serialize(TOPICS.spaceEvents.name(), io.vectory.avro.SpaceEvent.newBuilder()
          .setEvent(io.vectory.avro.ReferencePinned.newBuilder().setReference(new io.vectory.avro.CheckpointKey("warm", "head", 0L))
              .setPinned(false).setPinnedAt(java.time.Instant.now()).build()).build());
      stack.kill9("apicurio");
      try {
        publish("e2", 0, 3); // the publisher's schema id is cached; the pipeline (a new process) must ask for it
        p.await("processing paused", Duration.ofMinutes(1));
        Thread.sleep(3000);
        assertTrue(p.process.isAlive(), p.log());
      } finally {
        stack.up();
      }
      awaitEverything("e2", 3, 0);
      assertTrue(p.process.isAlive(), "the pipeline recovered by itself:\n" + p.log());
    }
  }

  // ---- (d) OpenSearch down while checkpoints flow

  @Test
  @Order(4)
  void openSearchDownWhileCheckpointsFlowIsCaughtUpByTheSinkOncePerDocument() throws Exception {
    try (PipelineChild p = pipeline("d1")) {
      long down = System.nanoTime();
      stack.down("opensearch");
      try {
        publish("d1", 0, 4);
        // The pipeline goes on without OpenSearch: all of its results are committed while the sink cannot write them.
        awaitOnTopic("d1", expectedComparisons("d1", 4).size());
        long left = TimeUnit.SECONDS.toMillis(20) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
        if (left > 0) Thread.sleep(left);
        String connectLog = Files.readString(stack.dir.resolve("logs/connect.log"));
        assertTrue(connectLog.contains("OpenSearch or the schema registry unavailable, redelivering"),
            "the sink says it retries:\n" + connectLog.substring(Math.max(0, connectLog.length() - 3000)));
      } finally {
        stack.up();
      }
      awaitEverything("d1", 4, 0);
    }
  }

  // ---- (c) Connect worker SIGKILL mid-flow

  @Test
  @Order(5)
  void aConnectWorkerKilledMidFlowResumesAndEveryDocumentIsThereOnce() throws Exception {
    try (PipelineChild p = pipeline("c1")) {
      publish("c1", 0, 6);
      // Kill it as soon as it has written the first points: what it wrote after its last offset commit comes again.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (count(NAMES.space("c1", "head", 0), null) <= 0) {
        assertTrue(System.nanoTime() < deadline, "c1's first checkpoint not indexed within 2 min\n" + stack.tail());
        Thread.sleep(50);
      }
      stack.kill9("connect");
      stack.up();
      awaitEverything("c1", 6, 0);
      String connectLog = Files.readString(stack.dir.resolve("logs/connect.log"));
      assertTrue(connectLog.lastIndexOf("==== bin/stack: connect starting") > 0, "Connect was restarted by bin/stack up");
    }
  }

  // ---- (f) unwritable state directory

  @Test
  @Order(6)
  void anUnwritableStateDirectoryIsRefusedAtStartNamingItAndNothingIsConsumed() throws Exception {
    publish("f1", 0, 2);
    Map<TopicPartition, Long> committed = committedOffsets();
    // A folder below a regular file cannot be created, not even by root (for whom permission bits are no obstacle).
    Path file = Files.writeString(work.resolve("not-a-folder"), "x");
    Path state = file.resolve("state");
    try (PipelineChild p = pipeline("f1-refused", state, false)) {
      assertEquals(1, p.awaitExit(Duration.ofSeconds(90)), p.log());
      assertTrue(p.log().contains("vectory pipeline: cannot start: state directory " + state + " cannot be written"), p.log());
      assertTrue(!p.log().contains("\tat "), () -> "a message, not a stack trace:\n" + p.log());
    }
    assertEquals(committed, committedOffsets(), "offsets committed by a pipeline that refused to start");
    try (PipelineChild p = pipeline("f1")) {
      awaitEverything("f1", 2, 0); // nothing was lost by the refusal
    }
  }

  // ---- (b) one of two Streams instances SIGKILLed inside a comparison's transaction

  static final String TX_TIMEOUT = "producer.transaction.timeout.ms=15000";

  @Test
  @Order(7)
  void aStreamsInstanceKilledInsideAComparisonsTransactionLeavesTheSurvivorToFinishAndNothingAbortedIsIndexed() throws Exception {
    // A 3 s commit interval keeps each transaction open that long after its results were sent: the kill lands inside one.
    // The dead instance's open transaction holds back every later record of its output partitions (read_committed)
    // until the broker aborts it after transaction.timeout.ms: the pipeline's 600 s default (room for long comparisons)
    // would stall the survivor's results that long, so this case sets 15 s.
    try (PipelineChild a = pipeline("b-a", work.resolve("state-b-a"), true, "-P", "client.id=fault-b-a", "-P", "commit.interval.ms=3000", "-P", TX_TIMEOUT);
         PipelineChild b = pipeline("b-b", work.resolve("state-b-b"), true, "-P", "client.id=fault-b-b", "-P", "commit.interval.ms=3000", "-P", TX_TIMEOUT);
         KafkaConsumer<String, byte[]> uncommitted = uncommittedFromEnd(TOPICS.comparisons)) {
      Map<String, PipelineChild> byClient = Map.of("fault-b-a", a, "fault-b-b", b);
      String owner = ownerOf("b1", byClient.keySet());
      var de = TOPICS.comparisons.valueSerde(publisherSerdes).deserializer();
      publish("b1", 0, 3);
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (seen.isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "no result of b1 sent within 2 min");
        for (ConsumerRecord<String, byte[]> r : uncommitted.poll(Duration.ofMillis(20))) {
          if ("b1".equals(r.key())) seen.add(id(de.deserialize(r.topic(), r.value())));
        }
      }
      byClient.get(owner).kill(); // its transaction holds the result just seen, not yet committed
      awaitEverything("b1", 3, 0);
      PipelineChild survivor = byClient.get(owner.equals("fault-b-a") ? "fault-b-b" : "fault-b-a");
      assertTrue(survivor.process.isAlive(), survivor.log());

      // The aborted transaction held results: sent (read_uncommitted sees more than were committed), never committed.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : uncommitted.poll(Duration.ofMillis(200))) {
          if ("b1".equals(r.key())) seen.add(id(de.deserialize(r.topic(), r.value())));
        }
      }
      List<String> committed = expectedComparisons("b1", 3);
      assertTrue(seen.size() > committed.size(), () -> "the kill did not abort a transaction holding a result: sent " + seen);
      // None of the aborted results reached OpenSearch: each document was written once (version 1), by the committed result.
      Map<String, Long> committedAt = new TreeMap<>();
      for (Object v : readTopic(TOPICS.comparisons)) {
        ComparisonResult r = (ComparisonResult) v;
        if (r.getA().getExperiment().equals("b1")) committedAt.put(id(r), r.getComputedAt().toEpochMilli());
      }
      var hits = os.search(s -> s.index(NAMES.comparisons()).size(1000).version(true)
          .query(q -> q.term(t -> t.field("experiment").value(FieldValue.of("b1")))), com.fasterxml.jackson.databind.node.ObjectNode.class).hits().hits();
      Map<String, String> indexed = new TreeMap<>(), want = new TreeMap<>();
      for (var h : hits) indexed.put(h.id(), "version " + h.version() + " @" + h.source().get("@timestamp").asLong());
      committedAt.forEach((k, t) -> want.put(k, "version 1 @" + t));
      assertEquals(want, indexed, "each comparison in OpenSearch is the committed one, written once");
    }
  }

  /** A read_uncommitted consumer at the end of the topic: sees what transactions sent, committed or not. */
  static KafkaConsumer<String, byte[]> uncommittedFromEnd(TopicSpec<?> topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = c.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position);
    return c;
  }

  /**
   * The client id (of {@code clients}) whose Streams instance owns the events partition of {@code experiment}, once
   * the group is stable with one member per client.
   */
  static String ownerOf(String experiment, java.util.Set<String> clients) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      int partitions = admin.describeTopics(List.of(TOPICS.spaceEvents.name())).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(TOPICS.spaceEvents.name()).partitions().size();
      byte[] key = experiment.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      TopicPartition tp = new TopicPartition(TOPICS.spaceEvents.name(), org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % partitions);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (true) {
        var g = admin.describeConsumerGroups(List.of(APP)).all().get(30, TimeUnit.SECONDS).get(APP);
        String owner = null;
        java.util.Set<String> members = new java.util.HashSet<>();
        for (var m : g.members()) {
          String client = clients.stream().filter(c -> m.clientId().startsWith(c)).findFirst().orElse(null);
          if (client == null || m.assignment().topicPartitions().isEmpty()) continue;
          members.add(client);
          if (m.assignment().topicPartitions().contains(tp)) owner = client;
        }
        if (owner != null && members.equals(clients) && g.groupState() == org.apache.kafka.common.GroupState.STABLE) return owner;
        assertTrue(System.nanoTime() < deadline, "group " + APP + " not stable with both instances within 2 min: " + g);
        Thread.sleep(200);
      }
    }
  }

  // ---- helpers

  /** Waits until the committed comparisons topic holds at least {@code n} results of {@code experiment}. */
  static void awaitOnTopic(String experiment, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (readTopic(TOPICS.comparisons).stream().filter(v -> ((ComparisonResult) v).getA().getExperiment().equals(experiment)).count() < n) {
      assertTrue(System.nanoTime() < deadline, experiment + ": fewer than " + n + " comparisons committed within 2 min");
      Thread.sleep(500);
    }
  }

  /** `vectory pipeline` on the private stack, running. */
  PipelineChild pipeline(String name, String... extra) throws Exception {
    return pipeline(name, true, extra);
  }

  PipelineChild pipeline(String name, boolean awaitRunning, String... extra) throws Exception {
    return pipeline(name, work.resolve("state"), awaitRunning, extra);
  }

  PipelineChild pipeline(String name, Path state, boolean awaitRunning, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--bootstrap-servers", stack.bootstrap(), "--schema-registry", stack.registry(),
        "--opensearch", stack.opensearch(), "--application-id", APP, "--state-dir", state.toString(), "--partitions", "2",
        "--metrics-port", "0", "-P", "consumer.session.timeout.ms=10000"));
    args.addAll(List.of(extra));
    PipelineChild p = PipelineChild.start(LOGS.resolve("pipeline-" + name + ".log"), work.resolve("tmp"), args);
    if (awaitRunning) {
      try {
        p.awaitRunning();
      } catch (Throwable t) {
        p.close();
        throw t;
      }
    }
    return p;
  }

  /** Steps {@code from .. from+count-1} of one experiment's "head" space: a random walk, reproducible per experiment. */
  static void publish(String experiment, int from, int count) {
    List<String> ids = IntStream.range(0, ROWS).mapToObj(i -> "p" + i).toList();
    try (CheckpointPublisher pub = CheckpointPublisher.builder(stack.bootstrap()).serdes(publisherSerdes).topics(TOPICS)
        .transactionalId("fault-publisher-" + experiment).build()) {
      for (int s = from; s < from + count; s++) pub.publish(experiment, "head", s, ids, vectors(experiment, s), SpaceDescription.of("faults", "walk"));
    }
  }

  static float[][] vectors(String experiment, int step) {
    Random r = new Random(experiment.hashCode());
    float[][] v = new float[ROWS][DIM];
    for (float[] row : v) for (int j = 0; j < DIM; j++) row[j] = (float) r.nextGaussian();
    Random drift = new Random(experiment.hashCode() * 31L + step);
    for (float[] row : v) for (int j = 0; j < DIM; j++) row[j] += (float) (0.1 * step * drift.nextGaussian());
    return v;
  }

  /** The comparisons a space of {@code steps} checkpoints gets: each step after the first against the first and the previous. */
  static List<String> expectedComparisons(String experiment, int steps) {
    List<String> out = new ArrayList<>();
    for (int s = 1; s < steps; s++) {
      out.add(experiment + "|head|" + s + "|first|head|0");
      out.add(experiment + "|head|" + s + "|previous|head|" + (s - 1));
    }
    return out.stream().sorted().toList();
  }

  static String id(ComparisonResult r) {
    return io.vectory.sink.Docs.comparisonId(r);
  }

  /**
   * Nothing lost, nothing doubled, for one experiment: every comparison once on the committed topic and once in
   * OpenSearch, every checkpoint's points in its index once each, and exactly {@code deadLetters} dead letters.
   */
  static void awaitEverything(String experiment, int steps, int deadLetters) throws Exception {
    List<String> expected = expectedComparisons(experiment, steps);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    Map<String, Long> counts;
    while (true) {
      counts = indexedCounts(experiment, steps);
      if (counts.entrySet().stream().allMatch(e -> e.getValue() >= (e.getKey().equals("comparisons") ? expected.size() : ROWS))) {
        break;
      }
      if (System.nanoTime() > deadline) throw new AssertionError(experiment + ": not everything indexed within 2 min: " + counts + "\n" + stack.tail());
      Thread.sleep(500);
    }
    Map<String, Long> want = new TreeMap<>();
    want.put("comparisons", (long) expected.size());
    for (int s = 0; s < steps; s++) want.put(NAMES.space(experiment, "head", s), (long) ROWS);
    assertEquals(want, new TreeMap<>(indexedCounts(experiment, steps)), experiment + ": documents in OpenSearch (by natural id)");
    assertEquals(expected, comparisonIdsInOpenSearch(experiment), experiment + ": comparison documents");
    List<String> onTopic = readTopic(TOPICS.comparisons).stream().map(v -> (ComparisonResult) v).filter(r -> r.getA().getExperiment().equals(experiment))
        .map(StackFaultIT::id).sorted().toList();
    assertEquals(expected, onTopic, experiment + ": each comparison exactly once on the committed topic");
    List<String> dead = readTopic(TOPICS.deadLetters).stream().map(v -> (DeadLetter) v)
        .filter(d -> experiment.equals(d.getKey())).map(DeadLetter::getReason).toList();
    assertEquals(deadLetters, dead.size(), () -> experiment + ": dead letters " + dead);
  }

  /** Documents per index: "comparisons" (this experiment's) and each checkpoint's space index; -1 for a missing index. */
  static Map<String, Long> indexedCounts(String experiment, int steps) {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("comparisons", count(NAMES.comparisons(), experiment));
    for (int s = 0; s < steps; s++) out.put(NAMES.space(experiment, "head", s), count(NAMES.space(experiment, "head", s), null));
    return out;
  }

  static long count(String index, String experiment) {
    try {
      return os.count(c -> {
        c.index(index);
        if (experiment != null) c.query(q -> q.term(t -> t.field("experiment").value(FieldValue.of(experiment))));
        return c;
      }).count();
    } catch (Exception e) {
      return -1; // missing index, or OpenSearch not back yet
    }
  }

  static List<String> comparisonIdsInOpenSearch(String experiment) throws Exception {
    var r = os.search(s -> s.index(NAMES.comparisons()).size(1000).source(src -> src.fetch(false))
        .query(q -> q.term(t -> t.field("experiment").value(FieldValue.of(experiment)))), Object.class);
    return r.hits().hits().stream().map(h -> h.id()).sorted().toList();
  }

  /** Every committed record of one topic, decoded with a fresh registry client (no cached schema). */
  static List<Object> readTopic(TopicSpec<?> topic) {
    return new ArrayList<>(readTopic(topic, topic.valueSerde(EventSerdes.registry(Map.of("schema.registry.url", stack.registry()))).deserializer()));
  }

  static <V> List<V> readTopic(TopicSpec<?> topic, Deserializer<V> de) {
    Properties p = io.vectory.ingest.Stack.committedReader(stack.bootstrap());
    List<V> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30)); // read_committed: the last stable offset
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) throw new AssertionError(topic.name() + ": not read to its end " + end + " within 1 min");
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          try {
            out.add(de.deserialize(r.topic(), r.value()));
          } catch (RuntimeException e) {
            throw new AssertionError(r.topic() + "/" + r.partition() + "@" + r.offset() + " does not decode: " + e.getMessage(), e);
          }
        }
      }
    }
    return out;
  }

  /** Every vectory topic, record by record as text, in partition and offset order. */
  static Map<String, List<String>> readEveryTopic() {
    Map<String, List<String>> out = new TreeMap<>();
    for (TopicSpec<?> t : TOPICS.all()) out.put(t.name(), readTopic(t).stream().map(String::valueOf).toList());
    return out;
  }

  /** The pipeline's committed offsets on the events topic. */
  static Map<TopicPartition, Long> committedOffsets() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(APP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> out = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
      m.forEach((tp, o) -> {
        if (tp.topic().equals(TOPICS.spaceEvents.name()) && o != null) out.put(tp, o.offset());
      });
      return out;
    }
  }
}
