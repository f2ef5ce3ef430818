package io.vectory.app.compare;

import io.vectory.core.compare.NoisyPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vectory compare` through the real command line: outputs, and a non-zero exit with a clear message on bad input. */
class CompareCommandTest {
  @TempDir Path dir;
  Path a;
  Path b;
  Path csv;

  record Run(int code, String out, String err) {}

  Run run(String... args) {
    CommandLine cl = VectoryCli.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] full = new String[args.length + 1];
    full[0] = "compare";
    System.arraycopy(args, 0, full, 1, args.length);
    int code = cl.execute(full);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void spaces() throws Exception {
    Random r = new Random(3);
    int n = 120;
    float[] va = new float[n * 16];
    float[] vb = new float[n * 24];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 16; p++) va[i * 16 + p] = (float) r.nextGaussian();
      for (int p = 0; p < 24; p++) vb[i * 24 + p] = p < 16 ? va[i * 16 + p] + 0.5f * (float) r.nextGaussian() : (float) r.nextGaussian();
    }
    a = dir.resolve("a.npy");
    b = dir.resolve("b.npy");
    Npy.write(a, FloatMatrix.wrap(n, 16, va));
    Npy.write(b, FloatMatrix.wrap(n, 24, vb));
    StringBuilder sb = new StringBuilder("id,label\n");
    for (int i = 0; i < n; i++) sb.append("p").append(i).append(',').append(i % 3 == 0 ? "fizz" : "other").append('\n');
    csv = dir.resolve("meta.csv");
    Files.writeString(csv, sb.toString());
  }

  @Test
  void textReportStatesTheMethodAndDrawsTheHistogram() {
    Run r = run(a.toString(), b.toString(), "-k", "5");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("(?s).*The mean of the Jaccard similarity for each query is 0\\.\\d{4}\n.*"), r.out());
    assertTrue(r.out().contains("k = 5 nearest neighbours, cosine in A and cosine in B, a point is not its own neighbour,"
        + " ties broken by lower row index"), r.out());
    assertTrue(r.out().contains("Linear CKA"), r.out());
    assertEquals(10, Pattern.compile("^  \\d\\.\\d-\\d\\.\\d[)\\]] .* \\d+$", Pattern.MULTILINE).matcher(r.out()).results().count(), r.out());
  }

  @Test
  void jsonHasTheContractFieldsAndAgreesWithText() {
    Run r = run(a.toString(), b.toString(), "-k", "5", "--json", "-ma", "euclidean", "--include-self",
        "-d", csv.toString(), "--id-field", "id", "--label-field", "label");
    assertEquals(0, r.code(), r.err());
    com.fasterxml.jackson.databind.JsonNode j = json(r.out());
    assertEquals(120, j.get("n").asInt());
    assertEquals(5, j.get("k").asInt());
    assertEquals("euclidean", j.get("metric_a").asText());
    assertEquals("cosine", j.get("metric_b").asText());
    assertTrue(j.get("include_self").asBoolean());
    assertTrue(j.get("exact").asBoolean());
    assertTrue(j.get("mean_jaccard").isNumber() && j.get("cka").isNumber() && j.get("seconds").isNumber(), j.toString());
    assertTrue(j.get("label_means").get("fizz").isNumber(), j.toString());
    assertEquals(2, j.get("knn_passes").asInt(), "files have no kept lists: " + j);
    long total = 0;
    for (var c : j.get("histogram")) total += c.asLong();
    assertEquals(120, total);
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String s) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  @Test
  void sampleReportsAConfidenceInterval() {
    Run r = run(a.toString(), b.toString(), "--json", "--sample", "40", "--seed", "9");
    assertEquals(0, r.code(), r.err());
    var j = json(r.out());
    assertTrue(!j.get("exact").asBoolean() && j.get("queries").asInt() == 40 && j.get("ci").size() == 2, r.out());
  }

  @Test
  void sampleAutoPicksTheQueriesForTheAskedHalfWidth() throws Exception {
    int n = 3000;
    NoisyPair pair = NoisyPair.of(n, 6, 0.3f, 8);
    Path big = dir.resolve("big-a.npy");
    Path bigB = dir.resolve("big-b.npy");
    Npy.write(big, pair.a());
    Npy.write(bigB, pair.b());
    Run r1 = run(big.toString(), bigB.toString(), "--json", "--sample", "auto", "--ci", "0.01");
    assertEquals(0, r1.code(), r1.err());
    var j = json(r1.out());
    double half = (j.get("ci").get(1).asDouble() - j.get("ci").get(0).asDouble()) / 2;
    assertTrue(!j.get("exact").asBoolean() && half <= 0.01 && j.get("ci_half_width_target").asDouble() == 0.01, r1.out());
    int m = j.get("queries").asInt();
    assertTrue(m > 400 && m < n / 2, r1.out());
    Run text = run(big.toString(), bigB.toString(), "--ci", "0.01");
    assertTrue(text.out().contains("--sample auto: " + m + " queries for a half-width of at most 0.01; --sample " + m), text.out());

    Run bad = run(big.toString(), bigB.toString(), "--sample", "many");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--sample must be 0 (all points), a number of query points or 'auto', got 'many'"), bad.err());
    Run both = run(big.toString(), bigB.toString(), "--sample", "40", "--ci", "0.01");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("--ci goes with --sample auto"), both.err());
    Run wide = run(big.toString(), bigB.toString(), "--sample", "auto", "--ci", "1.5");
    assertEquals(2, wide.code());
    assertTrue(wide.err().contains("--ci must be a half-width between 0 and 1"), wide.err());
  }

  @Test
  void histogramPngIsWritten() throws Exception {
    Path png = dir.resolve("h.png");
    Run r = run(a.toString(), b.toString(), "--histogram=" + png);
    assertEquals(0, r.code(), r.err());
    var img = ImageIO.read(png.toFile());
    assertEquals(900, img.getWidth());
  }

  @Test
  void badInputNamesTheFileOrFieldAndExitsNonZero() throws Exception {
    Path bad = dir.resolve("bad.npy");
    Files.writeString(bad, "not numpy at all");
    Run r1 = run(bad.toString(), b.toString());
    assertEquals(2, r1.code());
    assertTrue(r1.err().contains(bad + ": not a NumPy .npy file: bad magic string"), r1.err());
    assertTrue(!r1.err().contains("Exception") && !r1.err().contains("\tat "), "no stack trace: " + r1.err());

    Run r2 = run(a.toString(), b.toString(), "-d", csv.toString(), "--label-field", "colour");
    assertEquals(2, r2.code());
    assertTrue(r2.err().contains(csv + ": no field 'colour'; the header has [id, label]"), r2.err());

    Run r3 = run(dir.resolve("missing.npy").toString(), b.toString());
    assertEquals(2, r3.code());
    assertTrue(r3.err().contains("missing.npy: no such file"), r3.err());

    Run r4 = run(a.toString(), b.toString(), "-k", "120");
    assertEquals(2, r4.code());
    assertTrue(r4.err().contains("-k must be between 1 and n - 1 = 119, got 120"), r4.err());

    float[] z = new float[3 * 4];
    z[0] = 1;
    z[11] = 1;
    Path zero = dir.resolve("zero.npy");
    Npy.write(zero, FloatMatrix.wrap(3, 4, z));
    Run r5 = run(zero.toString(), zero.toString(), "-k", "1");
    assertEquals(2, r5.code());
    assertTrue(r5.err().contains(zero + ": row 1 (id '1') is a zero vector; cosine distance is undefined"), r5.err());
  }

  @Test
  void theEarlyWarmUpStartsOnlyForTwoNpyFilesOfALargeJob() throws Exception {
    Path smallA = dir.resolve("small-a.npy"), smallB = dir.resolve("small-b.npy");
    Path largeA = dir.resolve("large-a.npy"), largeB = dir.resolve("large-b.npy");
    Npy.write(smallA, FloatMatrix.wrap(600, 16, new float[600 * 16]));
    Npy.write(smallB, FloatMatrix.wrap(600, 16, new float[600 * 16]));
    // 3,000 × 512: half of 3,000² × 512 multiply-adds is 2.3·10⁹, above the scalar kernel's 5·10⁸.
    Npy.write(largeA, FloatMatrix.wrap(3000, 512, new float[3000 * 512]));
    Npy.write(largeB, FloatMatrix.wrap(3000, 512, new float[3000 * 512]));
    assertEquals(null, CompareCommand.warmUpEarly(new String[] {"compare", smallA.toString(), smallB.toString()}));
    assertEquals(null, CompareCommand.warmUpEarly(new String[] {"compare", largeA.toString(), largeB.toString(), "--sample", "auto"}));
    assertEquals(null, CompareCommand.warmUpEarly(new String[] {"compare", largeA.toString(), "experiment/space@1"}));
    assertEquals(null, CompareCommand.warmUpEarly(new String[] {"compare", largeA.toString(), dir.resolve("missing.npy").toString()}));
    Thread t = CompareCommand.warmUpEarly(new String[] {"compare", "-k", "5", largeA.toString(), largeB.toString()});
    assertTrue(t != null && t.isDaemon(), "two large .npy files start a daemon warm-up");
    t.join(60_000);
    assertTrue(!t.isAlive(), "the warm-up ends on its own");
  }
}
