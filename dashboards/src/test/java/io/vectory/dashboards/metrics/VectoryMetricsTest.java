package io.vectory.dashboards.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The scrape Micrometer produces carries every vectory_* series the Prometheus rules and their tests name. */
final class VectoryMetricsTest {

  @Test
  void scrapeHoldsTheSeriesThePrometheusRulesUse() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VectoryMetrics metrics = new VectoryMetrics(registry);
    metrics.comparison("exp-1", "head", "previous", 0.82, Duration.ofMillis(1500));
    metrics.comparison("exp-1", "head", "previous", 0.31, Duration.ofSeconds(70));
    metrics.comparison("exp-1", "head", "first", 0.40, Duration.ofMillis(900));
    metrics.deadLetter("checksum");
    String scrape = registry.scrape();

    assertTrue(scrape.contains("vectory_comparisons_total{experiment=\"exp-1\",relation=\"previous\"} 2.0"), scrape);
    assertTrue(scrape.contains("vectory_jaccard_latest{experiment=\"exp-1\",relation=\"previous\",space=\"head\"} 0.31"), scrape);
    assertTrue(scrape.contains("vectory_dead_letters_total{reason=\"checksum\"} 1.0"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_count 3"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_bucket{le=\"60.0\"} 2"), scrape);
    assertTrue(scrape.contains("vectory_compare_seconds_bucket{le=\"120.0\"} 3"), scrape);

    Set<String> exposed = names(scrape, Pattern.compile("(?m)^(vectory_[a-z_]+)"));
    Set<String> used = new TreeSet<>();
    Path prometheus = Path.of("").toAbsolutePath().resolve("prometheus");
    if (!Files.isDirectory(prometheus)) prometheus = Path.of("dashboards/prometheus");
    for (String f : new String[] {"vectory-rules.yml", "vectory-rules.test.yml"}) {
      used.addAll(names(Files.readString(prometheus.resolve(f)), Pattern.compile("\\b(vectory_[a-z_]*[a-z])\\b")));
    }
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(exposed);
    assertEquals(Set.of(), missing, "series the rules use but Micrometer does not expose; exposed: " + exposed);
  }

  private static Set<String> names(String text, Pattern p) {
    Set<String> out = new TreeSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) out.add(m.group(1));
    return out;
  }
}
