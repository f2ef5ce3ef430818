package io.vectory.app.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a report as a PNG (java.awt, headless) or a self-contained HTML page with inline SVG. Both use the same
 * layout: Jaccard over training on the left (previous and first lines, steps on x, Jaccard 0–1 on y), the histogram
 * of the latest comparison with the previous checkpoint on the right.
 */
public final class ReportChart {
  public static final int WIDTH = 1100;
  public static final int HEIGHT = 520;
  /** The plot area of the Jaccard chart. */
  static final int LEFT = 70, RIGHT = 680, TOP = 70, BOTTOM = 450;
  /** The plot area of the histogram. */
  static final int H_LEFT = 750, H_RIGHT = 1070;
  public static final Color PREVIOUS = new Color(0x1f, 0x77, 0xb4);
  public static final Color FIRST = new Color(0xff, 0x7f, 0x0e);
  static final Color BARS = new Color(0x5b, 0x8d, 0x5b);

  private ReportChart() {}

  /** The x pixel of a training step in the Jaccard chart. */
  public static int xOf(ReportData d, long step) {
    long lo = d.minStep();
    long hi = d.maxStep();
    if (hi == lo) return (LEFT + RIGHT) / 2;
    return (int) Math.round(LEFT + 10 + (double) (step - lo) / (hi - lo) * (RIGHT - LEFT - 20));
  }

