package io.vectory.sink;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.DriftRule;
import io.vectory.avro.Relation;
import io.vectory.core.compare.Metric;
import io.vectory.schemas.CheckpointNames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The documents both stores write, as plain maps ready for JSON: comparison results and alerts in the
 * shape of the vectory-comparisons / vectory-alerts mappings (the contract with the dashboards), their
 * natural ids, a space's point documents (the mapping of its index is {@link OpenSearchMappings}).
 */
public final class Docs {

  private Docs() {}

  public static final String VECTOR = "vector";
  public static final String ID = "id";
  public static final String ROW = "row";
  /** Metadata columns live under this object, so a column named {@code id} or {@code vector} cannot clash. */
  public static final String META = "meta";

  // ---- comparisons

  /** experiment|space_a|step_a|relation|space_b|step_b: one document per comparison, so a replay overwrites. */
  public static String comparisonId(ComparisonResult r) {
    return r.getA().getExperiment() + "|" + r.getA().getSpace() + "|" + r.getA().getStep() + "|"
        + lower(r.getRelation()) + "|" + r.getB().getSpace() + "|" + r.getB().getStep();
  }

  public static Map<String, Object> comparisonDoc(ComparisonResult r) {
    if (r.getHistogram().size() != 10) {
      throw new IllegalArgumentException("ComparisonResult " + comparisonId(r) + ": field histogram has "
          + r.getHistogram().size() + " bins, expected 10");
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("@timestamp", r.getComputedAt().toEpochMilli());
    d.put("dataset", r.getDataset());
    d.put("experiment", r.getA().getExperiment());
    d.put("model", r.getModel());
    d.put("space_a", r.getA().getSpace());
    d.put("step_a", r.getA().getStep());
    d.put("experiment_b", r.getB().getExperiment());
    d.put("space_b", r.getB().getSpace());
    d.put("step_b", r.getB().getStep());
    d.put("relation", lower(r.getRelation()));
    d.put("k", r.getK());
    d.put("metric_a", lower(r.getMetricA()));
    d.put("metric_b", lower(r.getMetricB()));
    d.put("include_self", r.getIncludeSelf());
    d.put("exact", r.getExact());
    d.put("n", r.getN());
    d.put("mean_jaccard", r.getMeanJaccard());
    d.put("queries", r.getQueries());
    d.put("ci_low", r.getCiLow());
    d.put("ci_high", r.getCiHigh());
    for (int i = 0; i < 10; i++) d.put("hist_" + i, r.getHistogram().get(i));
    d.put("label_means", new LinkedHashMap<>(r.getLabelMeans()));
    d.put("cka", r.getCka());
    d.put("compute_millis", r.getComputeMillis());
    return d;
  }

  public static ComparisonResult comparisonFromDoc(Map<String, ?> d) {
    List<Long> hist = new ArrayList<>(10);
    for (int i = 0; i < 10; i++) hist.add(lng(d, "hist_" + i));
    Map<String, Double> labels = new LinkedHashMap<>();
    if (d.get("label_means") instanceof Map<?, ?> lm) lm.forEach((k, v) -> labels.put(String.valueOf(k), ((Number) v).doubleValue()));
    String exp = str(d, "experiment");
    return ComparisonResult.newBuilder()
        .setDataset(str(d, "dataset"))
        .setModel(str(d, "model"))
        .setA(new CheckpointKey(exp, str(d, "space_a"), lng(d, "step_a")))
        .setB(new CheckpointKey(d.get("experiment_b") == null ? exp : str(d, "experiment_b"), str(d, "space_b"), lng(d, "step_b")))
        .setRelation(Relation.valueOf(upper(d, "relation")))
        .setK((int) lng(d, "k"))
        .setMetricA(io.vectory.avro.Metric.valueOf(upper(d, "metric_a")))
        .setMetricB(io.vectory.avro.Metric.valueOf(upper(d, "metric_b")))
        .setIncludeSelf(Boolean.TRUE.equals(d.get("include_self")))
        .setExact(!Boolean.FALSE.equals(d.get("exact")))
        .setN(lng(d, "n"))
        .setMeanJaccard(dbl(d, "mean_jaccard"))
        .setQueries(d.get("queries") == null ? null : lng(d, "queries"))
        .setCiLow(d.get("ci_low") == null ? null : dbl(d, "ci_low"))
        .setCiHigh(d.get("ci_high") == null ? null : dbl(d, "ci_high"))
        .setHistogram(hist)
        .setLabelMeans(labels)
        .setCka(d.get("cka") == null ? null : dbl(d, "cka"))
        .setComputeMillis(lng(d, "compute_millis"))
        .setComputedAt(java.time.Instant.ofEpochMilli(lng(d, "@timestamp")))
        .build();
  }

  // ---- alerts

  /** experiment|space|step_a|rule: one document per alert, so a replay overwrites. */
  public static String alertId(DriftAlert a) {
    return a.getA().getExperiment() + "|" + a.getA().getSpace() + "|" + a.getA().getStep() + "|" + lower(a.getRule());
  }

  public static Map<String, Object> alertDoc(DriftAlert a) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("@timestamp", a.getRaisedAt().toEpochMilli());
    d.put("dataset", a.getDataset());
    d.put("experiment", a.getA().getExperiment());
    d.put("model", a.getModel());
    d.put("space", a.getA().getSpace());
    d.put("step_a", a.getA().getStep());
    d.put("step_b", a.getB().getStep());
    d.put("rule", lower(a.getRule()));
    d.put("value", a.getValue());
    d.put("threshold", a.getThreshold());
    d.put("trailing_mean", a.getTrailingMean());
    d.put("message", a.getMessage());
    return d;
  }

