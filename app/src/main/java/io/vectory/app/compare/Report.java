package io.vectory.app.compare;

import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.space.Space;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The compare result as text (terminal) or one JSON object. */
final class Report {
  private static final String[] EIGHTHS = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  private static final int BAR = 40;

  private Report() {}

  /** How the neighbours were chosen, in words. */
  static String method(ComparisonOutcome o) {
    return String.format(Locale.ROOT, "k = %d nearest neighbours, %s in A and %s in B, %s, ties broken by lower row index",
        o.k(), o.metricA().label(), o.metricB().label(),
        o.includeSelf() ? "each point counted as its own neighbour" : "a point is not its own neighbour");
  }

  /** {@code ciTarget}: the half-width --sample auto asked for, or null. */
  static String text(ComparisonOutcome o, Map<String, Double> byLabel, Map<String, Long> countByLabel, double seconds,
      Space a, Space b, Double ciTarget) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "A: %s (%d x %d)%nB: %s (%d x %d)%n", a.name(), a.vectors().rows(),
        a.vectors().cols(), b.name(), b.vectors().rows(), b.vectors().cols()));
    sb.append(String.format(Locale.ROOT, "The mean of the Jaccard similarity for each query is %.4f%n", o.meanJaccard()));
    if (o.exact()) {
      sb.append(String.format(Locale.ROOT, "  exact: all %d points are queries; %s.%n", o.n(), method(o)));
      if (ciTarget != null) sb.append(String.format(Locale.ROOT, "  (--sample auto: a 95%% CI half-width of %s needed most points, so all were used)%n", ciTarget));
    } else {
      sb.append(String.format(Locale.ROOT, "  sampled: %d random query points of %d (each searched exactly against all points),"
          + " 95%% confidence interval %.4f to %.4f (normal approximation, finite-population corrected); %s.%n",
          o.queryRows().length, o.n(), o.ciLow(), o.ciHigh(), method(o)));
      if (ciTarget != null) sb.append(String.format(Locale.ROOT, "  (--sample auto: %d queries for a half-width of at most %s; --sample %d --seed S repeats it)%n",
          o.queryRows().length, ciTarget, o.queryRows().length));
    }
    sb.append(String.format(Locale.ROOT, "Linear CKA (Kornblith et al. 2019, all %d points): %.4f%n", o.n(), o.cka()));
    sb.append("Per-query Jaccard, 10 bins over [0, 1] (1.0 in the last bin):\n");
    long max = 1;
    for (long c : o.histogram()) max = Math.max(max, c);
    for (int i = 0; i < 10; i++) {
      long c = o.histogram()[i];
      sb.append(String.format(Locale.ROOT, "  %.1f-%.1f%s %s %d%n", i / 10.0, (i + 1) / 10.0, i == 9 ? "]" : ")",
          bar(c, max), c));
    }
    if (byLabel != null) {
      sb.append("Mean Jaccard per label, lowest first:\n");
      int w = byLabel.keySet().stream().mapToInt(String::length).max().orElse(5);
      byLabel.forEach((l, m) -> sb.append(String.format(Locale.ROOT, "  %-" + w + "s  %.4f  (%d points)%n", l, m,
          countByLabel.get(l))));
    }
    sb.append(String.format(Locale.ROOT, "Took %.2f s.%n", seconds));
    return sb.toString();
  }

  private static String bar(long count, long max) {
    int eighths = (int) Math.round(8.0 * BAR * count / max);
    String s = "█".repeat(eighths / 8) + EIGHTHS[eighths % 8];
    if (count > 0 && s.isEmpty()) s = "▏";
    return s + " ".repeat(Math.max(0, BAR - (s.length())));
  }

  /** In a holder: a text report does not pay for Jackson's start (about 0.05 s of a cold JVM). */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** Per-label means ordered lowest first (ties by label), so the labels the spaces disagree on most come first. */
  static Map<String, Double> lowestFirst(Map<String, Double> byLabel) {
    Map<String, Double> out = new LinkedHashMap<>();
    byLabel.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Where the k-NN lists came from, in words. */
  static String knnText(CompareCommand.KnnSource knn) {
    if (knn.passes() == 0) return "k-NN lists: both read from the store (computed by an earlier command); no k-NN pass ran.\n";
    String a = knn.passA() ? "computed" : "read from the store";
    String b = knn.passB() ? "computed" : "read from the store";
    return "k-NN lists: A " + a + ", B " + b + "; " + knn.passes() + " k-NN pass" + (knn.passes() == 1 ? "" : "es") + " ran"
        + (knn.keptA() && knn.keptB() ? ", lists kept in the store for later comparisons.\n" : ".\n");
  }

  static String json(ComparisonOutcome o, Map<String, Double> byLabel, double seconds, Space a, Space b, CompareCommand.KnnSource knn,
      List<WorstPoints.Point> worst, Double ciTarget) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", a.name());
    m.put("b", b.name());
    m.put("n", o.n());
    m.put("dim_a", a.vectors().cols());
    m.put("dim_b", b.vectors().cols());
    m.put("k", o.k());
    m.put("metric_a", o.metricA().label());
    m.put("metric_b", o.metricB().label());
    m.put("include_self", o.includeSelf());
    m.put("tie_break", "lower row index");
    m.put("exact", o.exact());
    m.put("queries", o.queryRows().length);
    m.put("mean_jaccard", num(o.meanJaccard()));
    m.put("histogram", o.histogram());
    m.put("cka", num(o.cka()));
    if (!o.exact()) m.put("ci", new Double[] {num(o.ciLow()), num(o.ciHigh())});
    if (ciTarget != null) m.put("ci_half_width_target", ciTarget);
    if (byLabel != null) m.put("label_means", byLabel);
    m.put("knn_passes", knn.passes());
    m.put("knn_pass_a", knn.passA());
    m.put("knn_pass_b", knn.passB());
    m.put("knn_lists_kept", knn.keptA() && knn.keptB());
    if (!worst.isEmpty()) m.put("worst", worst);
    m.put("seconds", Math.round(seconds * 1000) / 1000.0);
    try {
      return Json.MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the comparison as JSON: " + e.getMessage(), e);
    }
  }

  private static Double num(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
