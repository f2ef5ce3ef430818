package io.vectory.ingest;

import io.vectory.avro.Metric;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint's vectors are: the dataset and model, how to compare them, training parameters,
 * and optional per-row metadata columns (column name → one value per row, in row order).
 */
public record SpaceDescription(
    String dataset,
    String model,
    Metric metric,
    Integer epoch,
    Map<String, String> params,
    String idField,
    Map<String, List<String>> columns) {

  public SpaceDescription {
    dataset = dataset == null ? "unknown" : dataset;
    model = model == null ? "unknown" : model;
    metric = metric == null ? Metric.COSINE : metric;
    params = params == null ? Map.of() : Map.copyOf(params);
    idField = idField == null || idField.isBlank() ? "row" : idField;
    columns = columns == null ? Map.of() : columns;
  }

  public static SpaceDescription of(String dataset, String model) {
    return new SpaceDescription(dataset, model, Metric.COSINE, null, Map.of(), "row", Map.of());
  }

  /** A metric name as core reads it (cosine, euclidean or l2, dot or ip, any case), as the wire's enum. */
  public static Metric parseMetric(String s) {
    return Metric.valueOf(io.vectory.core.compare.Metric.parse(s).name());
  }

  public SpaceDescription withMetric(Metric m) {
    return new SpaceDescription(dataset, model, m, epoch, params, idField, columns);
  }

  public SpaceDescription withEpoch(Integer e) {
    return new SpaceDescription(dataset, model, metric, e, params, idField, columns);
  }

  public SpaceDescription withParams(Map<String, String> p) {
    return new SpaceDescription(dataset, model, metric, epoch, p, idField, columns);
  }

  public SpaceDescription withIdField(String f) {
    return new SpaceDescription(dataset, model, metric, epoch, params, f, columns);
  }

  /** Per-row metadata columns; insertion order of the map is the column order on the wire. */
  public SpaceDescription withColumns(Map<String, List<String>> c) {
    return new SpaceDescription(dataset, model, metric, epoch, params, idField, c);
  }
}
