package io.vectory.app.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One comparison result as one line of JSON, with snake_case names (the same as the Avro fields and the dashboards). */
public final class ComparisonJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ComparisonJson() {}

  public static String toJson(ComparisonResult r) {
    CheckpointKey a = r.getA(), ref = r.getB();
    ObjectNode o = JSON.createObjectNode();
    o.put("experiment", a.getExperiment());
    o.put("space", a.getSpace());
    o.put("dataset", r.getDataset());
    o.put("model", r.getModel());
    o.put("step_a", a.getStep());
    o.put("space_b", ref.getExperiment() + "/" + ref.getSpace());
    o.put("step_b", ref.getStep());
    o.put("relation", r.getRelation().name().toLowerCase(Locale.ROOT));
    o.put("k", r.getK());
    o.put("metric_a", r.getMetricA().name().toLowerCase(Locale.ROOT));
    o.put("metric_b", r.getMetricB().name().toLowerCase(Locale.ROOT));
    o.put("include_self", r.getIncludeSelf());
    o.put("exact", r.getExact());
    o.put("n", r.getN());
    o.put("mean_jaccard", finiteOrNull(r.getMeanJaccard()));
    ArrayNode histogram = o.putArray("histogram");
    r.getHistogram().forEach(histogram::add);
    ObjectNode labels = o.putObject("label_means");
    for (Map.Entry<String, Double> e : new TreeMap<>(r.getLabelMeans()).entrySet()) labels.put(e.getKey(), finiteOrNull(e.getValue()));
    o.put("cka", finiteOrNull(r.getCka()));
    o.put("compute_millis", r.getComputeMillis());
    o.put("computed_at", r.getComputedAt().toString());
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a comparison as JSON", e);
    }
  }

  /** JSON has no NaN or infinity: such a value is written as null. */
  private static Double finiteOrNull(Double v) {
    return v == null || !Double.isFinite(v) ? null : v;
  }
}
