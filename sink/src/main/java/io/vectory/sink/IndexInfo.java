package io.vectory.sink;

import io.vectory.core.compare.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a store knows about one vector index: a checkpoint's index (written by the pipeline) or an index
 * loaded by {@code vectory embeddings load}. Kept in the index itself (OpenSearch mapping {@code _meta},
 * a JSON file beside the embedded Lucene index), so listing needs no separate catalogue.
 *
 * @param name logical name: {@code experiment/space@step} for a checkpoint, the user's name for a loaded index
 * @param physical the physical index name ({@link IndexNames})
 * @param kind {@link #CHECKPOINT} or {@link #LOADED}
 * @param step the checkpoint's training step; -1 when not a checkpoint
 * @param knnModel {@code hnsw} (approximate, Lucene HNSW) or {@code exact} (a scan over every vector)
 * @param complete whether every row arrived (a checkpoint's CheckpointCompleted was indexed)
 * @param source for a loaded index, the space it was loaded from
 */
public record IndexInfo(
    String name,
    String physical,
    String kind,
    String experiment,
    String space,
    long step,
    String dataset,
    String model,
    Metric metric,
    String knnModel,
    int dimension,
    long rows,
    List<String> columns,
    boolean complete,
    long createdAt,
    String source) {

  public static final String CHECKPOINT = "checkpoint";
  public static final String LOADED = "loaded";

  public IndexInfo {
    columns = List.copyOf(columns);
  }

  public boolean isCheckpoint() {
    return CHECKPOINT.equals(kind);
  }

  public IndexInfo completed(long actualRows) {
    return new IndexInfo(name, physical, kind, experiment, space, step, dataset, model, metric, knnModel,
        dimension, actualRows, columns, true, createdAt, source);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("physical", physical);
    m.put("kind", kind);
    m.put("experiment", experiment);
    m.put("space", space);
    m.put("step", step);
    m.put("dataset", dataset);
    m.put("model", model);
    m.put("metric", metric.name().toLowerCase(Locale.ROOT));
    m.put("knn_model", knnModel);
    m.put("dimension", dimension);
    m.put("rows", rows);
    m.put("columns", columns);
    m.put("complete", complete);
    m.put("created_at", createdAt);
    m.put("source", source);
    return m;
  }

  public static IndexInfo fromMap(Map<?, ?> m) {
    List<String> cols = new ArrayList<>();
    if (m.get("columns") instanceof List<?> l) l.forEach(c -> cols.add(String.valueOf(c)));
    return new IndexInfo(
        str(m, "name"), str(m, "physical"), str(m, "kind"), str(m, "experiment"), str(m, "space"),
        num(m, "step", -1), str(m, "dataset"), str(m, "model"), Metric.parse(str(m, "metric")),
        m.get("knn_model") == null ? "hnsw" : str(m, "knn_model"), (int) num(m, "dimension", 0), num(m, "rows", 0),
        cols, Boolean.TRUE.equals(m.get("complete")), num(m, "created_at", 0), str(m, "source"));
  }

  private static String str(Map<?, ?> m, String k) {
    Object v = m.get(k);
    return v == null ? null : String.valueOf(v);
  }

  private static long num(Map<?, ?> m, String k, long dflt) {
    return m.get(k) instanceof Number n ? n.longValue() : dflt;
  }
}
