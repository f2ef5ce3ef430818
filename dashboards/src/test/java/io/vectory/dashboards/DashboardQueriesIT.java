package io.vectory.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectory.dashboards.query.OpenSearchFrames;
import io.vectory.dashboards.query.OpenSearchFrames.Series;
import io.vectory.dashboards.query.OpenSearchQueryModel;
import io.vectory.dashboards.query.OpenSearchQueryModel.Context;
import io.vectory.sink.OpenSearchClients;
import io.vectory.sink.OpenSearchMappings;
import io.vectory.sink.OpenSearchSpaceSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;

/**
 * Fills a real OpenSearch (VECTORY_OPENSEARCH, default http://127.0.0.1:9200) with real comparison results — the core
 * engine over real text embeddings, a stable run and a drifting run — in indices created from the sink's mapping
 * files under a unique prefix, then sends every dashboard panel's, annotation's, variable's and alert rule's query as
 * Grafana's OpenSearch data source would (_msearch with the translated body, through the client's generic
 * endpoint, since the body is the data source's and not the client's typed query) and checks what comes back.
 */
final class DashboardQueriesIT {
  private static final String OPENSEARCH = System.getenv().getOrDefault("VECTORY_OPENSEARCH", "http://127.0.0.1:9200");
  private static final OpenSearchClient CLIENT = OpenSearchClients.open(OpenSearchClients.Settings.of(OPENSEARCH, Duration.ofSeconds(60)));
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String PREFIX = "it-" + RUN + "-";
  private static final String DATASET = "fortunes-tfidf-" + RUN;
  private static final String STABLE = "stable-" + RUN;
  private static final String DRIFTING = "drifting-" + RUN;
  private static final int CHECKPOINTS = 10;
  private static final double FLOOR = 0.5;
  private static final double DROP = 0.2;
  private static final int TRAILING = 5;

  private static final Map<String, String> indexByDatasource = new HashMap<>();
  private static final Map<String, List<RealComparisons.Row>> runs = new LinkedHashMap<>();
  private static final Map<String, List<Map<String, Object>>> alertsByExperiment = new HashMap<>();
  private static long now;

  @BeforeAll
  static void fill() throws Exception {
    assertTrue(CLIENT.ping().value(), "OpenSearch at " + OPENSEARCH); // fails loudly when OpenSearch is not there
    for (JsonNode ds : DashboardFiles.readYaml(DashboardFiles.datasourcesFile()).path("datasources")) {
      indexByDatasource.put(ds.path("uid").asText(), PREFIX + ds.path("jsonData").path("database").asText());
    }
    // The indices as the sink creates them: from its mapping files.
    for (String index : List.of("vectory-comparisons", "vectory-alerts")) {
      OpenSearchMappings.IndexBody body = OpenSearchMappings.resultIndex(index + ".json", CLIENT._transport().jsonpMapper());
      assertTrue(CLIENT.indices().create(c -> c.index(PREFIX + index).settings(body.settings()).mappings(body.mappings())).acknowledged(),
          "create " + PREFIX + index);
    }
    runs.put(STABLE, RealComparisons.run(STABLE, CHECKPOINTS, 0.12, false, 0, 7));
    runs.put(DRIFTING, RealComparisons.run(DRIFTING, CHECKPOINTS, 0.12, true, 3.0, 7));
    for (List<RealComparisons.Row> rows : runs.values()) {
      for (RealComparisons.Row r : rows) {
        System.err.printf("%s %s step %d vs %d: mean Jaccard %.4f, CKA %.4f%n", r.experiment(), r.relation(),
            r.stepA(), r.stepB(), r.outcome().meanJaccard(), r.outcome().cka());
      }
    }
    now = System.currentTimeMillis();
    List<BulkOperation> bulk = new ArrayList<>();
    for (List<RealComparisons.Row> rows : runs.values()) {
      for (RealComparisons.Row r : rows) {
        String id = r.experiment() + "|head|" + r.stepA() + "|" + r.relation() + "|head|" + r.stepB();
        bulk.add(OpenSearchSpaceSink.index(PREFIX + "vectory-comparisons", id, DashboardFiles.JSON.convertValue(comparisonDoc(r), new TypeReference<Map<String, Object>>() {})));
      }
      for (Map<String, Object> alert : driftAlerts(rows)) {
        String id = alert.get("experiment") + "|head|" + alert.get("step_a") + "|" + alert.get("rule");
        bulk.add(OpenSearchSpaceSink.index(PREFIX + "vectory-alerts", id, alert));
        alertsByExperiment.computeIfAbsent((String) alert.get("experiment"), e -> new ArrayList<>()).add(alert);
      }
    }
    BulkResponse r = CLIENT.bulk(b -> b.operations(bulk).refresh(Refresh.True));
    assertFalse(r.errors(), () -> r.items().stream().filter(i -> i.error() != null).map(i -> i.id() + ": " + i.error().reason()).toList().toString());
    // The runs must be what their names say, or the alert checks below prove nothing.
    assertTrue(alertsByExperiment.getOrDefault(STABLE, List.of()).isEmpty(), "stable run raised " + alertsByExperiment.get(STABLE));
    assertEquals(Set.of("jaccard_floor", "trailing_drop"),
        new HashSet<>(alertsByExperiment.getOrDefault(DRIFTING, List.of()).stream().map(a -> (String) a.get("rule")).toList()));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    CLIENT.indices().delete(d -> d.index(PREFIX + "vectory-comparisons", PREFIX + "vectory-alerts"));
    OpenSearchClients.close(CLIENT);
  }

