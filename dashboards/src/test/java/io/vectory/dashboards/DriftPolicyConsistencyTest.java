package io.vectory.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectory.streams.DriftPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana alert rules and the Prometheus rules fire at the Streams app's default drift thresholds
 * ({@link DriftPolicy}, the one place they are written): the thresholds in the rule expressions and every
 * threshold their messages quote. Change DriftPolicy and this fails until the rule files follow.
 */
final class DriftPolicyConsistencyTest {
  /** Decimal numbers in [0, 1) as the messages write thresholds ("below the floor 0.1", "more than 0.25"). */
  private static final Pattern FRACTION = Pattern.compile("(?<![\\d.])0\\.\\d+(?![\\d.])");
  private static final Pattern WINDOW = Pattern.compile("the last (\\d+) comparisons");

  @Test
  void grafanaRulesUseTheAppsDefaults() {
    JsonNode rules = DashboardFiles.readYaml(DashboardFiles.moduleDir().resolve("provisioning/alerting/vectory-drift.yaml"))
        .path("groups").get(0).path("rules");
    JsonNode floor = rule(rules, "uid", "vectory-jaccard-floor");
    assertThreshold(grafanaCondition(floor), "lt", DriftPolicy.FLOOR, "Grafana floor rule");
    assertQuotes(floor.path("annotations"), DriftPolicy.FLOOR, "Grafana floor rule");

    JsonNode drop = rule(rules, "uid", "vectory-jaccard-drop");
    assertThreshold(grafanaCondition(drop), "gt", DriftPolicy.DROP, "Grafana drop rule");
    assertQuotes(drop.path("annotations"), DriftPolicy.DROP, "Grafana drop rule");
  }

  @Test
  void prometheusRulesUseTheAppsDefaults() {
    Path file = DashboardFiles.moduleDir().resolve("prometheus/vectory-rules.yml");
    JsonNode groups = DashboardFiles.readYaml(file).path("groups");
    JsonNode drift = rule(groups, "name", "vectory-drift").path("rules");

    JsonNode floor = rule(drift, "alert", "VectoryJaccardBelowFloor");
    assertExpr(floor.path("expr").asText(), "<", DriftPolicy.FLOOR, "Prometheus floor rule");
    assertQuotes(floor.path("annotations"), DriftPolicy.FLOOR, "Prometheus floor rule");

    JsonNode drop = rule(drift, "alert", "VectoryJaccardDrop");
    assertExpr(drop.path("expr").asText(), ">", DriftPolicy.DROP, "Prometheus drop rule");
    assertQuotes(drop.path("annotations"), DriftPolicy.DROP, "Prometheus drop rule");
  }

  private static JsonNode rule(JsonNode list, String field, String value) {
    for (JsonNode r : list) if (value.equals(r.path(field).asText())) return r;
    throw new AssertionError("no entry with " + field + " '" + value + "' in " + list);
  }

  /** The evaluator of the rule's condition (a threshold expression). */
  private static JsonNode grafanaCondition(JsonNode rule) {
    String condition = rule.path("condition").asText();
    JsonNode step = rule(rule.path("data"), "refId", condition).path("model");
    assertEquals("threshold", step.path("type").asText(), rule.path("uid") + ": condition " + condition + " should be a threshold");
    return step.path("conditions").get(0).path("evaluator");
  }

  private static void assertThreshold(JsonNode evaluator, String type, double expected, String what) {
    assertEquals(type, evaluator.path("type").asText(), what + ": comparison");
    assertEquals(1, evaluator.path("params").size(), what + ": one threshold");
    assertEquals(expected, evaluator.path("params").get(0).asDouble(), 0, what + ": threshold vs io.vectory.streams.DriftPolicy");
  }

  private static void assertExpr(String expr, String op, double expected, String what) {
    Matcher m = Pattern.compile("\\s" + Pattern.quote(op) + "\\s*([0-9.]+)\\s*$").matcher(expr);
    assertTrue(m.find(), what + ": expected '... " + op + " THRESHOLD', got " + expr);
    assertEquals(expected, Double.parseDouble(m.group(1)), 0, what + ": threshold in '" + expr + "' vs io.vectory.streams.DriftPolicy");
  }

  /** Every threshold a message quotes is the policy's, and so is the window it names. */
  private static void assertQuotes(JsonNode annotations, double expected, String what) {
    List<String> texts = new ArrayList<>();
    annotations.forEach(a -> texts.add(a.asText()));
    assertFalse(texts.isEmpty(), what + ": no annotations");
    boolean quoted = false;
    for (String t : texts) {
      Matcher m = FRACTION.matcher(t);
      while (m.find()) {
        assertEquals(expected, Double.parseDouble(m.group()), 0, what + ": message quotes " + m.group() + ": " + t);
        quoted = true;
      }
      Matcher w = WINDOW.matcher(t);
      while (w.find()) assertEquals(DriftPolicy.WINDOW, Integer.parseInt(w.group(1)), what + ": window quoted in " + t);
    }
    assertTrue(quoted, what + ": the messages should say the threshold: " + texts);
  }
}
