package io.vectory.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Validates every dashboard, panel, query and alert rule against Grafana's own JSON schemas (draft-07, from
 * grafana-foundation-sdk), read in place from ../shared/grafana-schema beside the repository. Where that folder is
 * absent (a user's machine) the tests are skipped and say so.
 */
final class GrafanaSchemaTest {
  private static Path schemaDir;
  private static SchemaRegistry registry;
  private static final Map<String, Schema> CACHE = new HashMap<>();

  /**
   * elasticsearch.jsonschema.json lists metric and bucket aggregations under oneOf without a discriminator: every
   * alternative takes the generic type enum, so {"type":"avg","field":"x","id":"1"} matches Average, Min, Max and
   * Sum at once and oneOf rejects it. Each aggregation is therefore checked against the definition its type names.
   */
  private static final Map<String, String> METRIC_DEFS = Map.ofEntries(
      Map.entry("count", "Count"), Map.entry("avg", "Average"), Map.entry("sum", "Sum"), Map.entry("min", "Min"),
      Map.entry("max", "Max"), Map.entry("extended_stats", "ExtendedStats"), Map.entry("percentiles", "Percentiles"),
      Map.entry("cardinality", "UniqueCount"), Map.entry("raw_document", "RawDocument"), Map.entry("raw_data", "RawData"),
      Map.entry("logs", "Logs"), Map.entry("rate", "Rate"), Map.entry("top_metrics", "TopMetrics"),
      Map.entry("moving_avg", "MovingAverage"), Map.entry("moving_fn", "MovingFunction"),
      Map.entry("derivative", "Derivative"), Map.entry("serial_diff", "SerialDiff"),
      Map.entry("cumulative_sum", "CumulativeSum"), Map.entry("bucket_script", "BucketScript"));
  private static final Map<String, String> BUCKET_DEFS = Map.of(
      "terms", "Terms", "date_histogram", "DateHistogram", "histogram", "Histogram", "filters", "Filters",
      "geohash_grid", "GeoHashGrid", "nested", "Nested");

  /** Each test reports itself skipped, with the reason, where the schema folder is absent. */
  @BeforeEach
  void schemas() {
    schemaDir = DashboardFiles.grafanaSchemaDir();
    Assumptions.assumeTrue(Files.isRegularFile(schemaDir.resolve("dashboard.jsonschema.json")),
        "Grafana JSON schemas not found at " + schemaDir
            + " (they are read in place from ../shared/grafana-schema beside the repository; "
            + "set -Dvectory.grafana.schema=DIR): schema validation skipped");
    // The validator fetches nothing by itself; file: IRIs (the schema folder) are read here, nothing else.
    if (registry == null) {
      registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7, b -> b.schemas(GrafanaSchemaTest::readSchemaFile));
    }
  }

  private static String readSchemaFile(String iri) {
    if (!iri.startsWith("file:")) return null;
    try {
      return Files.readString(Path.of(java.net.URI.create(iri)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Schema schema(String file, String definition) {
    String uri = schemaDir.resolve(file).toUri() + (definition == null ? "" : "#/definitions/" + definition);
    return CACHE.computeIfAbsent(uri, u -> registry.getSchema(SchemaLocation.of(u)));
  }

  private static List<String> errors(String file, String definition, JsonNode node, String where) {
    List<String> out = new ArrayList<>();
    for (Error e : schema(file, definition).validate(node.toString(), InputFormat.JSON)) {
      out.add(where + " [" + file + (definition == null ? "" : "#" + definition) + "]: " + e);
    }
    return out;
  }

  /** Errors of one OpenSearch query model (a panel target or an alert query's model). */
  private static List<String> queryErrors(JsonNode target, String where) {
    List<String> out = new ArrayList<>();
    ObjectNode shell = target.deepCopy();
    shell.remove(List.of("metrics", "bucketAggs", "intervalMs", "maxDataPoints"));
    out.addAll(errors("elasticsearch.jsonschema.json", "dataquery", shell, where));
    for (JsonNode m : target.path("metrics")) {
      String def = METRIC_DEFS.get(m.path("type").asText());
      if (def == null) out.add(where + ": unknown metric type " + m);
      else out.addAll(errors("elasticsearch.jsonschema.json", def, m, where + " metric " + m.path("id").asText()));
    }
    for (JsonNode b : target.path("bucketAggs")) {
      String def = BUCKET_DEFS.get(b.path("type").asText());
      if (def == null) out.add(where + ": unknown bucket aggregation type " + b);
      else out.addAll(errors("elasticsearch.jsonschema.json", def, b, where + " bucketAgg " + b.path("id").asText()));
    }
    if (!target.path("metrics").isArray() || target.path("metrics").isEmpty()) out.add(where + ": no metrics");
    return out;
  }

  /** Everything wrong with one dashboard: the model, each panel's options and field config, each query. */
  static List<String> dashboardErrors(JsonNode dash, String name) {
    List<String> out = new ArrayList<>(errors("dashboard.jsonschema.json", null, dash, name));
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dash.path("panels")) {
      String type = panel.path("type").asText();
      String where = name + " panel " + panel.path("id") + " (" + type + " \"" + panel.path("title").asText() + "\")";
      if (!ids.add(panel.path("id").asInt())) out.add(where + ": duplicate panel id");
      String file = type + ".jsonschema.json";
      if (!Files.isRegularFile(schemaDir.resolve(file))) {
        out.add(where + ": no Grafana schema for panel type " + type);
        continue;
      }
      out.addAll(errors(file, "Options", panel.path("options"), where + " options"));
      JsonNode custom = panel.path("fieldConfig").path("defaults").path("custom");
      if (!custom.isMissingNode() && schema(file, null).getSchemaNode().path("definitions").has("FieldConfig")) {
        out.addAll(errors(file, "FieldConfig", custom, where + " fieldConfig.defaults.custom"));
      }
      if (!panel.path("targets").isArray() || panel.path("targets").isEmpty()) out.add(where + ": no queries");
      for (JsonNode t : panel.path("targets")) out.addAll(queryErrors(t, where + " target " + t.path("refId").asText()));
    }
    return out;
  }

  @Test
  void everyDashboardPanelAndQueryMatchesGrafanasSchemas() {
    List<String> problems = new ArrayList<>();
    for (Path p : DashboardFiles.dashboards()) problems.addAll(dashboardErrors(DashboardFiles.readJson(p), p.getFileName().toString()));
    assertEquals(List.of(), problems);
  }

  @Test
  void theValidatorRejectsABrokenDashboard() {
    // Proves the check can fail: a panel wider than the 24-column grid, and a bar chart without its required options.
    ObjectNode dash = (ObjectNode) DashboardFiles.readJson(DashboardFiles.dashboards().get(0));
    ObjectNode first = (ObjectNode) dash.withArray("panels").get(0);
    ((ObjectNode) first.get("gridPos")).put("w", 30);
    ObjectNode bar = null;
    for (JsonNode p : dash.withArray("panels")) if ("barchart".equals(p.path("type").asText())) bar = (ObjectNode) p;
    assertTrue(bar != null, "evolution dashboard has a bar chart");
    ((ObjectNode) bar.get("options")).remove("orientation");
    List<String> problems = dashboardErrors(dash, "broken");
    assertTrue(problems.stream().anyMatch(s -> s.contains("dashboard.jsonschema.json") && s.contains("gridPos")), problems.toString());
    assertTrue(problems.stream().anyMatch(s -> s.contains("barchart.jsonschema.json") && s.contains("orientation")), problems.toString());
  }

  /**
   * A provisioning file's rule lacks the API fields orgID, folderUID and ruleGroup, which Grafana fills from the
   * group when it provisions the rule; they are filled the same way before validating against the Rule schema.
   */
  @Test
  void everyAlertRuleFileMatchesGrafanasAlertingSchema() {
    List<String> problems = new ArrayList<>();
    Set<String> datasources = provisionedDatasourceUids();
    for (Path p : DashboardFiles.alertRuleFiles()) {
      JsonNode doc = DashboardFiles.readYaml(p);
      String name = p.getFileName().toString();
      if (doc.path("apiVersion").asInt() != 1) problems.add(name + ": apiVersion is not 1");
      assertFalse(doc.path("groups").isEmpty(), name + " has no groups");
      for (JsonNode g : doc.path("groups")) {
        for (String key : List.of("orgId", "name", "folder", "interval", "rules")) {
          if (!g.has(key)) problems.add(name + " group " + g.path("name") + ": missing " + key);
        }
        ObjectNode group = DashboardFiles.JSON.createObjectNode();
        group.put("title", g.path("name").asText());
        group.put("folderUid", g.path("folder").asText());
        group.put("interval", seconds(g.path("interval").asText()));
        for (JsonNode r : g.path("rules")) {
          ObjectNode rule = r.deepCopy();
          rule.put("orgID", g.path("orgId").asInt());
          rule.put("folderUID", g.path("folder").asText());
          rule.put("ruleGroup", g.path("name").asText());
          group.withArray("rules").add(rule);
          String where = name + " rule " + r.path("uid").asText();
          Set<String> refIds = new HashSet<>();
          for (JsonNode q : r.path("data")) {
            refIds.add(q.path("refId").asText());
            String ds = q.path("datasourceUid").asText();
            if ("__expr__".equals(ds)) continue;
            if (!datasources.contains(ds)) problems.add(where + ": data source " + ds + " is not provisioned");
            problems.addAll(queryErrors(q.path("model"), where + " query " + q.path("refId").asText()));
          }
          if (!refIds.contains(r.path("condition").asText())) problems.add(where + ": condition names no query");
          if (!r.path("labels").has("drift_rule")) problems.add(where + ": no drift_rule label");
          for (String a : List.of("summary", "description")) {
            String text = r.path("annotations").path(a).asText();
            if (!text.contains("$labels.experiment")) problems.add(where + ": annotation " + a + " does not name the experiment");
          }
          if (!r.path("annotations").path("description").asText().contains("$values.STEP")) problems.add(where + ": description does not name the step");
        }
        problems.addAll(errors("alerting.jsonschema.json", "RuleGroup", group, name + " group " + g.path("name").asText()));
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void dashboardsReferenceOnlyProvisionedOpenSearchDatasources() {
    Set<String> uids = provisionedDatasourceUids();
    List<String> problems = new ArrayList<>();
    for (Path p : DashboardFiles.dashboards()) {
      DashboardFiles.readJson(p).findParents("datasource").forEach(parent -> {
        JsonNode ds = parent.get("datasource");
        if ("grafana".equals(ds.path("type").asText())) return; // the built-in annotations
        if (!"grafana-opensearch-datasource".equals(ds.path("type").asText()) || !uids.contains(ds.path("uid").asText())) {
          problems.add(p.getFileName() + ": " + ds);
        }
      });
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void datasourcesAreOpenSearchWithTheTimeFieldAndIndex() {
    JsonNode doc = DashboardFiles.readYaml(DashboardFiles.datasourcesFile());
    assertEquals(1, doc.path("apiVersion").asInt());
    Map<String, String> indexByUid = new HashMap<>();
    for (JsonNode ds : doc.path("datasources")) {
      assertEquals("grafana-opensearch-datasource", ds.path("type").asText());
      JsonNode j = ds.path("jsonData");
      assertEquals("@timestamp", j.path("timeField").asText());
      assertEquals("opensearch", j.path("flavor").asText());
      assertFalse(j.path("version").asText().isEmpty());
      indexByUid.put(ds.path("uid").asText(), j.path("database").asText());
    }
    assertEquals(Map.of("vectory-comparisons", "vectory-comparisons", "vectory-alerts", "vectory-alerts"), indexByUid);
  }

  static Set<String> provisionedDatasourceUids() {
    Set<String> uids = new HashSet<>();
    DashboardFiles.readYaml(DashboardFiles.datasourcesFile()).path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
    return uids;
  }

  private static int seconds(String duration) {
    int n = Integer.parseInt(duration.substring(0, duration.length() - 1));
    return switch (duration.charAt(duration.length() - 1)) {
      case 's' -> n;
      case 'm' -> n * 60;
      case 'h' -> n * 3600;
      default -> throw new IllegalArgumentException("duration " + duration);
    };
  }
}