  /** The time of step t's comparisons: one minute apart, ending a minute ago. */
  private static long timeOf(long step) {
    return now - (CHECKPOINTS - step / 100) * 60_000L;
  }

  private static ObjectNode comparisonDoc(RealComparisons.Row r) {
    ObjectNode d = DashboardFiles.JSON.createObjectNode();
    d.put("@timestamp", timeOf(r.stepA()));
    d.put("dataset", DATASET).put("experiment", r.experiment()).put("model", "tfidf-head-64");
    d.put("space_a", "head").put("step_a", r.stepA()).put("space_b", "head").put("step_b", r.stepB());
    d.put("relation", r.relation()).put("k", r.outcome().k());
    d.put("metric_a", r.outcome().metricA().name().toLowerCase()).put("metric_b", r.outcome().metricB().name().toLowerCase());
    d.put("include_self", r.outcome().includeSelf()).put("exact", r.outcome().exact()).put("n", r.outcome().n());
    d.put("mean_jaccard", r.outcome().meanJaccard());
    for (int i = 0; i < 10; i++) d.put("hist_" + i, r.outcome().histogram()[i]);
    ObjectNode labels = d.putObject("label_means");
    r.labelMeans().forEach(labels::put);
    d.put("cka", r.outcome().cka()).put("compute_millis", r.outcome().nanos() / 1_000_000);
    return d;
  }

