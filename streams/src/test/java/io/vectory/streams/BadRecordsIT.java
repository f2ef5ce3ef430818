package io.vectory.streams;

import io.vectory.ingest.Stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad raw records on the events topic (docs/bad-input.md, surface "topic"): what no real publisher sends, written
 * byte for byte to the shared stack's broker (registry serde, Apicurio) with the pipeline running. Each case must
 * end as a dead letter whose reason names the record or field and what was expected; a good checkpoint sent after
 * all of them is still compared. The case ids are the doc table's.
 */
class BadRecordsIT {
  static final int N = 12, DIM = 8, CHUNK_ROWS = 4;
  static final long TIMEOUT_MS = 5_000;
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  /** What to send (with the raw producer) and, for the case's key, the parts one dead letter's reason must hold. */
  record Case(String id, String input, String key, Consumer<Broker.RawProducer> send, List<String> parts) {
    @Override
    public String toString() {
      return id + " " + input;
    }
  }

  static Case c(String id, String input, String key, Consumer<Broker.RawProducer> send, String... parts) {
    return new Case(id, input, key, send, List.of(parts));
  }

  static String exp(String id) {
    return id.toLowerCase() + "-" + RUN;
  }

  static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add("p" + i);
    return ids;
  }

  static float[][] vectors(int n, int d, long seed) {
    Random r = new Random(seed);
    float[][] v = new float[n][d];
    for (float[] row : v) for (int i = 0; i < d; i++) row[i] = (float) r.nextGaussian();
    return v;
  }

  /** The events of a good checkpoint of {@code n} rows in chunks of 4: registered, chunks 0.., completed. */
  static List<SpaceEvent> events(String experiment, long step, int n, int d, long seed) {
    return CheckpointEvents.of(CheckpointEvents.key(experiment, "head", step), ids(n), vectors(n, d, seed), null, CHUNK_ROWS);
  }

  static List<SpaceEvent> events(String experiment) {
    return events(experiment, 0, N, DIM, experiment.hashCode());
  }

  static List<SpaceEvent> with(List<SpaceEvent> events, Consumer<List<SpaceEvent>> change) {
    List<SpaceEvent> copy = new ArrayList<>(events);
    change.accept(copy);
    return copy;
  }

  static SpaceRegistered registered(List<SpaceEvent> e) {
    return (SpaceRegistered) e.get(0).getEvent();
  }

  /** Sets a float of a chunk's vectors and recomputes nothing (the CRC then also differs; the value is the first problem named). */
  static void setFloat(EmbeddingChunk c, int index, float value) {
    ByteBuffer b = c.getVectors().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.putFloat(b.position() + index * 4, value);
  }

  static Stream<Case> cases() {
    return Stream.of(
        c("R01", "bytes that are not an event", exp("R01"), p -> p.sendRaw(exp("R01"), "not an event".getBytes(StandardCharsets.UTF_8)),
            "value: cannot decode the record at ", "as a SpaceEvent: ", "cannot read SpaceEvent: first byte is 0x6E; expected the Confluent wire format"
                + " (magic byte 0x00 + 4-byte schema id) or Avro single-object encoding (C3 01)"),
        c("R02", "a foreign magic byte (0x01) before a schema id", exp("R02"), p -> p.sendRaw(exp("R02"), new byte[] {1, 0, 0, 0, 1, 2, 3, 4}),
            "value: cannot decode the record at ", "cannot read SpaceEvent: first byte is 0x01; expected the Confluent wire format (magic byte 0x00"),
        c("R03", "the Confluent frame with a schema id the registry does not hold", exp("R03"),
            p -> p.sendRaw(exp("R03"), new byte[] {0, 0x3B, (byte) 0x9A, (byte) 0xC9, (byte) 0xFF, 2, 4, 6}),
            "value: cannot decode the record at ", "cannot read SpaceEvent written with schema id 999999999: schema registry at ",
            "does not know schema id 999999999 (HTTP 404)"),
        c("R04", "a tombstone (null value)", exp("R04"), p -> p.sendRaw(exp("R04"), null), "value: null (a tombstone); expected a SpaceEvent"),
        c("R05", "vector bytes changed in transit (CRC-32C)", exp("R05"), p -> p.send(exp("R05"), with(events(exp("R05")),
                e -> CheckpointEvents.chunk(e.get(2)).getVectors().put(0, (byte) 0x7F))),
            "checkpoint " + exp("R05") + "/head@0 rejected: ", "checksum: CRC-32C of the vectors bytes in sequence order is "),
        c("R06", "a chunk missing", exp("R06"), p -> p.send(exp("R06"), with(events(exp("R06")), e -> e.remove(2))),
            "sequence: chunk 2 follows chunk 0; expected 1 (missing chunk 1)", "chunks: CheckpointCompleted.chunks is 3; received 2"),
        c("R07", "a chunk sent twice", exp("R07"), p -> p.send(exp("R07"), with(events(exp("R07")), e -> e.add(2, e.get(2)))),
            exp("R07") + "/head@0 rejected: sequence: chunk 1 received twice; expected each sequence once"),
        // Accepted, not dead-lettered (no parts): the chunks are reassembled by sequence, and the next step is compared with it.
        c("R08", "chunks out of order (2 before 1): reassembled by sequence, accepted", exp("R08"), p -> {
              p.send(exp("R08"), with(events(exp("R08")), e -> {
                SpaceEvent one = e.remove(2);
                e.add(3, one);
              }));
              p.send(exp("R08"), events(exp("R08"), 1, N, DIM, 81));
            }),
        c("R09", "a checkpoint that never completes", exp("R09"), p -> p.send(exp("R09"), with(events(exp("R09")), e -> e.remove(e.size() - 1))),
            "checkpoint " + exp("R09") + "/head@0 incomplete: no CheckpointCompleted within " + TIMEOUT_MS + " ms"),
        c("R10", "a completion with nothing before it", exp("R10"), p -> p.send(exp("R10"), with(events(exp("R10")), e -> e.subList(0, e.size() - 1).clear())),
            "CheckpointCompleted: no SpaceRegistered or EmbeddingChunk received for " + exp("R10") + "/head@0"),
        c("R11", "a NaN in the vectors", exp("R11"), p -> p.send(exp("R11"), with(events(exp("R11")), e -> setFloat(CheckpointEvents.chunk(e.get(2)), 5, Float.NaN))),
            "vectors: 1 non-finite value (NaN or ±Infinity), first at row 4 component 5; expected finite float32"),
        c("R12", "a zero vector under cosine", exp("R12"), p -> p.send(exp("R12"), with(events(exp("R12")), e -> {
              for (int i = 0; i < DIM; i++) setFloat(CheckpointEvents.chunk(e.get(1)), DIM + i, 0f);
            })),
            "vectors: 1 zero vector, first at row 1; a zero vector has no direction under the cosine metric"),
        c("R13", "a one-row space", exp("R13"), p -> p.send(exp("R13"), events(exp("R13"), 0, 1, DIM, 13)),
            "rows: 1 row: a space needs at least 2 points to have neighbours"),
        c("R14", "a duplicate id", exp("R14"), p -> p.send(exp("R14"), with(events(exp("R14")), e -> CheckpointEvents.chunk(e.get(2)).getIds().set(0, "p0"))),
            "ids: 1 duplicate id (e.g. 'p0'); expected ids unique within a checkpoint"),
        c("R15", "a chunk of another dimension than registered", exp("R15"), p -> p.send(exp("R15"), with(events(exp("R15")), e -> registered(e).setDimension(DIM + 1))),
            "dimension: chunk 0 has dimension " + DIM + "; expected " + (DIM + 1) + " (SpaceRegistered.dimension)"),
        c("R16", "registered rows that the chunks do not hold", exp("R16"), p -> p.send(exp("R16"), with(events(exp("R16")), e -> registered(e).setRows(99))),
            "rows: SpaceRegistered.rows is 99; the chunks hold " + N),
        c("R17", "a record key that is not the experiment", "someone-else-" + RUN, p -> p.send("someone-else-" + RUN, events(exp("R17"))),
            "key: record key is 'someone-else-" + RUN + "'; expected the experiment name '" + exp("R17") + "'"),
        c("R18", "dimension 5,000", exp("R18"), p -> p.send(exp("R18"), events(exp("R18"), 0, 2, 5000, 18)),
            "rows: dimension 5000 is above the limit of 4096 components per vector"),
        c("R19", "an experiment name with an ANSI escape", "esc\u001b[31m-" + RUN, p -> p.send("esc\u001b[31m-" + RUN, events("esc\u001b[31m-" + RUN)),
            "experiment: experiment name 'esc\\u001B[31m-" + RUN + "' holds the non-printable character U+001B at position 3"),
        c("R20", "an experiment name of 300 characters", "x".repeat(291) + RUN, p -> p.send("x".repeat(291) + RUN, events("x".repeat(291) + RUN)),
            "experiment: experiment name is 299 characters long; at most 200 are allowed"),
        c("R21", "a step sent again after it was accepted", exp("R21"), p -> {
              p.send(exp("R21"), events(exp("R21")));
              p.send(exp("R21"), events(exp("R21"), 0, N, DIM, 21));
            },
            "SpaceRegistered: checkpoint " + exp("R21") + "/head@0 was already accepted; expected a new step"),
        c("R22", "a step older than the latest accepted", exp("R22"), p -> {
              p.send(exp("R22"), events(exp("R22"), 0, N, DIM, 220));
              p.send(exp("R22"), events(exp("R22"), 2, N, DIM, 222));
              p.send(exp("R22"), events(exp("R22"), 1, N, DIM, 221));
            },
            "step: 1 is not after the previous accepted checkpoint of this space (step 2); expected increasing steps"),
        c("R23", "metadata rows the chunk's ids do not match", exp("R23"), p -> p.send(exp("R23"), with(events(exp("R23")), e -> {
              registered(e).setMetadataColumns(List.of("label"));
              CheckpointEvents.chunk(e.get(1)).setMetadata(List.of(List.of("only one")));
            })),
            "metadata: chunk 0 has 1 rows; expected " + CHUNK_ROWS + " (one per id, with 1 values: [label])"),
        c("R24", "a later step with fewer points than k + 1 (5 points, k = 10)", exp("R24"), p -> {
              p.send(exp("R24"), events(exp("R24"), 0, 5, DIM, 240));
              p.send(exp("R24"), events(exp("R24"), 1, 5, DIM, 241));
            },
            "comparison with " + exp("R24") + "/head@0 ([PREVIOUS, FIRST]) failed: k must be between 1 and n - 1 = 4, got 10"));
  }

  static PipelineRunner runner;
  static Topics topics;
  static Path state;
  static List<DeadLetter> dead;

  @BeforeAll
  static void sendEveryCaseThenAGoodCheckpoint() throws Exception {
    Stack.requireKafka();
    EventSerdes serdes = EventSerdes.registry(Stack.registryConfig());
    topics = Topics.withPrefix("it-" + RUN + "-bad.");
    state = Files.createTempDirectory("vectory-bad-records");
    PipelineConfig config = PipelineConfig.defaults(topics, serdes).withCheckpointTimeout(Duration.ofMillis(TIMEOUT_MS), PunctuationType.WALL_CLOCK_TIME);
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), "it-" + RUN + "-bad-app", state.resolve("state"));
    runner = PipelineRunner.start(config, props, 2, null, Duration.ofMinutes(2));
    try (Broker.RawProducer raw = new Broker.RawProducer(topics.spaceEvents, topics.spaceEvents.valueSerde(serdes).serializer())) {
      cases().forEach(c -> c.send().accept(raw));
      raw.send(good(), events(good(), 0, N, DIM, 1));
      raw.send(good(), events(good(), 1, N, DIM, 2));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<String> keys = cases().filter(c -> !c.parts().isEmpty()).map(Case::key).toList();
    List<String> accepted = cases().filter(c -> c.parts().isEmpty()).map(Case::key).toList();
    while (System.nanoTime() < deadline) {
      var got = runner.deadLetters().stream().map(DeadLetter::getKey).collect(Collectors.toSet());
      var compared = runner.comparisons().stream().map(r -> r.getA().getExperiment()).collect(Collectors.toSet());
      if (got.containsAll(keys) && compared.containsAll(accepted) && goodComparisons().size() >= 2) break;
      Thread.sleep(200);
    }
    Thread.sleep(1_000); // a second dead letter of a case, if any, has time to arrive
    dead = runner.deadLetters();
  }

  static String good() {
    return "good-" + RUN;
  }

  static List<ComparisonResult> goodComparisons() {
    return runner.comparisons().stream().filter(r -> r.getA().getExperiment().equals(good())).toList();
  }

  @AfterAll
  static void stop() throws Exception {
    if (runner != null) runner.close();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      var mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(n -> n.startsWith("it-" + RUN + "-")).toList();
      admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachBadRecordIsDeadLetteredWithItsReason(Case c) {
    List<String> reasons = dead.stream().filter(d -> c.key().equals(d.getKey())).map(d -> String.valueOf(d.getReason())).toList();
    if (c.parts().isEmpty()) {
      assertEquals(List.of(), reasons, c.id() + ": accepted, no dead letter");
      List<String> compared = runner.comparisons().stream().filter(r -> r.getA().getExperiment().equals(c.key()))
          .map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).sorted().toList();
      assertEquals(List.of("1 FIRST 0", "1 PREVIOUS 0"), compared, c.id() + ": the next step is compared with it");
      return;
    }
    assertTrue(reasons.stream().anyMatch(r -> c.parts().stream().allMatch(r::contains)),
        () -> c.id() + ": expected a dead letter for key '" + c.key() + "' holding " + c.parts() + "; got " + reasons);
  }

  @Test
  void aGoodCheckpointAfterAllOfThemIsStillCompared() {
    List<String> got = goodComparisons().stream().map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).sorted().toList();
    assertEquals(List.of("1 FIRST 0", "1 PREVIOUS 0"), got, "the pipeline kept running after every bad record");
    assertTrue(dead.stream().noneMatch(d -> good().equals(d.getKey())), () -> "no dead letter for the good experiment: " + dead);
  }

  /** The case ids of this suite, for the doc table's test. */
  static List<String> caseIds() {
    return cases().map(Case::id).toList();
  }

  static CheckpointCompleted completed(List<SpaceEvent> e) {
    return CheckpointEvents.completed(e);
  }
}
