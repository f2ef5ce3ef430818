package io.vectory.app.demo;

import io.vectory.app.Png;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Mean k-NN Jaccard over training, two series (with the previous checkpoint, with the first), drawn in the terminal
 * with Unicode and as a PNG (java.awt, headless). Steps with a drift alert are marked.
 */
public final class JaccardChart {
  private static final int ROWS = 10; // 0.0 .. 1.0 in steps of 0.1, one text row per 0.1
  private static final char PREV = '●', FIRST = '○', BOTH = '◉';

  private final String title;
  private final SortedMap<Long, Double> previous, first;
  private final Set<Long> alerts;

  public JaccardChart(String title, SortedMap<Long, Double> previous, SortedMap<Long, Double> first, Set<Long> alerts) {
    this.title = title;
    this.previous = previous;
    this.first = first;
    this.alerts = alerts;
  }

  private List<Long> steps() {
    TreeSet<Long> s = new TreeSet<>(previous.keySet());
    s.addAll(first.keySet());
    return new ArrayList<>(s);
  }

  private static int row(double v) {
    return (int) Math.round(Math.max(0, Math.min(1, v)) * ROWS);
  }

  /** The chart as lines of text: y axis 0–1, one column per step. */
  public String toText() {
    List<Long> steps = steps();
    int cw = 5; // column width
    StringBuilder b = new StringBuilder();
    b.append(title).append('\n');
    for (int r = ROWS; r >= 0; r--) {
      b.append(r % 2 == 0 ? String.format("%4.1f ┤", r / (double) ROWS) : "     │");
      for (long s : steps) {
        Double p = previous.get(s), f = first.get(s);
        boolean hp = p != null && row(p) == r, hf = f != null && row(f) == r;
        char c = hp && hf ? BOTH : hp ? PREV : hf ? FIRST : ' ';
        b.append("  ").append(c).append("  ");
      }
      b.append('\n');
    }
    b.append("     └");
    b.append("─".repeat(steps.size() * cw)).append('\n');
    b.append("  step");
    for (long s : steps) b.append(String.format("%3d  ", s));
    b.append('\n');
    if (steps.stream().anyMatch(alerts::contains)) {
      b.append("      ");
      for (long s : steps) b.append(alerts.contains(s) ? "  ⚠  " : "     ");
      b.append(" drift alert\n");
    }
    b.append("  ").append(PREV).append(" Jaccard with the previous checkpoint   ").append(FIRST)
        .append(" with the first   ").append(BOTH).append(" both\n");
    return b.toString();
  }

  /** Writes the chart as a PNG and returns the path. */
  public Path writePng(Path file) throws IOException {
    int w = 960, h = 540, left = 80, right = 30, top = 60, bottom = 80;
    Png.write(file, w, h, g -> {
      List<Long> steps = steps();
      long minStep = steps.isEmpty() ? 0 : steps.getFirst(), maxStep = steps.isEmpty() ? 1 : steps.getLast();
      if (maxStep == minStep) maxStep = minStep + 1;
      int pw = w - left - right, ph = h - top - bottom;
      final long x0 = minStep, x1 = maxStep;
      // Half a step of room at each end, so the first and last points sit inside the frame.
      java.util.function.LongToIntFunction px = s -> left + (int) Math.round((s - x0 + 0.5) / (double) (x1 - x0 + 1) * pw);
      java.util.function.DoubleToIntFunction py = v -> top + (int) Math.round((1 - Math.max(0, Math.min(1, v))) * ph);

      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.setColor(Color.DARK_GRAY);
      g.drawString(title, left, 35);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      FontMetrics fm = g.getFontMetrics();
      // Grid and y labels.
      for (int i = 0; i <= 10; i++) {
        double v = i / 10.0;
        int y = py.applyAsInt(v);
        g.setColor(new Color(230, 230, 230));
        g.drawLine(left, y, left + pw, y);
        g.setColor(Color.GRAY);
        String s = String.format("%.1f", v);
        g.drawString(s, left - 10 - fm.stringWidth(s), y + 4);
      }
      // Drift markers behind the lines.
      for (long s : alerts) {
        int x = px.applyAsInt(s);
        g.setColor(new Color(255, 225, 225));
        g.fillRect(x - 12, top, 24, ph);
        g.setColor(new Color(200, 40, 40));
        g.drawString("drift alert", x - fm.stringWidth("drift alert") / 2, top - 6);
      }
      // x axis.
      g.setColor(Color.GRAY);
      g.drawLine(left, top + ph, left + pw, top + ph);
      for (long s : steps) {
        int x = px.applyAsInt(s);
        g.drawLine(x, top + ph, x, top + ph + 5);
        String lbl = Long.toString(s);
        g.drawString(lbl, x - fm.stringWidth(lbl) / 2, top + ph + 20);
      }
      g.drawString("training step (epoch)", left + pw / 2 - fm.stringWidth("training step (epoch)") / 2, top + ph + 42);
      Graphics2D gy = (Graphics2D) g.create();
      gy.rotate(-Math.PI / 2);
      gy.drawString("mean k-NN Jaccard", -(top + ph / 2) - fm.stringWidth("mean k-NN Jaccard") / 2, 22);
      gy.dispose();
      series(g, previous, px, py, new Color(31, 119, 180), true);
      series(g, first, px, py, new Color(255, 127, 14), false);
      // Legend.
      int lx = left + pw - 330, ly = h - 22;
      g.setColor(new Color(31, 119, 180));
      g.fillOval(lx, ly - 9, 10, 10);
      g.setColor(Color.DARK_GRAY);
      g.drawString("with the previous checkpoint", lx + 16, ly);
      g.setColor(new Color(255, 127, 14));
      g.drawOval(lx + 210, ly - 9, 10, 10);
      g.setColor(Color.DARK_GRAY);
      g.drawString("with the first", lx + 226, ly);
    });
    return file;
  }

  private static void series(Graphics2D g, SortedMap<Long, Double> s, java.util.function.LongToIntFunction px,
                             java.util.function.DoubleToIntFunction py, Color color, boolean filled) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2.5f));
    Integer lx = null, ly = null;
    for (var e : s.entrySet()) {
      int x = px.applyAsInt(e.getKey()), y = py.applyAsInt(e.getValue());
      if (lx != null) g.drawLine(lx, ly, x, y);
      lx = x;
      ly = y;
    }
    for (var e : s.entrySet()) {
      int x = px.applyAsInt(e.getKey()), y = py.applyAsInt(e.getValue());
      if (filled) {
        g.fillOval(x - 5, y - 5, 10, 10);
      } else {
        g.setColor(Color.WHITE);
        g.fillOval(x - 5, y - 5, 10, 10);
        g.setColor(color);
        g.drawOval(x - 5, y - 5, 10, 10);
      }
    }
  }
}
