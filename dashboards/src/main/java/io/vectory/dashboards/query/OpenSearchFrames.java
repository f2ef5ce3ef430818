package io.vectory.dashboards.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a search response the way the OpenSearch data source turns it into data frames: documents into rows
 * (raw_data), a terms/date_histogram tree into one time series per terms key and metric, terms without a
 * date histogram into a table with one row per bucket.
 */
public final class OpenSearchFrames {
  private OpenSearchFrames() {}

  /** One time series: the terms keys above it, the metric it plots, and (epoch millis, value) points. */
  public record Series(Map<String, String> labels, String metricId, String metric, List<Point> points) {
    /** The last point with a numeric value, or null (Grafana's reduce "last" in dropNN mode). */
    public Double lastValue() {
      for (int i = points.size() - 1; i >= 0; i--) {
        Double v = points.get(i).value();
        if (v != null && !v.isNaN()) return v;
      }
      return null;
    }

    public double sum() {
      double s = 0;
      for (Point p : points) if (p.value() != null) s += p.value();
      return s;
    }
  }

  public record Point(long time, Double value) {}

  /** Documents as rows; nested objects become dotted field names, as the data source flattens them. */
  public static List<Map<String, Object>> rows(JsonNode response) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode hit : response.path("hits").path("hits")) {
      Map<String, Object> row = new LinkedHashMap<>();
      flatten("", hit.path("_source"), row);
      out.add(row);
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, Object> row) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      String name = prefix + e.getKey();
      if (v.isObject()) flatten(name + ".", v, row);
      else if (v.isNumber()) row.put(name, v.numberValue());
      else if (v.isBoolean()) row.put(name, v.booleanValue());
      else row.put(name, v.isNull() ? null : v.asText());
    }
  }

  /** Time series of a metric query whose last bucket aggregation is a date histogram. */
  public static List<Series> series(JsonNode target, JsonNode response) {
    List<Series> out = new ArrayList<>();
    walk(target, target.path("bucketAggs"), 0, response.path("aggregations"), new LinkedHashMap<>(), out);
    return out;
  }

  private static void walk(JsonNode target, JsonNode buckets, int depth, JsonNode aggs, Map<String, String> labels,
      List<Series> out) {
    JsonNode b = buckets.get(depth);
    JsonNode agg = aggs.path(b.path("id").asText());
    String type = b.path("type").asText();
    if (type.equals("date_histogram")) {
      if (depth != buckets.size() - 1) throw new IllegalArgumentException("date_histogram must be the last bucket aggregation");
      for (JsonNode m : target.path("metrics")) {
        if (m.path("hide").asBoolean(false)) continue;
        List<Point> points = new ArrayList<>();
        for (JsonNode bucket : agg.path("buckets")) points.add(new Point(bucket.path("key").asLong(), value(m, bucket)));
        out.add(new Series(Map.copyOf(labels), m.path("id").asText(), describe(m), points));
      }
      return;
    }
    if (!type.equals("terms")) throw new IllegalArgumentException("bucket aggregation " + type + " is not read");
    for (JsonNode bucket : agg.path("buckets")) {
      Map<String, String> l = new LinkedHashMap<>(labels);
      l.put(b.path("field").asText(), bucket.path("key").asText());
      walk(target, buckets, depth + 1, bucket, l, out);
    }
  }

  /** A table of a metric query without a date histogram: one row per terms bucket, a column per metric. */
  public static List<Map<String, Object>> table(JsonNode target, JsonNode response) {
    List<Map<String, Object>> out = new ArrayList<>();
    JsonNode buckets = target.path("bucketAggs");
    tableWalk(target, buckets, 0, response.path("aggregations"), new LinkedHashMap<>(), out);
    return out;
  }

  private static void tableWalk(JsonNode target, JsonNode buckets, int depth, JsonNode aggs, Map<String, Object> row,
      List<Map<String, Object>> out) {
    if (depth == buckets.size()) {
      Map<String, Object> r = new LinkedHashMap<>(row);
      for (JsonNode m : target.path("metrics")) if (!m.path("hide").asBoolean(false)) r.put(describe(m), value(m, aggs));
      out.add(r);
      return;
    }
    JsonNode b = buckets.get(depth);
    for (JsonNode bucket : aggs.path(b.path("id").asText()).path("buckets")) {
      Map<String, Object> r = new LinkedHashMap<>(row);
      r.put(b.path("field").asText(), bucket.path("key").isNumber() ? bucket.path("key").numberValue() : bucket.path("key").asText());
      tableWalk(target, buckets, depth + 1, bucket, r, out);
    }
  }

  /** Grafana's column name for a metric: "Count", "Average mean_jaccard", "Max step_a", ... */
  public static String describe(JsonNode m) {
    String type = m.path("type").asText();
    return switch (type) {
      case "count" -> "Count";
      case "avg" -> "Average " + m.path("field").asText();
      case "min" -> "Min " + m.path("field").asText();
      case "max" -> "Max " + m.path("field").asText();
      case "sum" -> "Sum " + m.path("field").asText();
      case "moving_fn" -> "Moving Function " + m.path("pipelineAgg").asText();
      default -> type + " " + m.path("field").asText();
    };
  }

  private static Double value(JsonNode metric, JsonNode bucket) {
    if (metric.path("type").asText().equals("count")) return bucket.path("doc_count").asDouble();
    JsonNode v = bucket.path(metric.path("id").asText()).path("value");
    return v.isNumber() ? v.asDouble() : null;
  }
}
