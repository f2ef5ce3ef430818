package io.vectory.streams;

import io.vectory.ingest.Stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.ingest.http.IngestServer;
import io.vectory.schemas.CheckpointProtocol;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP ingest (the server {@code vectory serve-ingest} runs) in front of the pipeline, both on the shared stack's
 * real broker and registry: what the ingest answers "published" is what the pipeline compares, and what it cannot
 * accept is refused at publish time, with the reason.
 */
class IngestToPipelineIT {
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path tmp;
  final EventSerdes serdes = EventSerdes.registry(Stack.registryConfig());
  Topics topics;
  PipelineRunner runner;
  CheckpointPublisher publisher;
  IngestServer server;

  @BeforeAll
  static void requireStack() throws Exception {
    Stack.requireKafka();
  }

  @BeforeEach
  void start() throws Exception {
    topics = Topics.withPrefix("it-ingest-" + RUN + "-" + UUID.randomUUID().toString().substring(0, 6) + ".");
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), topics.spaceEvents.name() + "-app", tmp.resolve("state"));
    runner = PipelineRunner.start(PipelineConfig.defaults(topics, serdes), props, 1, null, Duration.ofMinutes(2));
    publisher = CheckpointPublisher.builder(Stack.bootstrap()).serdes(serdes).topics(topics).build();
    server = IngestServer.start(new InetSocketAddress("127.0.0.1", 0), publisher, 64L << 20, SpaceDescription.of("ds", "m"),
        new IngestServer.VerdictSource(Stack.bootstrap(), Map.of(), serdes, topics));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (publisher != null) publisher.close();
    if (runner != null) runner.close();
  }

  @AfterAll
  static void deleteTopics() throws Exception {
    Stack.deleteTopics("it-ingest-" + RUN);
  }

  String url(String experiment, long step, String suffix) {
    return "http://127.0.0.1:" + server.port() + "/v1/experiments/" + experiment + "/checkpoints/" + step + suffix;
  }

  HttpResponse<String> post(String experiment, long step, float[][] v) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url(experiment, step, "?space=head"))).header("Content-Type", "application/x-npy")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Npy.toBytes(FloatMatrix.of(v)))).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode verdict(String experiment, long step) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url(experiment, step, "/verdict?space=head&timeout_ms=120000"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  static float[][] vectors(int rows, int dim, long seed) {
    Random rnd = new Random(seed);
    float[][] v = new float[rows][dim];
    for (float[] row : v) for (int j = 0; j < dim; j++) row[j] = (float) rnd.nextGaussian();
    return v;
  }

  @Test
  void twentyParallelPostsOfOneExperimentEachEndComparedOrRefusedAtPublishTime() throws Exception {
    String exp = "parallel";
    float[][] base = vectors(120, 16, 1);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    try {
      for (int step = 1; step <= 20; step++) {
        float[][] v = new TestData(base).perturbed(0.05, step);
        int s = step;
        answers.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
            return post(exp, s, v);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, pool));
      }
      go.countDown();
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    TreeMap<Long, HttpResponse<String>> published = new TreeMap<>(), refused = new TreeMap<>();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = answers.get(i).get();
      long step = i + 1;
      if (r.statusCode() == 202) published.put(step, r);
      else if (r.statusCode() == 409) refused.put(step, r);
      else throw new AssertionError("step " + step + ": HTTP " + r.statusCode() + " " + r.body());
    }
    assertEquals(20, published.size() + refused.size());
    assertTrue(!published.isEmpty());
    // Every refusal says which later step was published first.
    for (var e : refused.entrySet()) {
      String body = e.getValue().body();
      assertTrue(body.contains("parallel/head@" + e.getKey() + ": step " + e.getKey() + " is before step ") && body.contains("already published"), body);
    }
    // Every "published" ends accepted: the first one as the space's first checkpoint, each later one compared
    // with the published step before it (its previous) and with the first.
    long first = published.firstKey();
    Long previous = null;
    for (long step : published.keySet()) {
      JsonNode v = verdict(exp, step);
      assertEquals("accepted", v.get("verdict").asText(), () -> "step " + step + ": " + v);
      if (previous != null) {
        List<String> got = new ArrayList<>();
        for (JsonNode c : v.get("comparisons")) got.add(c.get("relation").asText() + " @" + c.get("b").get("step").asLong());
        assertTrue(got.contains("PREVIOUS @" + previous) && got.contains("FIRST @" + first),
            () -> "step " + step + ": " + v);
      }
      previous = step;
    }
    int expected = 2 * (published.size() - 1);
    assertTrue(runner.awaitComparisons(expected, Duration.ofMinutes(2)));
    assertEquals(expected, runner.comparisons().size(), () -> "comparisons: " + runner.comparisons());
    assertTrue(runner.deadLetters().isEmpty(), () -> "nothing committed and then dropped: " + runner.deadLetters());
    System.out.println("parallel posts: published " + published.keySet() + ", refused at publish time " + refused.keySet());
  }

  @Test
  void aFiftyByTwentyThousandCheckpointIsRefusedAtPublishTimeAndTheOthersAreCompared() throws Exception {
    float[][] wide = vectors(50, 20_000, 7);
    List<String> exps = List.of("small-a", "small-b", "small-c", "small-d", "small-e", "small-f");
    // Twelve small checkpoints (six experiments, steps 0 and 1), the wide one in the middle of them.
    for (int s = 0; s < 2; s++) {
      for (String e : exps) {
        HttpResponse<String> r = post(e, s, new TestData(vectors(60, 8, e.hashCode())).perturbed(0.05, s));
        assertEquals(202, r.statusCode(), r.body());
        if (s == 0 && e.equals("small-c")) {
          HttpResponse<String> w = post("wide", 0, wide);
          assertEquals(400, w.statusCode(), w.body());
          assertTrue(w.body().contains("dimension 20000 is above the limit of " + CheckpointProtocol.MAX_DIMENSION + " components per vector"), w.body());
        }
      }
    }
    // The library refuses it with the same words ...
    IllegalArgumentException lib = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> publisher.publish("wide", "head", 0, Space.rowNumbers(50), wide, SpaceDescription.of("ds", "m")));
    assertTrue(lib.getMessage().contains("dimension 20000 is above the limit of 4096"), lib.getMessage());
    // ... and sent raw, past every client check, the pipeline dead-letters it with the same limit and carries on.
    try (Broker.RawProducer raw = new Broker.RawProducer(topics.spaceEvents, topics.spaceEvents.valueSerde(serdes).serializer())) {
      raw.send("wide", CheckpointEvents.of(CheckpointEvents.key("wide", "head", 1), Space.rowNumbers(50), wide, null, 4));
    }
    for (String e : exps) {
      HttpResponse<String> r = post(e, 2, new TestData(vectors(60, 8, e.hashCode())).perturbed(0.05, 2));
      assertEquals(202, r.statusCode(), r.body());
    }
    // Steps 1 and 2 of six experiments: 2 results each.
    assertTrue(runner.awaitComparisons(24, Duration.ofMinutes(3)), () -> "comparisons: " + runner.comparisons().size());
    List<ComparisonResult> results = runner.comparisons();
    assertEquals(24, results.size());
    for (String e : exps) assertEquals(4, results.stream().filter(r -> r.getA().getExperiment().equals(e)).count(), e);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (runner.deadLetters().isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
    List<DeadLetter> dead = runner.deadLetters();
    assertEquals(1, dead.size(), () -> "dead letters: " + dead);
    assertEquals("wide/head@1", dead.get(0).getCheckpoint());
    assertTrue(dead.get(0).getReason().contains("dimension 20000 is above the limit of 4096"), dead.get(0).getReason());
  }

  /** Row numbers as ids. */
  static final class Space {
    static List<String> rowNumbers(int n) {
      return io.vectory.core.space.Space.rowNumbers(n);
    }
  }
}
