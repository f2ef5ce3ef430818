package io.vectory.app.compare;

import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.space.Space;
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

  static String text(ComparisonOutcome o, Map<String, Double> byLabel, Map<String, Long> countByLabel, double seconds,
      Space a, Space b) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "A: %s (%d x %d)%nB: %s (%d x %d)%n", a.name(), a.vectors().rows(),
        a.vectors().cols(), b.name(), b.vectors().rows(), b.vectors().cols()));
    sb.append(String.format(Locale.ROOT, "The mean of the Jaccard similarity for each query is %.4f%n", o.meanJaccard()));
    if (o.exact()) {
      sb.append(String.format(Locale.ROOT, "  exact: all %d points are queries; %s.%n", o.n(), method(o)));
    } else {
      sb.append(String.format(Locale.ROOT, "  sampled: %d random query points of %d (each searched exactly against all points),"
          + " 95%% confidence interval %.4f to %.4f; %s.%n", o.queryRows().length, o.n(), o.ciLow(), o.ciHigh(), method(o)));
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
      sb.append("Mean Jaccard per label:\n");
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

  static String json(ComparisonOutcome o, Map<String, Double> byLabel, double seconds, Space a, Space b) {
    StringBuilder sb = new StringBuilder("{");
    field(sb, "a", str(a.name()));
    field(sb, "b", str(b.name()));
    field(sb, "n", Integer.toString(o.n()));
    field(sb, "dim_a", Integer.toString(a.vectors().cols()));
    field(sb, "dim_b", Integer.toString(b.vectors().cols()));
    field(sb, "k", Integer.toString(o.k()));
    field(sb, "metric_a", str(o.metricA().label()));
    field(sb, "metric_b", str(o.metricB().label()));
    field(sb, "include_self", Boolean.toString(o.includeSelf()));
    field(sb, "tie_break", str("lower row index"));
    field(sb, "exact", Boolean.toString(o.exact()));
    field(sb, "queries", Integer.toString(o.queryRows().length));
    field(sb, "mean_jaccard", num(o.meanJaccard()));
    StringBuilder h = new StringBuilder("[");
    for (int i = 0; i < 10; i++) h.append(i == 0 ? "" : ", ").append(o.histogram()[i]);
    field(sb, "histogram", h.append(']').toString());
    field(sb, "cka", num(o.cka()));
    if (!o.exact()) field(sb, "ci", "[" + num(o.ciLow()) + ", " + num(o.ciHigh()) + "]");
    if (byLabel != null) {
      StringBuilder l = new StringBuilder("{");
      byLabel.forEach((k, v) -> l.append(l.length() == 1 ? "" : ", ").append(str(k)).append(": ").append(num(v)));
      field(sb, "label_means", l.append('}').toString());
    }
    field(sb, "seconds", String.format(Locale.ROOT, "%.3f", seconds));
    return sb.append('}').toString();
  }

  private static void field(StringBuilder sb, String name, String value) {
    if (sb.length() > 1) sb.append(", ");
    sb.append('"').append(name).append("\": ").append(value);
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  static String str(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }
}
