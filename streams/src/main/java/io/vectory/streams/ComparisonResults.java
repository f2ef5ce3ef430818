package io.vectory.streams;

import io.vectory.avro.ComparisonResult;
import io.vectory.core.compare.ComparisonOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one mapping of a comparison's outcome onto the published {@link ComparisonResult}: the Streams app and the
 * store's direct comparisons ({@code vectory add} without a broker) fill the record the same way.
 */
public final class ComparisonResults {

  private ComparisonResults() {}

  /** A builder with the outcome's fields set; the caller adds who was compared, the relation and the times. */
  public static ComparisonResult.Builder of(ComparisonOutcome out, Map<String, Double> labelMeans) {
    List<Long> hist = new ArrayList<>(out.histogram().length);
    for (long h : out.histogram()) hist.add(h);
    return ComparisonResult.newBuilder()
        .setK(out.k())
        .setMetricA(io.vectory.avro.Metric.valueOf(out.metricA().name()))
        .setMetricB(io.vectory.avro.Metric.valueOf(out.metricB().name()))
        .setIncludeSelf(out.includeSelf())
        .setExact(out.exact())
        .setN(out.n())
        .setMeanJaccard(out.meanJaccard())
        .setHistogram(hist)
        .setLabelMeans(labelMeans)
        .setQueries((long) out.queryRows().length)
        .setCiLow(out.exact() ? null : out.ciLow())
        .setCiHigh(out.exact() ? null : out.ciHigh())
        // CKA is undefined for a constant space; the schema carries that as null.
        .setCka(Double.isFinite(out.cka()) ? out.cka() : null);
  }
}