  /** The y pixel of a Jaccard value in [0, 1]. */
  public static int yOf(double jaccard) {
    return (int) Math.round(BOTTOM - jaccard * (BOTTOM - TOP));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String title(ReportData d) {
    return "Jaccard over training: " + d.experiment() + " / " + d.space();
  }

  private static String histTitle(ReportData d) {
    return d.latest() == null ? "No comparison with the previous checkpoint yet"
        : "Latest: step " + d.latest().step() + " vs " + d.latest().referenceStep() + " (mean " + fmt(d.latest().meanJaccard()) + ")";
  }

  /** Step labels: at most about ten, evenly picked from the plotted steps. */
  private static List<Long> stepTicks(ReportData d) {
    List<Long> steps = java.util.stream.Stream.concat(d.previous().stream(), d.first().stream())
        .map(ReportData.Point::step).distinct().sorted().toList();
    int every = Math.max(1, (steps.size() + 9) / 10);
    List<Long> out = new java.util.ArrayList<>();
    for (int i = 0; i < steps.size(); i += every) out.add(steps.get(i));
    if (!steps.isEmpty() && !out.contains(steps.getLast())) out.add(steps.getLast());
    return out;
  }

  /** One bar of the latest comparison's histogram, placed the same in the PNG and the SVG. */
  private record Bar(int bin, long count, int x, int width, int height) {}

  private static List<Bar> bars(ReportData d) {
    long[] h = d.latest().histogram();
    long max = 1;
    for (long c : h) max = Math.max(max, c);
    double w = (H_RIGHT - H_LEFT) / 10.0;
    List<Bar> bars = new ArrayList<>(10);
    for (int i = 0; i < 10; i++) {
      bars.add(new Bar(i, h[i], (int) Math.round(H_LEFT + i * w + 2), (int) w - 4, (int) Math.round((double) h[i] / max * (BOTTOM - TOP - 20))));
    }
    return bars;
  }

  public static void writePng(ReportData d, Path out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
      g.drawString(title(d), LEFT, 30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(d.settings(), LEFT, 50);
      // Axes and grid.
      for (int i = 0; i <= 5; i++) {
        double v = i / 5.0;
        int y = yOf(v);
        g.setColor(new Color(0xe6, 0xe6, 0xe6));
        g.drawLine(LEFT, y, RIGHT, y);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "%.1f", v), LEFT - 30, y + 4);
      }
      g.setColor(Color.BLACK);
      g.drawLine(LEFT, BOTTOM, RIGHT, BOTTOM);
      g.drawLine(LEFT, TOP, LEFT, BOTTOM);
      for (long s : stepTicks(d)) {
        int x = xOf(d, s);
        g.drawLine(x, BOTTOM, x, BOTTOM + 5);
        String label = Long.toString(s);
        g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, BOTTOM + 20);
      }
      g.drawString("training step", (LEFT + RIGHT) / 2 - 35, BOTTOM + 40);
      Graphics2D rotated = (Graphics2D) g.create();
      rotated.rotate(-Math.PI / 2);
      rotated.drawString("mean k-NN Jaccard", -(TOP + BOTTOM) / 2 - 50, LEFT - 45);
      rotated.dispose();
      // Lines, then points on top.
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      line(g, d, d.first(), FIRST);
      line(g, d, d.previous(), PREVIOUS);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
      // Legend.
      g.setColor(PREVIOUS);
      g.fillRect(RIGHT - 230, TOP + 8, 14, 4);
      g.setColor(Color.BLACK);
      g.drawString("with the previous checkpoint", RIGHT - 210, TOP + 14);
      g.setColor(FIRST);
      g.fillRect(RIGHT - 230, TOP + 26, 14, 4);
      g.setColor(Color.BLACK);
      g.drawString("with the first checkpoint", RIGHT - 210, TOP + 32);
      // Histogram.
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      g.drawString("Histogram of coincidence", H_LEFT, 30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(histTitle(d), H_LEFT, 50);
      g.drawLine(H_LEFT, BOTTOM, H_RIGHT, BOTTOM);
      if (d.latest() != null) {
        for (Bar b : bars(d)) {
          g.setColor(BARS);
          g.fillRect(b.x(), BOTTOM - b.height(), b.width(), b.height());
          g.setColor(Color.BLACK);
          String c = Long.toString(b.count());
          g.drawString(c, b.x() + (b.width() - g.getFontMetrics().stringWidth(c)) / 2, BOTTOM - b.height() - 4);
          if (b.bin() % 2 == 0) g.drawString(String.format(Locale.ROOT, "%.1f", b.bin() / 10.0), b.x() - 6, BOTTOM + 20);
        }
        g.drawString("1.0", H_RIGHT - 10, BOTTOM + 20);
        g.drawString("per-point Jaccard (points per bin)", H_LEFT + 50, BOTTOM + 40);
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", out.toFile())) throw new IOException("no PNG writer");
  }

  private static void line(Graphics2D g, ReportData d, List<ReportData.Point> pts, Color c) {
    g.setColor(c);
    g.setStroke(new BasicStroke(2.5f));
    for (int i = 1; i < pts.size(); i++) {
      g.drawLine(xOf(d, pts.get(i - 1).step()), yOf(pts.get(i - 1).meanJaccard()), xOf(d, pts.get(i).step()), yOf(pts.get(i).meanJaccard()));
    }
    g.setStroke(new BasicStroke(1f));
    for (ReportData.Point p : pts) g.fillOval(xOf(d, p.step()) - 5, yOf(p.meanJaccard()) - 5, 10, 10);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String hex(Color c) {
    return String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }

  public static void writeHtml(ReportData d, Path out) throws IOException {
    StringBuilder s = new StringBuilder();
    s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title(d)))
        .append("</title></head>\n<body style=\"font-family: sans-serif\">\n");
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append("<text x=\"").append(LEFT).append("\" y=\"30\" font-size=\"17\" font-weight=\"bold\">").append(esc(title(d))).append("</text>\n");
    s.append("<text x=\"").append(LEFT).append("\" y=\"50\">").append(esc(d.settings())).append("</text>\n");
    for (int i = 0; i <= 5; i++) {
      int y = yOf(i / 5.0);
      s.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(RIGHT).append("\" y1=\"").append(y).append("\" y2=\"").append(y)
          .append("\" stroke=\"#e6e6e6\"/><text x=\"").append(LEFT - 30).append("\" y=\"").append(y + 4).append("\">")
          .append(String.format(Locale.ROOT, "%.1f", i / 5.0)).append("</text>\n");
    }
    s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(BOTTOM).append("\" x2=\"").append(RIGHT).append("\" y2=\"").append(BOTTOM).append("\" stroke=\"black\"/>\n");
    s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT).append("\" y2=\"").append(BOTTOM).append("\" stroke=\"black\"/>\n");
    for (long st : stepTicks(d)) {
      s.append("<text x=\"").append(xOf(d, st)).append("\" y=\"").append(BOTTOM + 20).append("\" text-anchor=\"middle\">").append(st).append("</text>\n");
    }
    s.append("<text x=\"").append((LEFT + RIGHT) / 2).append("\" y=\"").append(BOTTOM + 40).append("\" text-anchor=\"middle\">training step</text>\n");
    s.append("<text transform=\"rotate(-90)\" x=\"").append(-(TOP + BOTTOM) / 2).append("\" y=\"").append(LEFT - 45)
        .append("\" text-anchor=\"middle\">mean k-NN Jaccard</text>\n");
    svgLine(s, d, d.first(), "first", FIRST);
    svgLine(s, d, d.previous(), "previous", PREVIOUS);
    s.append("<rect x=\"").append(RIGHT - 230).append("\" y=\"").append(TOP + 8).append("\" width=\"14\" height=\"4\" fill=\"").append(hex(PREVIOUS)).append("\"/>")
        .append("<text x=\"").append(RIGHT - 210).append("\" y=\"").append(TOP + 14).append("\">with the previous checkpoint</text>\n");
    s.append("<rect x=\"").append(RIGHT - 230).append("\" y=\"").append(TOP + 26).append("\" width=\"14\" height=\"4\" fill=\"").append(hex(FIRST)).append("\"/>")
        .append("<text x=\"").append(RIGHT - 210).append("\" y=\"").append(TOP + 32).append("\">with the first checkpoint</text>\n");
    s.append("<text x=\"").append(H_LEFT).append("\" y=\"30\" font-size=\"13\" font-weight=\"bold\">Histogram of coincidence</text>\n");
    s.append("<text x=\"").append(H_LEFT).append("\" y=\"50\">").append(esc(histTitle(d))).append("</text>\n");
    s.append("<line x1=\"").append(H_LEFT).append("\" y1=\"").append(BOTTOM).append("\" x2=\"").append(H_RIGHT).append("\" y2=\"").append(BOTTOM).append("\" stroke=\"black\"/>\n");
    if (d.latest() != null) {
      for (Bar b : bars(d)) {
        int i = b.bin();
        s.append("<rect class=\"bin\" data-bin=\"").append(i).append("\" data-count=\"").append(b.count()).append("\" x=\"").append(b.x())
            .append("\" y=\"").append(BOTTOM - b.height()).append("\" width=\"").append(b.width()).append("\" height=\"").append(b.height())
            .append("\" fill=\"").append(hex(BARS)).append("\"><title>[").append(String.format(Locale.ROOT, "%.1f, %.1f", i / 10.0, (i + 1) / 10.0))
            .append(i == 9 ? "]" : ")").append(": ").append(b.count()).append(" points</title></rect>")
            .append("<text x=\"").append(b.x() + b.width() / 2).append("\" y=\"").append(BOTTOM - b.height() - 4).append("\" text-anchor=\"middle\">").append(b.count()).append("</text>\n");
      }
      s.append("<text x=\"").append((H_LEFT + H_RIGHT) / 2).append("\" y=\"").append(BOTTOM + 40).append("\" text-anchor=\"middle\">per-point Jaccard, bins of 0.1 (points per bin)</text>\n");
    }
    s.append("</svg>\n</body></html>\n");
    Files.writeString(out, s.toString(), StandardCharsets.UTF_8);
  }

  private static void svgLine(StringBuilder s, ReportData d, List<ReportData.Point> pts, String relation, Color c) {
    StringBuilder path = new StringBuilder();
    for (ReportData.Point p : pts) path.append(path.isEmpty() ? "" : " ").append(xOf(d, p.step())).append(',').append(yOf(p.meanJaccard()));
    s.append("<polyline fill=\"none\" stroke=\"").append(hex(c)).append("\" stroke-width=\"2.5\" points=\"").append(path).append("\"/>\n");
    for (ReportData.Point p : pts) {
      s.append("<circle class=\"point ").append(relation).append("\" data-step=\"").append(p.step()).append("\" data-jaccard=\"")
          .append(fmt(p.meanJaccard())).append("\" cx=\"").append(xOf(d, p.step())).append("\" cy=\"").append(yOf(p.meanJaccard()))
          .append("\" r=\"5\" fill=\"").append(hex(c)).append("\"><title>step ").append(p.step()).append(" vs ").append(p.referenceStep())
          .append(": ").append(fmt(p.meanJaccard())).append(p.cka() == null ? "" : ", CKA " + fmt(p.cka())).append("</title></circle>\n");
    }
  }
}
