package io.vectory.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vectory.streams.metrics.VectoryMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every vectory_* series the Prometheus rules and their unit tests name is one the Streams app's metrics really
 * expose: a Micrometer Prometheus scrape of {@link VectoryMetrics} (vectory-streams, test scope only: dashboards
 * reads the app's output and never feeds back into it).
 */
final class PrometheusRuleNamesTest {

  @Test
  void rulesUseOnlySeriesTheAppExposes() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VectoryMetrics metrics = new VectoryMetrics(registry);
    metrics.comparison("exp-1", "head", "previous", 0.82);
    metrics.compared(Duration.ofMillis(1500));
    metrics.deadLetter("checksum");
    Set<String> exposed = names(registry.scrape(), Pattern.compile("(?m)^(vectory_[a-z_]+)"));

    Set<String> used = new TreeSet<>();
    Path prometheus = Path.of("").toAbsolutePath().resolve("prometheus");
    if (!Files.isDirectory(prometheus)) prometheus = Path.of("dashboards/prometheus");
    for (String f : new String[] {"vectory-rules.yml", "vectory-rules.test.yml"}) {
      used.addAll(names(Files.readString(prometheus.resolve(f)), Pattern.compile("\\b(vectory_[a-z_]*[a-z])\\b")));
    }
    assertEquals(Set.of("vectory_comparisons_total", "vectory_compare_seconds_bucket", "vectory_dead_letters_total", "vectory_jaccard_latest"),
        used, "the series the rules use (a new one needs a metric in io.vectory.streams.metrics.VectoryMetrics)");
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
