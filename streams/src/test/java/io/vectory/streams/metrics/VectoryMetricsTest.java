package io.vectory.streams.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Prometheus rendering of the app's metrics, and the HTTP endpoint that serves it. */
final class VectoryMetricsTest {

  @Test
  void scrapeRendersTheNamesLabelsAndValuesThePrometheusRulesUse() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VectoryMetrics metrics = new VectoryMetrics(registry);
    metrics.comparison("exp-1", "head", "PREVIOUS", 0.82);
    metrics.comparison("exp-1", "head", "previous", 0.31);
    metrics.comparison("exp-1", "head", "FIRST", 0.40);
    metrics.compared(Duration.ofMillis(1500));
    metrics.compared(Duration.ofSeconds(70));
    metrics.compared(Duration.ofMillis(900));
    metrics.deadLetter("checksum");
    String scrape = registry.scrape();

    assertTrue(scrape.contains("vectory_comparisons_total{experiment=\"exp-1\",relation=\"previous\"} 2.0"), scrape);
    assertTrue(scrape.contains("vectory_comparisons_total{experiment=\"exp-1\",relation=\"first\"} 1.0"), scrape);
    // The gauge holds the latest value, not the first.
    assertTrue(scrape.contains("vectory_jaccard_latest{experiment=\"exp-1\",relation=\"previous\",space=\"head\"} 0.31"), scrape);
    assertTrue(scrape.contains("vectory_jaccard_latest{experiment=\"exp-1\",relation=\"first\",space=\"head\"} 0.4"), scrape);
    assertTrue(scrape.contains("vectory_dead_letters_total{reason=\"checksum\"} 1.0"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_count 3"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_sum 72.4"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_bucket{le=\"1.0\"} 1"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_bucket{le=\"60.0\"} 2"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_bucket{le=\"120.0\"} 3"), scrape);
  }

  @Test
  void problemCategoryIsTheFieldNamedBeforeTheColon() {
    assertEquals("checksum", VectoryMetrics.problemCategory("checksum: CRC-32C of the vectors bytes in sequence order is 1; CheckpointCompleted.checksum is 2"));
    assertEquals("first_row", VectoryMetrics.problemCategory("first_row: chunk 2 starts at row 5; expected 4"));
    assertEquals("other", VectoryMetrics.problemCategory("no field here"));
    assertEquals("other", VectoryMetrics.problemCategory("CheckpointCompleted.rows is 3: odd"));
  }

  @Test
  void serverAnswersMetricsOnLoopbackAndNothingElse() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new VectoryMetrics(registry).deadLetter("timeout");
    HttpClient http = HttpClient.newHttpClient();
    String url;
    try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 0)) {
      assertTrue(server.port() > 0);
      url = server.url();
      assertEquals("http://127.0.0.1:" + server.port() + "/metrics", url);
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode());
      assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), ok.headers().toString());
      assertTrue(ok.body().contains("vectory_dead_letters_total{reason=\"timeout\"} 1.0"), ok.body());
      HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/other")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, other.statusCode());
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.url())).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());

      // A port in use is a clear error naming the address.
      UncheckedIOException taken = assertThrows(UncheckedIOException.class, () -> MetricsServer.start(registry, "127.0.0.1", server.port()));
      assertTrue(taken.getMessage().contains("127.0.0.1:" + server.port()), taken.getMessage());
    }
    // Closed: nothing listens any more.
    assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()));
  }
}
