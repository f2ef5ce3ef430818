package io.vectory.app.demo;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import java.util.Map;
import java.util.TreeMap;

/** One comparison result as one line of JSON, with snake_case names (the same as the Avro fields and the dashboards). */
public final class ComparisonJson {
  private ComparisonJson() {}

  public static String toJson(ComparisonResult r) {
    StringBuilder b = new StringBuilder(512).append('{');
    CheckpointKey a = r.getA(), ref = r.getB();
    str(b, "experiment", a.getExperiment()).append(',');
    str(b, "space", a.getSpace()).append(',');
    str(b, "dataset", r.getDataset()).append(',');
    str(b, "model", r.getModel()).append(',');
    b.append("\"step_a\":").append(a.getStep()).append(',');
    str(b, "space_b", ref.getExperiment() + "/" + ref.getSpace()).append(',');
    b.append("\"step_b\":").append(ref.getStep()).append(',');
    str(b, "relation", r.getRelation().name().toLowerCase()).append(',');
    b.append("\"k\":").append(r.getK()).append(',');
    str(b, "metric_a", r.getMetricA().name().toLowerCase()).append(',');
    str(b, "metric_b", r.getMetricB().name().toLowerCase()).append(',');
    b.append("\"include_self\":").append(r.getIncludeSelf()).append(',');
    b.append("\"exact\":").append(r.getExact()).append(',');
    b.append("\"n\":").append(r.getN()).append(',');
    b.append("\"mean_jaccard\":").append(num(r.getMeanJaccard())).append(',');
    b.append("\"histogram\":[");
    for (int i = 0; i < r.getHistogram().size(); i++) b.append(i == 0 ? "" : ",").append(r.getHistogram().get(i));
    b.append("],\"label_means\":{");
    int i = 0;
    for (Map.Entry<String, Double> e : new TreeMap<>(r.getLabelMeans()).entrySet()) {
      if (i++ > 0) b.append(',');
      b.append(quote(e.getKey())).append(':').append(num(e.getValue()));
    }
    b.append("},\"cka\":").append(r.getCka() == null ? "null" : num(r.getCka())).append(',');
    b.append("\"compute_millis\":").append(r.getComputeMillis()).append(',');
    str(b, "computed_at", r.getComputedAt().toString());
    return b.append('}').toString();
  }

  private static StringBuilder str(StringBuilder b, String name, String value) {
    return b.append('"').append(name).append("\":").append(quote(value));
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  static String quote(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
