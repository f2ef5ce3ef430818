package io.vectory.app.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.Metric;
import io.vectory.avro.Relation;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `vectory ls` says what a mean is: exact, or sampled with its queries and 95% CI. */
class LsMeanJaccardTest {

  static ComparisonResult.Builder result() {
    return ComparisonResult.newBuilder().setDataset("d").setModel("m")
        .setA(new CheckpointKey("e", "head", 1L)).setB(new CheckpointKey("e", "head", 0L)).setRelation(Relation.PREVIOUS)
        .setK(10).setMetricA(Metric.COSINE).setMetricB(Metric.COSINE).setIncludeSelf(false).setN(1_000_000)
        .setMeanJaccard(0.65741).setHistogram(Collections.nCopies(10, 0L)).setLabelMeans(Map.of()).setCka(null)
        .setComputeMillis(1).setComputedAt(Instant.EPOCH);
  }

  @Test
  void anExactMeanIsTheNumberAndASampledOneCarriesItsQueriesAndInterval() {
    assertEquals("0.6574", LsCommand.meanJaccard(result().setExact(true).setQueries(1_000_000L).build()));
    assertEquals("0.6574 (sampled 10000, CI 0.6547-0.6600)",
        LsCommand.meanJaccard(result().setExact(false).setQueries(10_000L).setCiLow(0.65472).setCiHigh(0.66003).build()));
    assertEquals("0.6574 (sampled)", LsCommand.meanJaccard(result().setExact(false).build()), "a record from before the CI fields");
  }
}
