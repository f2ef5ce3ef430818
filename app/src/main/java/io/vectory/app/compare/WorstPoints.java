package io.vectory.app.compare;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.space.AlignedPair;
import io.vectory.core.space.Space;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Where two spaces differ: the points with the lowest Jaccard, and every point's Jaccard as CSV. */
final class WorstPoints {

  private WorstPoints() {}

  /** One point: its id, Jaccard, metadata, and its k neighbours' ids in A and in B (nearest first). */
  record Point(String id, double jaccard, Map<String, String> metadata, List<String> neighboursA, List<String> neighboursB) {}

  /** The n queries with the lowest Jaccard (ties by lower row); their neighbours are searched exactly again. */
  static List<Point> of(ComparisonOutcome o, AlignedPair pair, Space a, int n, CompareOptions options) {
    Integer[] order = new Integer[o.queryRows().length];
    for (int q = 0; q < order.length; q++) order[q] = q;
    Arrays.sort(order, Comparator.comparingDouble((Integer q) -> o.perPoint()[q]).thenComparingInt(q -> o.queryRows()[q]));
    int m = Math.min(n, order.length);
    int[] rows = new int[m];
    for (int i = 0; i < m; i++) rows[i] = o.queryRows()[order[i]];
    int[] sorted = rows.clone();
    Arrays.sort(sorted);
    KnnLists la = KnnLists.compute(pair.a(), options.metricA(), options.k(), options.includeSelf(), sorted, ProgressListener.NONE);
    KnnLists lb = KnnLists.compute(pair.b(), options.metricB(), options.k(), options.includeSelf(), sorted, ProgressListener.NONE);
    List<Point> out = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      int row = rows[i];
      int q = Arrays.binarySearch(sorted, row);
      out.add(new Point(pair.ids().get(row), o.perPoint()[order[i]], metadata(a, row), ids(la, q, pair), ids(lb, q, pair)));
    }
    return out;
  }

  static String text(List<Point> points, Space a, Space b) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "The %d points with the lowest Jaccard (neighbours nearest first):%n", points.size()));
    for (Point p : points) {
      sb.append(String.format(Locale.ROOT, "  %s  Jaccard %.4f", p.id(), p.jaccard()));
      p.metadata().forEach((k, v) -> sb.append("  ").append(k).append('=').append(shorten(v)));
      sb.append(String.format(Locale.ROOT, "%n    in A (%s): %s%n    in B (%s): %s%n", a.name(), String.join(", ", p.neighboursA()),
          b.name(), String.join(", ", p.neighboursB())));
    }
    return sb.toString();
  }

  /** Writes id, jaccard and the metadata columns of every query point, in row order. */
  static void writePerPoint(Path file, ComparisonOutcome o, Space a) throws IOException {
    // Columns in name order, as the stores list them (a loaded space's column map carries no order of its own).
    List<String> cols = new ArrayList<>(new java.util.TreeSet<>(a.columns().keySet()));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      List<String> head = new ArrayList<>(List.of("id", "jaccard"));
      head.addAll(cols);
      w.write(csvLine(head));
      for (int q = 0; q < o.queryRows().length; q++) {
        int row = o.queryRows()[q];
        List<String> cells = new ArrayList<>(List.of(a.ids().get(row), String.format(Locale.ROOT, "%.6f", o.perPoint()[q])));
        for (String c : cols) cells.add(a.columns().get(c).get(row));
        w.write(csvLine(cells));
      }
    }
  }

  private static Map<String, String> metadata(Space a, int row) {
    Map<String, String> m = new java.util.TreeMap<>();
    a.columns().forEach((c, v) -> m.put(c, v.get(row)));
    return m;
  }

  private static List<String> ids(KnnLists l, int q, AlignedPair pair) {
    List<String> out = new ArrayList<>(l.k());
    for (int j = 0; j < l.k(); j++) out.add(pair.ids().get(l.neighbours()[q * l.k() + j]));
    return out;
  }

  private static String shorten(String v) {
    if (v == null) return "-";
    String one = v.replace('\n', ' ');
    return one.length() > 60 ? one.substring(0, 59) + "…" : one;
  }

  /** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
  private static String csvLine(List<String> cells) {
    StringBuilder sb = new StringBuilder();
    for (String c : cells) {
      if (!sb.isEmpty()) sb.append(',');
      String v = c == null ? "" : c;
      if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) sb.append('"').append(v.replace("\"", "\"\"")).append('"');
      else sb.append(v);
    }
    return sb.append("\r\n").toString();
  }
}
