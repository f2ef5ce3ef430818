package io.vectory.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.Metric;
import io.vectory.avro.Relation;
import io.vectory.store.EmbeddedSpaceStore;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vectory report` over results stored in the embedded store: a readable PNG and an HTML page with one point per step. */
final class ReportCommandTest {
  @TempDir static Path dir;
  static final long[] STEPS = {100, 200, 300, 400, 500, 600};
  static final double[] PREVIOUS = {0.91, 0.88, 0.86, 0.83, 0.80, 0.31};
  static final double[] FIRST = {0.91, 0.74, 0.62, 0.51, 0.42, 0.12};
  static final long[] LATEST_HIST = {40, 180, 260, 300, 180, 70, 20, 10, 5, 2};

  private static ComparisonResult result(String experiment, Relation rel, long step, long ref, double mean, long[] hist, long at) {
    List<Long> h = new ArrayList<>();
    for (long c : hist) h.add(c);
    return ComparisonResult.newBuilder().setDataset("fortunes").setModel("head")
        .setA(new CheckpointKey(experiment, "head", step)).setB(new CheckpointKey(experiment, "head", ref))
        .setRelation(rel).setK(10).setMetricA(Metric.COSINE).setMetricB(Metric.COSINE).setIncludeSelf(false).setExact(true)
        .setN(1087).setMeanJaccard(mean).setHistogram(h).setLabelMeans(Map.of()).setCka(0.9).setComputeMillis(12)
        .setComputedAt(Instant.ofEpochMilli(at)).build();
  }

  @BeforeAll
  static void store() {
    List<ComparisonResult> results = new ArrayList<>();
    long[] flat = {0, 0, 0, 0, 0, 100, 300, 400, 200, 87};
    for (int i = 0; i < STEPS.length; i++) {
      long at = 1_700_000_000_000L + i * 60_000L;
      results.add(result("exp-a", Relation.PREVIOUS, STEPS[i], i == 0 ? 0 : STEPS[i - 1], PREVIOUS[i], i == STEPS.length - 1 ? LATEST_HIST : flat, at));
      results.add(result("exp-a", Relation.FIRST, STEPS[i], 0, FIRST[i], flat, at + 1));
    }
    results.add(result("exp-b", Relation.PREVIOUS, 100, 0, 0.5, flat, 1_700_000_000_000L));
    try (EmbeddedSpaceStore s = new EmbeddedSpaceStore(dir.resolve("data"))) {
      s.putComparisons(results);
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = VectoryCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    java.io.PrintStream oldErr = System.err;
    java.io.PrintStream oldOut = System.out;
    java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream outBytes = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(errBytes, true));
    System.setOut(new java.io.PrintStream(outBytes, true));
    try {
      int exit = cli.execute(args);
      return new Run(exit, out + outBytes.toString(), err + errBytes.toString());
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
  }

  private static ReportData expectedLayout() {
    List<ReportData.Point> prev = new ArrayList<>();
    List<ReportData.Point> first = new ArrayList<>();
    for (int i = 0; i < STEPS.length; i++) {
      prev.add(new ReportData.Point(STEPS[i], 0, PREVIOUS[i], null, new long[10]));
      first.add(new ReportData.Point(STEPS[i], 0, FIRST[i], null, new long[10]));
    }
    return new ReportData("exp-a", "head", "", prev, first, null);
  }

  @Test
  void pngIsAnImageOfTheExpectedSizeWithEveryStepPlotted() throws Exception {
    Path png = dir.resolve("exp-a.png");
    Run r = run("report", "exp-a", "--data-dir", dir.resolve("data").toString(), "--out", png.toString());
    assertEquals(0, r.exit(), r.err());
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img, "not a readable PNG");
    assertEquals(ReportChart.WIDTH, img.getWidth());
    assertEquals(ReportChart.HEIGHT, img.getHeight());
    ReportData layout = expectedLayout();
    for (int i = 0; i < STEPS.length; i++) {
      int x = ReportChart.xOf(layout, STEPS[i]);
      assertEquals(ReportChart.PREVIOUS.getRGB(), img.getRGB(x, ReportChart.yOf(PREVIOUS[i])), "previous point at step " + STEPS[i]);
      if (i > 0) { // step 100 compares with step 0 both ways: the points coincide
        assertEquals(ReportChart.FIRST.getRGB(), img.getRGB(x, ReportChart.yOf(FIRST[i])), "first point at step " + STEPS[i]);
      }
      // Between the lines and away from them it is background.
      assertEquals(0xFFFFFFFF, img.getRGB(x + 1, ReportChart.yOf(0.97)), "background above the lines at step " + STEPS[i]);
    }
    assertTrue(r.out().contains("6 comparisons with the previous checkpoint, 6 with the first"), r.out());
  }

  @Test
  void htmlHasOnePointPerStepAndTheLatestHistogram() throws Exception {
    Path html = dir.resolve("exp-a.html");
    Run r = run("report", "exp-a", "--data-dir", dir.resolve("data").toString(), "--out", html.toString());
    assertEquals(0, r.exit(), r.err());
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg") && !page.contains("<script"), "self-contained page");
    for (String rel : List.of("previous", "first")) {
      Matcher m = Pattern.compile("class=\"point " + rel + "\" data-step=\"(\\d+)\" data-jaccard=\"([0-9.]+)\"").matcher(page);
      List<Long> steps = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      while (m.find()) {
        steps.add(Long.parseLong(m.group(1)));
        values.add(Double.parseDouble(m.group(2)));
      }
      assertEquals(List.of(100L, 200L, 300L, 400L, 500L, 600L), steps, rel);
      double[] want = rel.equals("previous") ? PREVIOUS : FIRST;
      for (int i = 0; i < want.length; i++) assertEquals(want[i], values.get(i), 5e-4);
    }
    Matcher bins = Pattern.compile("class=\"bin\" data-bin=\"(\\d)\" data-count=\"(\\d+)\"").matcher(page);
    long[] counts = new long[10];
    int n = 0;
    while (bins.find()) {
      counts[Integer.parseInt(bins.group(1))] = Long.parseLong(bins.group(2));
      n++;
    }
    assertEquals(10, n);
    assertArrayEquals(LATEST_HIST, counts);
    assertTrue(page.contains("Latest: step 600 vs 500"), "histogram title names the steps");
  }

  @Test
  void unknownExperimentAndBadOutputFailWithAClearMessage() {
    Run none = run("report", "nope", "--data-dir", dir.resolve("data").toString(), "--out", dir.resolve("n.png").toString());
    assertEquals(1, none.exit());
    assertTrue(none.err().contains("no comparison results for experiment 'nope'"), none.err());
    Run bad = run("report", "exp-a", "--data-dir", dir.resolve("data").toString(), "--out", dir.resolve("x.txt").toString());
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("expected a file ending in .png or .html"), bad.err());
  }
}
