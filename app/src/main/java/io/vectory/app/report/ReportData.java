package io.vectory.app.report;

import java.util.Comparator;
import java.util.List;

/**
 * What `vectory report` draws for one experiment and space: the mean Jaccard of each checkpoint with the previous
 * one and with the first one, by training step, and the histogram of the latest comparison with the previous one.
 *
 * @param settings how the numbers were computed, e.g. "k=10, cosine/cosine, self excluded"
 */
public record ReportData(String experiment, String space, String settings, List<Point> previous, List<Point> first,
    Point latest) {

  /** One comparison: the checkpoint at {@code step} against the one at {@code referenceStep}. */
  public record Point(long step, long referenceStep, double meanJaccard, Double cka, long[] histogram) {}

  public ReportData {
    previous = previous.stream().sorted(Comparator.comparingLong(Point::step)).toList();
    first = first.stream().sorted(Comparator.comparingLong(Point::step)).toList();
  }

  /** The smallest and largest step plotted. */
  long minStep() {
    return Math.min(previous.isEmpty() ? Long.MAX_VALUE : previous.getFirst().step(),
        first.isEmpty() ? Long.MAX_VALUE : first.getFirst().step());
  }

  long maxStep() {
    return Math.max(previous.isEmpty() ? Long.MIN_VALUE : previous.getLast().step(),
        first.isEmpty() ? Long.MIN_VALUE : first.getLast().step());
  }
}
