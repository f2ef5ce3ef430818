package io.vectory.dashboards.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the query model Grafana stores for the OpenSearch data source (a panel target, an annotation, a template
 * variable, an alert rule's query) into the search body the data source sends to {@code _msearch}, following the
 * grafana-opensearch-datasource query builder for the query types Vectory's dashboards use: raw_data, count, avg,
 * min, max, sum, moving_fn; terms, date_histogram and histogram buckets; terms lookups for variables; annotations.
 */
public final class OpenSearchQueryModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

  private OpenSearchQueryModel() {}

  /** The time range and template variables of one dashboard refresh (or one alert evaluation). */
  public record Context(long fromMillis, long toMillis, String interval, Map<String, String> variables) {
    public Context {
      variables = Map.copyOf(variables);
    }
  }

  /** Replaces $var and ${var} with the variable's value, escaped for a Lucene quoted phrase. */
  public static String interpolate(String text, Context ctx) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = ctx.variables().get(name);
      if (value == null) throw new IllegalArgumentException("query \"" + text + "\" uses $" + name + ", which has no value");
      m.appendReplacement(out, Matcher.quoteReplacement(value.replace("\\", "\\\\").replace("\"", "\\\"")));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The bool filter every query starts from: the time range on the time field and the Lucene query string. */
  private static ObjectNode filtered(String timeField, String luceneQuery, Context ctx) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
    filter.addObject().putObject("range").putObject(timeField)
        .put("gte", ctx.fromMillis()).put("lte", ctx.toMillis()).put("format", "epoch_millis");
    String q = luceneQuery == null || luceneQuery.isBlank() ? "*" : interpolate(luceneQuery, ctx);
    filter.addObject().putObject("query_string").put("analyze_wildcard", true).put("query", q);
    return body;
  }

  /** True when the target returns documents (raw_data / raw_document) rather than aggregations. */
  public static boolean isRawData(JsonNode target) {
    String type = target.path("metrics").path(0).path("type").asText();
    return type.equals("raw_data") || type.equals("raw_document");
  }

  /** The search body of a panel target or alert query. */
  public static ObjectNode searchBody(JsonNode target, Context ctx) {
    String timeField = target.path("timeField").asText("@timestamp");
    ObjectNode body = filtered(timeField, target.path("query").asText(null), ctx);
    if (isRawData(target)) {
      JsonNode m = target.path("metrics").path(0);
      body.put("size", Integer.parseInt(m.path("settings").path("size").asText("500")));
      ArrayNode sort = body.putArray("sort");
      sort.addObject().putObject(timeField).put("order", "desc").put("unmapped_type", "boolean");
      sort.addObject().putObject("_doc").put("order", "desc");
      body.putObject("script_fields");
      return body;
    }
    body.put("size", 0);
    ObjectNode level = body;
    for (JsonNode b : target.path("bucketAggs")) {
      ObjectNode agg = level.with("aggs").putObject(b.path("id").asText());
      JsonNode s = b.path("settings");
      switch (b.path("type").asText()) {
        case "terms" -> {
          ObjectNode t = agg.putObject("terms").put("field", b.path("field").asText());
          int size = Integer.parseInt(s.path("size").asText("10"));
          t.put("size", size == 0 ? 500 : size);
          String orderBy = s.path("orderBy").asText("_term");
          String order = s.path("order").asText("desc");
          t.putObject("order").put(orderBy.equals("_term") ? "_key" : orderBy, order);
          t.put("min_doc_count", Integer.parseInt(s.path("min_doc_count").asText("1")));
          if (!orderBy.startsWith("_")) {
            // Ordering by a metric: the data source adds that metric under the terms bucket.
            for (JsonNode m : target.path("metrics")) {
              if (m.path("id").asText().equals(orderBy)) addMetric(agg, m);
            }
          }
        }
        case "date_histogram" -> {
          ObjectNode h = agg.putObject("date_histogram").put("field", b.path("field").asText(timeField));
          String interval = s.path("interval").asText("auto");
          h.put("fixed_interval", interval.equals("auto") ? ctx.interval() : interpolate(interval, ctx));
          h.put("min_doc_count", Integer.parseInt(s.path("min_doc_count").asText("0")));
          h.putObject("extended_bounds").put("min", ctx.fromMillis()).put("max", ctx.toMillis());
          h.put("format", "epoch_millis");
        }
        case "histogram" -> agg.putObject("histogram").put("field", b.path("field").asText())
            .put("interval", Double.parseDouble(s.path("interval").asText("1")))
            .put("min_doc_count", Integer.parseInt(s.path("min_doc_count").asText("0")));
        default -> throw new IllegalArgumentException("bucket aggregation " + b.path("type").asText() + " is not translated");
      }
      level = agg;
    }
    for (JsonNode m : target.path("metrics")) addMetric(level, m);
    return body;
  }

  private static void addMetric(ObjectNode level, JsonNode m) {
    String type = m.path("type").asText();
    if (type.equals("count")) return; // doc_count of each bucket
    ObjectNode agg = level.with("aggs").putObject(m.path("id").asText());
    switch (type) {
      case "avg", "min", "max", "sum" -> agg.putObject(type).put("field", m.path("field").asText());
      case "moving_fn" -> {
        JsonNode s = m.path("settings");
        ObjectNode f = agg.putObject("moving_fn").put("buckets_path", m.path("pipelineAgg").asText(m.path("field").asText()));
        f.put("window", Integer.parseInt(s.path("window").asText("5")));
        f.put("script", s.path("script").isObject() ? s.path("script").path("inline").asText() : s.path("script").asText());
        if (s.has("shift")) f.put("shift", Integer.parseInt(s.path("shift").asText()));
      }
      default -> throw new IllegalArgumentException("metric " + type + " is not translated");
    }
  }

  /** The search body of an annotation query (Grafana's OpenSearch annotation target). */
  public static ObjectNode annotationBody(JsonNode target, Context ctx) {
    ObjectNode body = filtered(target.path("timeField").asText("@timestamp"), target.path("query").asText(null), ctx);
    body.put("size", target.path("limit").asInt(10000));
    return body;
  }

  /** The search body of a template variable's terms lookup: {"find":"terms","field":F,"query":Q}. */
  public static ObjectNode variableBody(String variableQuery, String timeField, Context ctx) {
    JsonNode q;
    try {
      q = JSON.readTree(variableQuery);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("variable query is not JSON: " + variableQuery, e);
    }
    if (!"terms".equals(q.path("find").asText())) throw new IllegalArgumentException("only terms lookups: " + variableQuery);
    ObjectNode body = filtered(timeField, q.path("query").asText(null), ctx);
    body.put("size", 0);
    ObjectNode terms = body.putObject("aggs").putObject("1").putObject("terms").put("field", q.path("field").asText());
    terms.put("size", q.path("size").asInt(500));
    terms.putObject("order").put("_key", "asc");
    return body;
  }
}
