package io.vectory.sink;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.DriftRule;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.Metric;
import io.vectory.schemas.CheckpointProtocol;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.datasets.Fortunes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Real-ish test vectors: the datasets module's fortunes corpus (1,307 real texts in 10 labelled categories)
 * embedded by hashed TF-IDF over words and character trigrams. Not a neural model, but real text
 * structure: clusters, near-duplicates, uneven density. Deterministic.
 */
public final class TestData {

  private TestData() {}

  public static Space fortunes(int dim) {
    List<Fortunes.Fortune> rows = Fortunes.load();
    int n = rows.size();
    List<Map<Integer, Double>> tfs = new ArrayList<>(n);
    Map<Integer, Integer> df = new HashMap<>();
    for (Fortunes.Fortune r : rows) {
      Map<Integer, Double> tf = new HashMap<>();
      String t = r.text().toLowerCase(Locale.ROOT);
      for (String w : t.split("[^a-z0-9']+")) if (!w.isEmpty()) tf.merge(("w:" + w).hashCode(), 1.0, Double::sum);
      String p = " " + t.replaceAll("\\s+", " ") + " ";
      for (int i = 0; i + 3 <= p.length(); i++) tf.merge(("c:" + p.substring(i, i + 3)).hashCode(), 0.5, Double::sum);
      tf.keySet().forEach(h -> df.merge(h, 1, Integer::sum));
      tfs.add(tf);
    }
    float[] data = new float[n * dim];
    for (int i = 0; i < n; i++) {
      for (var e : tfs.get(i).entrySet()) {
        int h = e.getKey();
        double idf = Math.log((1.0 + n) / (1.0 + df.get(h))) + 1;
        int slot = Math.floorMod(h * 0x9E3779B1, dim);
        float sign = ((h >>> 7) & 1) == 0 ? 1f : -1f;
        data[i * dim + slot] += (float) (sign * e.getValue() * idf);
      }
    }
    List<String> ids = new ArrayList<>(n), labels = new ArrayList<>(n);
    for (Fortunes.Fortune r : rows) {
      ids.add(r.id());
      labels.add(r.label());
    }
    return new Space("fortunes", ids, FloatMatrix.wrap(n, dim, data), Map.of("label", labels));
  }

  /** A checkpoint as the pipeline sends it on vectory.indexed-spaces: register, chunks of chunkRows, completion. */
  public static List<SpaceEvent> checkpoint(String experiment, String spaceName, long step, Space space, Metric metric, int chunkRows) {
    return checkpoint(experiment, spaceName, step, space, metric, chunkRows, "hashed-tfidf");
  }

  /** The same, naming the model that made the space. */
  public static List<SpaceEvent> checkpoint(String experiment, String spaceName, long step, Space space, Metric metric, int chunkRows,
      String model) {
    CheckpointKey key = new CheckpointKey(experiment, spaceName, step);
    FloatMatrix m = space.vectors();
    List<String> cols = new ArrayList<>(new java.util.TreeSet<>(space.columns().keySet()));
    SpaceRegistered registered = SpaceRegistered.newBuilder().setCheckpoint(key).setDataset("fortunes").setModel(model)
        .setDimension(m.cols()).setRows(m.rows()).setMetric(io.vectory.avro.Metric.valueOf(metric.name()))
        .setMetadataColumns(cols).setRegisteredAt(Instant.ofEpochMilli(1_700_000_000_000L + step)).build();
    List<List<String>> meta = new ArrayList<>();
    for (int r = 0; r < m.rows() && !cols.isEmpty(); r++) {
      List<String> vals = new ArrayList<>();
      for (String c : cols) vals.add(space.columns().get(c).get(r));
      meta.add(vals);
    }
    return CheckpointProtocol.events(registered, space.ids(), m.data(), meta, chunkRows, Instant.ofEpochMilli(1_700_000_000_500L + step));
  }

  public static ComparisonResult comparison(String experiment, long stepA, long stepB, Relation relation, double mean, long computedAt) {
    return ComparisonResult.newBuilder().setDataset("fortunes").setModel("hashed-tfidf")
        .setA(new CheckpointKey(experiment, "head", stepA)).setB(new CheckpointKey(experiment, "head", stepB))
        .setRelation(relation).setK(10).setMetricA(io.vectory.avro.Metric.COSINE).setMetricB(io.vectory.avro.Metric.COSINE)
        .setIncludeSelf(false).setExact(true).setN(1307).setMeanJaccard(mean)
        .setHistogram(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 1252L)).setLabelMeans(Map.of("computers", 0.5, "science", 0.75))
        .setCka(0.93).setComputeMillis(120).setComputedAt(Instant.ofEpochMilli(computedAt)).build();
  }

  public static DriftAlert alert(String experiment, long stepA, long stepB, double value) {
    return DriftAlert.newBuilder().setDataset("fortunes").setModel("hashed-tfidf")
        .setA(new CheckpointKey(experiment, "head", stepA)).setB(new CheckpointKey(experiment, "head", stepB))
        .setRule(DriftRule.JACCARD_FLOOR).setValue(value).setThreshold(0.3).setTrailingMean(null)
        .setMessage("Jaccard with the previous checkpoint " + value + " fell below the floor 0.3")
        .setRaisedAt(Instant.ofEpochMilli(1_700_000_100_000L + stepA)).build();
  }
}