  public static DriftAlert alertFromDoc(Map<String, ?> d) {
    String exp = str(d, "experiment");
    String space = str(d, "space");
    return DriftAlert.newBuilder()
        .setDataset(str(d, "dataset"))
        .setModel(str(d, "model"))
        .setA(new CheckpointKey(exp, space, lng(d, "step_a")))
        .setB(new CheckpointKey(exp, space, lng(d, "step_b")))
        .setRule(DriftRule.valueOf(upper(d, "rule")))
        .setValue(dbl(d, "value"))
        .setThreshold(dbl(d, "threshold"))
        .setTrailingMean(d.get("trailing_mean") == null ? null : dbl(d, "trailing_mean"))
        .setMessage(str(d, "message"))
        .setRaisedAt(java.time.Instant.ofEpochMilli(lng(d, "@timestamp")))
        .build();
  }

  // ---- dead letters (rejections)

  /**
   * source_topic|partition|offset|crc32c(reason): one document per rejected record and reason, so a replay of the
   * Streams app's output overwrites instead of doubling.
   */
  public static String deadLetterId(DeadLetter d) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(d.getReason().getBytes(StandardCharsets.UTF_8));
    String where = d.getOffset() >= 0 ? d.getPartition() + "|" + d.getOffset()
        : "-|" + d.getFailedAt().toEpochMilli() + "|" + (d.getCheckpoint() == null ? d.getKey() : d.getCheckpoint());
    return d.getSourceTopic() + "|" + where + "|" + Long.toHexString(crc.getValue());
  }

  /**
   * A rejection as the vectory-dead-letters mapping has it: experiment, space and step from the dead letter's
   * checkpoint ({@code experiment/space@step}; the record key is the experiment when the checkpoint is unknown),
   * the reason, where the record was, when. The payload bytes are not kept, only their size.
   */
  public static Map<String, Object> deadLetterDoc(DeadLetter d) {
    CheckpointKey k = CheckpointNames.parse(d.getCheckpoint());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("@timestamp", d.getFailedAt().toEpochMilli());
    m.put("experiment", k != null ? k.getExperiment() : d.getKey());
    m.put("space", k == null ? null : k.getSpace());
    m.put("step", k == null ? null : k.getStep());
    m.put("checkpoint", d.getCheckpoint());
    m.put("reason", d.getReason());
    m.put("source_topic", d.getSourceTopic());
    m.put("partition", d.getPartition());
    m.put("offset", d.getOffset());
    m.put("key", d.getKey());
    m.put("payload_bytes", d.getPayload() == null ? null : d.getPayload().remaining());
    return m;
  }

  public static DeadLetter deadLetterFromDoc(Map<String, ?> d) {
    return DeadLetter.newBuilder()
        .setSourceTopic(str(d, "source_topic"))
        .setPartition((int) lng(d, "partition"))
        .setOffset(lng(d, "offset"))
        .setKey(d.get("key") == null ? null : String.valueOf(d.get("key")))
        .setCheckpoint(d.get("checkpoint") == null ? null : String.valueOf(d.get("checkpoint")))
        .setReason(str(d, "reason"))
        .setFailedAt(java.time.Instant.ofEpochMilli(lng(d, "@timestamp")))
        .build();
  }

  // ---- space indices

  /** OpenSearch k-NN space type of a metric. */
  public static String spaceType(Metric m) {
    return switch (m) {
      case COSINE -> "cosinesimil";
      case EUCLIDEAN -> "l2";
      case DOT -> "innerproduct";
    };
  }

  /** One point of a space: natural _id = the point id, so a replay overwrites. */
  public static Map<String, Object> pointDoc(String id, long row, float[] vector, List<String> columns, List<String> values) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put(ID, id);
    d.put(ROW, row);
    d.put(VECTOR, vector);
    Map<String, Object> meta = new LinkedHashMap<>();
    for (int c = 0; c < columns.size() && values != null && c < values.size(); c++) meta.put(columns.get(c), values.get(c));
    d.put(META, meta);
    return d;
  }

  /**
   * A Lucene / OpenSearch k-NN score turned back into the metric's own number: cosine similarity for
   * cosine (score (1+cos)/2), the L2 distance for euclidean (score 1/(1+d²)), the dot product for dot
   * (score dot+1 when dot ≥ 0, else 1/(1-dot)).
   */
  public static double metricValue(Metric m, double score) {
    return switch (m) {
      case COSINE -> 2 * score - 1;
      case EUCLIDEAN -> Math.sqrt(Math.max(0, 1 / score - 1));
      case DOT -> score >= 1 ? score - 1 : 1 - 1 / score;
    };
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String upper(Map<String, ?> d, String k) {
    return str(d, k).toUpperCase(Locale.ROOT);
  }

  private static String str(Map<String, ?> d, String k) {
    Object v = d.get(k);
    if (v == null) throw new IllegalArgumentException("document field '" + k + "' is missing");
    return String.valueOf(v);
  }

  private static long lng(Map<String, ?> d, String k) {
    if (!(d.get(k) instanceof Number n)) throw new IllegalArgumentException("document field '" + k + "': expected a number, got " + d.get(k));
    return n.longValue();
  }

  private static double dbl(Map<String, ?> d, String k) {
    if (!(d.get(k) instanceof Number n)) throw new IllegalArgumentException("document field '" + k + "': expected a number, got " + d.get(k));
    return n.doubleValue();
  }
}