  /** The Streams app's two drift rules with their defaults, applied to the previous-relation comparisons. */
  private static List<Map<String, Object>> driftAlerts(List<RealComparisons.Row> rows) {
    List<RealComparisons.Row> prev = rows.stream().filter(r -> r.relation().equals("previous")).toList();
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < prev.size(); i++) {
      RealComparisons.Row r = prev.get(i);
      double v = r.outcome().meanJaccard();
      if (v < FLOOR) out.add(alert(r, "jaccard_floor", v, FLOOR, null));
      if (i > 0) {
        double mean = prev.subList(Math.max(0, i - TRAILING), i).stream().mapToDouble(p -> p.outcome().meanJaccard()).average().orElseThrow();
        if (mean - v > DROP) out.add(alert(r, "trailing_drop", v, DROP, mean));
      }
    }
    return out;
  }

  private static Map<String, Object> alert(RealComparisons.Row r, String rule, double value, double threshold, Double mean) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("@timestamp", timeOf(r.stepA()));
    a.put("dataset", DATASET);
    a.put("experiment", r.experiment());
    a.put("model", "tfidf-head-64");
    a.put("space", "head");
    a.put("step_a", r.stepA());
    a.put("step_b", r.stepB());
    a.put("rule", rule);
    a.put("value", value);
    a.put("threshold", threshold);
    if (mean != null) a.put("trailing_mean", mean);
    a.put("message", String.format("%s: mean Jaccard %.3f between step %d and step %d (%s %.2f)",
        r.experiment(), value, r.stepB(), r.stepA(), rule, threshold));
    return a;
  }

  // ---- sending queries as the data source does ----

  /** One search through _msearch, with the header the data source writes. */
  static JsonNode msearch(String index, ObjectNode body) throws Exception {
    ObjectNode header = DashboardFiles.JSON.createObjectNode().put("search_type", "query_then_fetch")
        .put("ignore_unavailable", true).put("index", index);
    byte[] ndjson = (header + "\n" + body + "\n").getBytes(StandardCharsets.UTF_8);
    JsonNode response;
    try (var r = CLIENT.generic().execute(Requests.create("POST", "/_msearch", List.of(), Map.of(), Body.from(ndjson, "application/x-ndjson")))) {
      String text = r.getBody().map(Body::bodyAsString).orElse("");
      assertEquals(200, r.getStatus(), text);
      response = DashboardFiles.JSON.readTree(text).path("responses").path(0);
    }
    assertFalse(response.has("error"), "query " + body + " failed: " + response);
    return response;
  }

  private static String index(JsonNode datasource) {
    String idx = indexByDatasource.get(datasource.path("uid").asText());
    assertNotNull(idx, "data source " + datasource + " is not provisioned");
    return idx;
  }

  private static Context ctx(String experiment) {
    return new Context(now - Duration.ofDays(7).toMillis(), now, "10m", Map.of("dataset", DATASET, "experiment", experiment));
  }

  private static JsonNode dashboard(String uid) {
    for (Path p : DashboardFiles.dashboards()) {
      JsonNode d = DashboardFiles.readJson(p);
      if (d.path("uid").asText().equals(uid)) return d;
    }
    throw new AssertionError("no dashboard " + uid);
  }

  private static JsonNode panel(JsonNode dash, int id) {
    for (JsonNode p : dash.path("panels")) if (p.path("id").asInt() == id) return p;
    throw new AssertionError("no panel " + id + " in " + dash.path("uid"));
  }

  private static List<Map<String, Object>> rows(JsonNode panel, JsonNode target, Context ctx) throws Exception {
    return OpenSearchFrames.rows(msearch(index(panel.path("datasource")), OpenSearchQueryModel.searchBody(target, ctx)));
  }

  /** Field names a panel's transformations and mappings read from raw documents. */
  private static Set<String> fieldsUsed(JsonNode panel) {
    Set<String> out = new HashSet<>();
    for (JsonNode s : panel.path("options").path("series")) {
      out.add(s.path("x").path("matcher").path("options").path("name").asText());
      out.add(s.path("y").path("matcher").path("options").path("name").asText());
    }
    for (JsonNode t : panel.path("transformations")) {
      JsonNode o = t.path("options");
      switch (t.path("id").asText()) {
        case "filterFieldsByName" -> o.path("include").path("names").forEach(n -> out.add(n.asText()));
        case "organize" -> o.path("includeByName").fieldNames().forEachRemaining(out::add);
        case "sortBy" -> o.path("sort").forEach(s -> out.add(s.path("field").asText()));
        case "groupBy" -> o.path("fields").fieldNames().forEachRemaining(out::add);
        default -> { }
      }
    }
    return out;
  }

  private static void assertRowsHold(JsonNode panel, List<Map<String, Object>> rows) {
    // The frame's columns are the union of the documents' fields (a field absent from one document is null there).
    assertFalse(rows.isEmpty(), "panel \"" + panel.path("title").asText() + "\" got no documents");
    Set<String> missing = new HashSet<>(fieldsUsed(panel));
    rows.forEach(r -> missing.removeAll(r.keySet()));
    assertEquals(Set.of(), missing, "panel \"" + panel.path("title").asText() + "\" uses fields the documents lack");
  }

  private static List<RealComparisons.Row> expected(String experiment, String relation) {
    return runs.get(experiment).stream().filter(r -> r.relation().equals(relation)).toList();
  }

  // ---- the evolution dashboard ----

  @Test
  void templateVariablesListTheDatasetAndItsExperiments() throws Exception {
    JsonNode dash = dashboard("vectory-evolution");
    Map<String, List<String>> values = new TreeMap<>();
    for (JsonNode v : dash.path("templating").path("list")) {
      ObjectNode body = OpenSearchQueryModel.variableBody(v.path("query").asText(), "@timestamp", ctx(DRIFTING));
      JsonNode resp = msearch(index(v.path("datasource")), body);
      List<String> keys = new ArrayList<>();
      resp.path("aggregations").path("1").path("buckets").forEach(b -> keys.add(b.path("key").asText()));
      values.put(v.path("name").asText(), keys);
    }
    assertEquals(List.of(DATASET), values.get("dataset"));
    assertEquals(List.of(DRIFTING, STABLE), values.get("experiment"));
  }

  @Test
  void jaccardAndCkaByStepServeOnePointPerCheckpoint() throws Exception {
    JsonNode dash = dashboard("vectory-evolution");
    for (int id : new int[] {1, 2}) {
      JsonNode panel = panel(dash, id);
      String y = panel.path("options").path("series").path(0).path("y").path("matcher").path("options").path("name").asText();
      for (String experiment : List.of(STABLE, DRIFTING)) {
        List<JsonNode> targets = new ArrayList<>();
        panel.path("targets").forEach(targets::add);
        for (int i = 0; i < targets.size(); i++) {
          String relation = i == 0 ? "previous" : "first"; // frame 0 and 1 of the XY chart's series
          List<Map<String, Object>> rows = rows(panel, targets.get(i), ctx(experiment));
          assertRowsHold(panel, rows);
          rows.sort((a, b) -> Long.compare(((Number) a.get("step_a")).longValue(), ((Number) b.get("step_a")).longValue()));
          List<RealComparisons.Row> want = expected(experiment, relation);
          assertEquals(want.size(), rows.size(), panel.path("title") + " " + relation);
          for (int r = 0; r < rows.size(); r++) {
            assertEquals(want.get(r).stepA(), ((Number) rows.get(r).get("step_a")).longValue());
            assertEquals(relation, rows.get(r).get("relation"));
            double w = y.equals("cka") ? want.get(r).outcome().cka() : want.get(r).outcome().meanJaccard();
            assertEquals(w, ((Number) rows.get(r).get(y)).doubleValue(), 1e-12);
          }
        }
      }
    }
  }

  @Test
  void histogramIsTheLatestPreviousComparison() throws Exception {
    JsonNode panel = panel(dashboard("vectory-evolution"), 3);
    List<Map<String, Object>> rows = rows(panel, panel.path("targets").path(0), ctx(DRIFTING));
    assertEquals(1, rows.size());
    assertRowsHold(panel, rows);
    RealComparisons.Row latest = expected(DRIFTING, "previous").getLast();
    assertEquals(latest.stepA(), ((Number) rows.get(0).get("step_a")).longValue());
    long total = 0;
    for (int i = 0; i < 10; i++) {
      long count = ((Number) rows.get(0).get("hist_" + i)).longValue();
      assertEquals(latest.outcome().histogram()[i], count, "hist_" + i);
      total += count;
    }
    assertEquals(latest.outcome().n(), total);
  }

  @Test
  void jaccardOverTimeHasASeriesPerRelation() throws Exception {
    JsonNode panel = panel(dashboard("vectory-evolution"), 4);
    JsonNode target = panel.path("targets").path(0);
    List<Series> series = OpenSearchFrames.series(target, msearch(index(panel.path("datasource")), OpenSearchQueryModel.searchBody(target, ctx(STABLE))));
    Map<String, Series> byRelation = new HashMap<>();
    series.forEach(s -> byRelation.put(s.labels().get("relation"), s));
    assertEquals(Set.of("previous", "first"), byRelation.keySet());
    for (Series s : series) {
      assertTrue(s.points().stream().anyMatch(p -> p.value() != null), s.toString());
      s.points().stream().filter(p -> p.value() != null).forEach(p -> assertTrue(p.value() >= 0 && p.value() <= 1, s.toString()));
    }
  }

  @Test
  void recentComparisonsAndAlertTables() throws Exception {
    JsonNode dash = dashboard("vectory-evolution");
    JsonNode table = panel(dash, 5);
    List<Map<String, Object>> rows = rows(table, table.path("targets").path(0), ctx(DRIFTING));
    assertEquals(runs.get(DRIFTING).size(), rows.size());
    assertRowsHold(table, rows);
    JsonNode alerts = panel(dash, 6);
    List<Map<String, Object>> drifting = rows(alerts, alerts.path("targets").path(0), ctx(DRIFTING));
    assertEquals(alertsByExperiment.get(DRIFTING).size(), drifting.size());
    assertRowsHold(alerts, drifting);
    assertEquals(List.of(), rows(alerts, alerts.path("targets").path(0), ctx(STABLE)));
  }

  @Test
  void driftAlertAnnotationsMarkTheDriftingRunOnly() throws Exception {
    JsonNode anno = null;
    for (JsonNode a : dashboard("vectory-evolution").path("annotations").path("list")) {
      if (a.path("datasource").path("type").asText().equals("grafana-opensearch-datasource")) anno = a;
    }
    assertNotNull(anno);
    JsonNode t = anno.path("target");
    for (String experiment : List.of(DRIFTING, STABLE)) {
      JsonNode resp = msearch(index(anno.path("datasource")), OpenSearchQueryModel.annotationBody(t, ctx(experiment)));
      List<Map<String, Object>> events = OpenSearchFrames.rows(resp);
      if (experiment.equals(STABLE)) {
        assertEquals(List.of(), events);
        continue;
      }
      assertEquals(alertsByExperiment.get(DRIFTING).size(), events.size());
      for (Map<String, Object> e : events) {
        assertNotNull(e.get(t.path("timeField").asText()));
        assertTrue(((String) e.get(t.path("textField").asText())).contains("step"));
        assertTrue(Set.of("jaccard_floor", "trailing_drop").contains(e.get(t.path("tagsField").asText())));
      }
    }
  }

  // ---- the overview dashboard ----

  @Test
  void overviewShowsLatestJaccardAlertsAndComparisonsPerExperiment() throws Exception {
    JsonNode dash = dashboard("vectory-overview");
    Context ctx = ctx(DRIFTING);

    JsonNode latest = panel(dash, 1);
    List<Map<String, Object>> rows = rows(latest, latest.path("targets").path(0), ctx);
    assertRowsHold(latest, rows);
    // sortBy @timestamp then groupBy experiment keeping lastNotNull, as the panel's transformations do.
    rows.sort((a, b) -> Long.compare(((Number) a.get("@timestamp")).longValue(), ((Number) b.get("@timestamp")).longValue()));
    Map<String, Double> last = new HashMap<>();
    rows.forEach(r -> last.put((String) r.get("experiment"), ((Number) r.get("mean_jaccard")).doubleValue()));
    for (String e : List.of(STABLE, DRIFTING)) {
      assertEquals(expected(e, "previous").getLast().outcome().meanJaccard(), last.get(e), 1e-12, e);
    }

    JsonNode alerts = panel(dash, 2);
    Context day = new Context(now - Duration.ofHours(24).toMillis(), now, "1h", Map.of());
    JsonNode at = alerts.path("targets").path(0);
    Map<String, Double> alertCount = new HashMap<>();
    OpenSearchFrames.series(at, msearch(index(alerts.path("datasource")), OpenSearchQueryModel.searchBody(at, day)))
        .forEach(s -> alertCount.put(s.labels().get("experiment"), s.sum()));
    assertEquals((double) alertsByExperiment.get(DRIFTING).size(), alertCount.get(DRIFTING));
    assertFalse(alertCount.containsKey(STABLE));

    JsonNode perHour = panel(dash, 3);
    JsonNode ht = perHour.path("targets").path(0);
    Map<String, Double> comparisons = new HashMap<>();
    OpenSearchFrames.series(ht, msearch(index(perHour.path("datasource")), OpenSearchQueryModel.searchBody(ht, ctx)))
        .forEach(s -> comparisons.put(s.labels().get("experiment"), s.sum()));
    assertEquals(Map.of(STABLE, (double) runs.get(STABLE).size(), DRIFTING, (double) runs.get(DRIFTING).size()), comparisons);

    JsonNode experiments = panel(dash, 4);
    JsonNode et = experiments.path("targets").path(0);
    List<Map<String, Object>> table = OpenSearchFrames.table(et, msearch(index(experiments.path("datasource")), OpenSearchQueryModel.searchBody(et, ctx)));
    assertEquals(2, table.size());
    for (Map<String, Object> row : table) {
      List<RealComparisons.Row> prev = expected((String) row.get("experiment"), "previous");
      assertEquals((double) prev.size(), ((Number) row.get("Count")).doubleValue());
      assertEquals((double) prev.getLast().stepA(), ((Number) row.get("Max step_a")).doubleValue());
      assertEquals(prev.stream().mapToDouble(p -> p.outcome().meanJaccard()).min().orElseThrow(),
          ((Number) row.get("Min mean_jaccard")).doubleValue(), 1e-12);
    }
  }

  // ---- the Grafana alert rules ----

  /**
   * Evaluates each provisioned rule as Grafana's alerting would: its OpenSearch queries over the rule's relative
   * time range, then the server-side expressions (reduce last in dropNN mode, math, threshold), per experiment.
   */
  @Test
  void alertRulesFireOnTheDriftingRunAndStayQuietOnTheStableOne() throws Exception {
    int rules = 0;
    for (Path file : DashboardFiles.alertRuleFiles()) {
      for (JsonNode group : DashboardFiles.readYaml(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          Map<String, Map<String, Double>> results = new HashMap<>(); // refId → experiment → value
          for (JsonNode q : rule.path("data")) {
            String ref = q.path("refId").asText();
            JsonNode model = q.path("model");
            if (!q.path("datasourceUid").asText().equals("__expr__")) {
              Context c = new Context(now - q.path("relativeTimeRange").path("from").asLong() * 1000,
                  now - q.path("relativeTimeRange").path("to").asLong() * 1000, "1s", Map.of());
              JsonNode resp = msearch(indexByDatasource.get(q.path("datasourceUid").asText()), OpenSearchQueryModel.searchBody(model, c));
              List<Series> series = OpenSearchFrames.series(model, resp);
              Map<String, Double> byExperiment = new HashMap<>();
              for (Series s : series) {
                // One visible metric per query: one series per experiment, as SSE needs unique label sets.
                assertTrue(byExperiment.put(s.labels().get("experiment"), Double.NaN) == null, rule.path("uid") + " " + ref + " duplicate series");
              }
              results.put(ref, byExperiment);
              seriesByRef.put(ref, series);
              continue;
            }
            Map<String, Double> out = new HashMap<>();
            switch (model.path("type").asText()) {
              case "reduce" -> {
                for (Series s : seriesByRef.get(model.path("expression").asText())) {
                  List<Double> values = s.points().stream().map(OpenSearchFrames.Point::value)
                      .filter(v -> v != null && !v.isNaN()).toList(); // dropNN
                  if (values.isEmpty()) continue;
                  double v = switch (model.path("reducer").asText()) {
                    case "last" -> values.getLast();
                    case "sum" -> values.stream().mapToDouble(Double::doubleValue).sum();
                    case "count" -> values.size();
                    default -> throw new AssertionError("reducer " + model.path("reducer"));
                  };
                  out.put(s.labels().get("experiment"), v);
                }
              }
              case "math" -> {
                String expression = model.path("expression").asText();
                for (String e : List.of(STABLE, DRIFTING)) {
                  Double v = MathExpression.evaluate(expression, name -> results.get(name).get(e));
                  if (v != null) out.put(e, v);
                }
              }
              case "threshold" -> {
                JsonNode ev = model.path("conditions").path(0).path("evaluator");
                double limit = ev.path("params").path(0).asDouble();
                results.get(model.path("expression").asText()).forEach((e, v) -> out.put(e,
                    switch (ev.path("type").asText()) {
                      case "gt" -> v > limit ? 1.0 : 0.0;
                      case "lt" -> v < limit ? 1.0 : 0.0;
                      default -> throw new AssertionError("evaluator " + ev);
                    }));
              }
              default -> throw new AssertionError("expression type " + model.path("type"));
            }
            results.put(ref, out);
          }
          Map<String, Double> condition = results.get(rule.path("condition").asText());
          System.err.println("alert rule " + rule.path("uid").asText() + ": " + new TreeMap<>(results));
          assertEquals(1.0, condition.get(DRIFTING), rule.path("uid") + " fires on the drifting run");
          assertEquals(0.0, condition.get(STABLE), rule.path("uid") + " stays quiet on the stable run");
          // The annotations name the steps: STEP and PREV_STEP resolve to the drifting run's last checkpoint.
          RealComparisons.Row last = expected(DRIFTING, "previous").getLast();
          assertEquals((double) last.stepA(), results.get("STEP").get(DRIFTING));
          assertEquals((double) last.stepB(), results.get("PREV_STEP").get(DRIFTING));
          assertEquals(last.outcome().meanJaccard(), results.get("JACCARD").get(DRIFTING), 1e-12);
          rules++;
        }
      }
    }
    assertEquals(2, rules);
  }

  private static final Map<String, List<Series>> seriesByRef = new HashMap<>();
}
