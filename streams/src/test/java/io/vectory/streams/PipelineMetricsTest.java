package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.streams.metrics.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology counts what it does into the registry the config carries, and /metrics serves it: real checkpoints
 * (hashed bags of words of the fortunes corpus) through TopologyTestDriver, then an HTTP scrape whose values are
 * checked against the records the topology emitted.
 */
class PipelineMetricsTest {
  @TempDir Path stateDir;

  @Test
  void scrapeCountsComparisonsCompareTimeLatestJaccardAndDeadLettersByReason() throws Exception {
    TestData data = TestData.fortunes(64, Integer.MAX_VALUE);
    Topics topics = Topics.withPrefix("m.");
    EventSerdes serdes = EventSerdes.singleObject();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PipelineConfig config = PipelineConfig.defaults(topics, serdes)
        .withCheckpointTimeout(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME).withMeterRegistry(registry);
    Properties base = new Properties();
    base.put(StreamsConfig.APPLICATION_ID_CONFIG, "vectory-metrics-test");
    base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    base.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());

    List<ComparisonResult> results;
    List<DeadLetter> dead;
    try (TopologyTestDriver driver = new TopologyTestDriver(ComparisonTopology.buildTopology(config), ComparisonTopology.streamsProperties(config, base))) {
      TestWorkers in = new TestWorkers(driver, topics, serdes, ComparisonEngine.EXACT);
      TestInputTopic<String, byte[]> raw = driver.createInputTopic(topics.spaceEvents.name(), Serdes.String().serializer(), new ByteArraySerializer());
      TestOutputTopic<String, ComparisonResult> out = driver.createOutputTopic(topics.comparisons.name(), Serdes.String().deserializer(),
          topics.comparisons.valueSerde(serdes).deserializer());
      TestOutputTopic<String, DeadLetter> dl = driver.createOutputTopic(topics.deadLetters.name(), Serdes.String().deserializer(),
          topics.deadLetters.valueSerde(serdes).deserializer());
      List<float[][]> walk = data.walk(4, 0.02, 5);
      send(in, "m1", checkpoint(data, "m1", 0, walk.get(0)));
      List<SpaceEvent> bad = checkpoint(data, "m1", 1, walk.get(1));
      ByteBuffer v = ((EmbeddingChunk) bad.get(2).getEvent()).getVectors().order(ByteOrder.LITTLE_ENDIAN);
      v.putFloat(8, v.getFloat(8) + 0.25f); // corrupted in transit: the checksum no longer matches
      send(in, "m1", bad);
      send(in, "m1", checkpoint(data, "m1", 2, walk.get(2)));
      send(in, "m1", checkpoint(data, "m1", 3, walk.get(3)));
      raw.pipeInput("m1", "not avro".getBytes(StandardCharsets.UTF_8));
      in.skipped();
      send(in, "m2", checkpoint(data, "m2", 0, walk.get(0)).subList(0, 2)); // registered, one chunk, then silence
      driver.advanceWallClockTime(Duration.ofMinutes(2));
      results = out.readValuesToList();
      dead = dl.readValuesToList();
    }
    assertEquals(List.of("2 PREVIOUS 0", "2 FIRST 0", "3 PREVIOUS 2", "3 FIRST 0"),
        results.stream().map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).toList());
    assertEquals(2, dead.size(), () -> "checksum and timeout (the driver drops the decode handler's record): " + dead);

    String scrape;
    HttpClient http = HttpClient.newHttpClient();
    try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 0)) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      scrape = r.body();
    }
    assertEquals(2.0, value(scrape, "vectory_comparisons_total{experiment=\"m1\",relation=\"previous\"}"), scrape);
    assertEquals(2.0, value(scrape, "vectory_comparisons_total{experiment=\"m1\",relation=\"first\"}"), scrape);
    ComparisonResult lastPrevious = results.stream().filter(c -> c.getRelation() == Relation.PREVIOUS).reduce((a, b) -> b).orElseThrow();
    ComparisonResult lastFirst = results.get(3);
    assertEquals(lastPrevious.getMeanJaccard(), value(scrape, "vectory_jaccard_latest{experiment=\"m1\",relation=\"previous\",space=\"head\"}"), 1e-12);
    assertEquals(lastFirst.getMeanJaccard(), value(scrape, "vectory_jaccard_latest{experiment=\"m1\",relation=\"first\",space=\"head\"}"), 1e-12);
    assertTrue(lastPrevious.getMeanJaccard() > 0.2 && lastPrevious.getMeanJaccard() < 1, "a real overlap: " + lastPrevious.getMeanJaccard());
    // Three compares (2 vs 0 serves both PREVIOUS and FIRST; 3 vs 2; 3 vs 0); their time is the results' compute time.
    assertEquals(3.0, value(scrape, "vectory_compare_seconds_count"), scrape);
    double millis = results.stream().filter(c -> !(c.getA().getStep() == 2 && c.getRelation() == Relation.FIRST))
        .mapToLong(ComparisonResult::getComputeMillis).sum();
    double seconds = value(scrape, "vectory_compare_seconds_sum");
    assertTrue(seconds > 0 && Math.abs(seconds * 1000 - millis) <= 1.5 + 1e-9, () -> "sum " + seconds + " s vs compute_ms " + millis);
    assertEquals(1.0, value(scrape, "vectory_dead_letters_total{reason=\"checksum\"}"), scrape);
    assertEquals(1.0, value(scrape, "vectory_dead_letters_total{reason=\"timeout\"}"), scrape);
    assertEquals(1.0, value(scrape, "vectory_dead_letters_total{reason=\"decode\"}"), scrape);
  }

  static List<SpaceEvent> checkpoint(TestData data, String exp, long step, float[][] vectors) {
    return CheckpointEvents.of(CheckpointEvents.key(exp, "head", step), data.ids, vectors, data.labels, 300);
  }

  static void send(TestWorkers in, String key, List<SpaceEvent> events) {
    for (SpaceEvent e : events) in.pipe(key, e);
  }

  /** The sample value of one series line of a Prometheus text scrape (series written exactly as rendered). */
  static double value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0]))
        .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + scrape));
  }
}
