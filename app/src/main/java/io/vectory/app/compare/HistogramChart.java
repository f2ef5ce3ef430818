package io.vectory.app.compare;

import io.vectory.app.Png;
import io.vectory.core.compare.ComparisonOutcome;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** The per-query Jaccard histogram as a PNG bar chart (java.awt, headless). */
final class HistogramChart {
  private HistogramChart() {}

  static void write(Path file, ComparisonOutcome o, String subtitle) throws IOException {
    int w = 900;
    int h = 560;
    int left = 80;
    int right = 30;
    int top = 90;
    int bottom = 80;
    Png.write(file, w, h, g -> {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(String.format(Locale.ROOT, "Per-query k-NN Jaccard: mean %.4f%s, CKA %.4f", o.meanJaccard(),
          o.exact() ? "" : String.format(Locale.ROOT, " (95%% CI %.4f-%.4f)", o.ciLow(), o.ciHigh()), o.cka()), left, 32);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString(String.format(Locale.ROOT, "k=%d, %s/%s, %s, %s, ties by lower index", o.k(), o.metricA().label(),
          o.metricB().label(), o.includeSelf() ? "self included" : "self excluded",
          o.exact() ? "exact, " + o.n() + " points" : o.queryRows().length + " sampled of " + o.n()), left, 54);
      g.drawString(abbreviate(subtitle, 110), left, 72);

      long max = 1;
      for (long c : o.histogram()) max = Math.max(max, c);
      int plotW = w - left - right;
      int plotH = h - top - bottom;
      int baseY = top + plotH;
      g.setColor(new Color(0xDDDDDD));
      g.setStroke(new BasicStroke(1f));
      FontMetrics fm = g.getFontMetrics();
      for (int t = 0; t <= 4; t++) {
        int y = baseY - plotH * t / 4;
        g.setColor(new Color(0xDDDDDD));
        g.drawLine(left, y, left + plotW, y);
        g.setColor(Color.DARK_GRAY);
        String lab = Long.toString(Math.round(max * t / 4.0));
        g.drawString(lab, left - 8 - fm.stringWidth(lab), y + 5);
      }
      int slot = plotW / 10;
      for (int i = 0; i < 10; i++) {
        long c = o.histogram()[i];
        int bh = (int) Math.round((double) plotH * c / max);
        int x = left + i * slot + 6;
        g.setColor(new Color(0x3B75AF));
        g.fillRect(x, baseY - bh, slot - 12, bh);
        g.setColor(Color.BLACK);
        String cs = Long.toString(c);
        g.drawString(cs, x + (slot - 12 - fm.stringWidth(cs)) / 2, baseY - bh - 6);
        String range = String.format(Locale.ROOT, "%.1f-%.1f", i / 10.0, (i + 1) / 10.0);
        g.drawString(range, x + (slot - 12 - fm.stringWidth(range)) / 2, baseY + 18);
      }
      g.setColor(Color.BLACK);
      g.drawLine(left, baseY, left + plotW, baseY);
      String xl = "Jaccard of the k-NN sets in A and B (1.0 in the last bin)";
      g.drawString(xl, left + (plotW - fm.stringWidth(xl)) / 2, baseY + 44);
      g.rotate(-Math.PI / 2);
      g.drawString("queries", -(top + plotH / 2 + 25), 22);
    });
  }

  private static String abbreviate(String s, int n) {
    return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
  }
}
