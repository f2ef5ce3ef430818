package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.Metric;
import io.vectory.avro.Relation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonJsonTest {

  private static ComparisonResult.Builder result() {
    return ComparisonResult.newBuilder().setDataset("fortunes").setModel("minilm \"q\"\n")
        .setA(new CheckpointKey("demo", "head", 3L)).setB(new CheckpointKey("demo", "head", 2L)).setRelation(Relation.PREVIOUS)
        .setK(10).setMetricA(Metric.COSINE).setMetricB(Metric.EUCLIDEAN).setIncludeSelf(false).setExact(true).setN(1307)
        .setMeanJaccard(0.8125).setHistogram(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 1271L))
        .setLabelMeans(Map.of("science", 0.75, "art", 0.5)).setCka(0.93).setComputeMillis(120)
        .setComputedAt(Instant.parse("2026-01-02T03:04:05.678Z"));
  }

  @Test
  void oneObjectInTheDocumentedOrderWithEscapedStringsAndSortedLabels() {
    assertEquals("{\"experiment\":\"demo\",\"space\":\"head\",\"dataset\":\"fortunes\",\"model\":\"minilm \\\"q\\\"\\n\","
        + "\"step_a\":3,\"space_b\":\"demo/head\",\"step_b\":2,\"relation\":\"previous\",\"k\":10,\"metric_a\":\"cosine\","
        + "\"metric_b\":\"euclidean\",\"include_self\":false,\"exact\":true,\"n\":1307,\"mean_jaccard\":0.8125,"
        + "\"histogram\":[0,1,2,3,4,5,6,7,8,1271],\"label_means\":{\"art\":0.5,\"science\":0.75},\"cka\":0.93,"
        + "\"compute_millis\":120,\"computed_at\":\"2026-01-02T03:04:05.678Z\"}", ComparisonJson.toJson(result().build()));
  }

  @Test
  void missingOrNonFiniteNumbersAreNull() {
    String json = ComparisonJson.toJson(result().setCka(null).setMeanJaccard(Double.NaN).setLabelMeans(Map.of("x", Double.POSITIVE_INFINITY)).build());
    assertTrue(json.contains("\"mean_jaccard\":null,"), json);
    assertTrue(json.contains("\"label_means\":{\"x\":null},\"cka\":null,"), json);
  }
}
