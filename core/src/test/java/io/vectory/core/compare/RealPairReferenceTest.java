package io.vectory.core.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real pair (all-MiniLM-L6-v2 and its quantised twin over 600 real texts) equals the
 * independent NumPy brute force pinned in src/test/resources/real/reference-k10.json: mean to 1e-4 (it is in
 * fact equal to ~1e-15), histograms exactly. No Python needed.
 */
class RealPairReferenceTest {
  private static final Pattern CASE = Pattern.compile(
      "\\{\\s*\"metric\": \"(\\w+)\", \"include_self\": (true|false), (?:\"scaled_rows\": true, )?\"mean_jaccard\": ([0-9.eE-]+), \"histogram\": \\[([0-9, ]+)\\]\\s*\\}");

  record Case(Metric metric, boolean self, boolean scaled, double mean, long[] histogram) {}

  static Path resource(String name) throws URISyntaxException {
    return Path.of(RealPairReferenceTest.class.getResource("/real/" + name).toURI());
  }

  @Test
  void meanAndHistogramEqualTheNumpyReference() throws Exception {
    FloatMatrix a = Npy.read(resource("minilm.npy")).toFloatMatrix();
    FloatMatrix b = Npy.read(resource("minilm-q.npy")).toFloatMatrix();
    assertEquals(600, a.rows());
    assertEquals(384, a.cols());
    String json = Files.readString(resource("reference-k10.json")).replaceAll("\\s+", " ").replace("[ ", "[").replace(" ]", "]");
    List<Case> cases = new ArrayList<>();
    Matcher m = CASE.matcher(json);
    while (m.find()) {
      long[] h = Arrays.stream(m.group(4).split(",")).map(String::strip).mapToLong(Long::parseLong).toArray();
      cases.add(new Case(Metric.parse(m.group(1)), Boolean.parseBoolean(m.group(2)), m.group(0).contains("scaled_rows"),
          Double.parseDouble(m.group(3)), h));
    }
    assertEquals(6, cases.size(), "six reference cases in the JSON");
    for (Case c : cases) {
      FloatMatrix x = c.scaled() ? scaled(a) : a;
      FloatMatrix y = c.scaled() ? scaled(b) : b;
      ComparisonOutcome o = SpaceComparator.compare(x, y,
          new CompareOptions(10, c.metric(), c.metric(), c.self(), 0, 42), ProgressListener.NONE);
      String what = c.metric() + " self=" + c.self() + " scaled=" + c.scaled();
      assertEquals(c.mean(), o.meanJaccard(), 1e-4, what);
      assertArrayEquals(c.histogram(), o.histogram(), what);
    }
    Matcher cka = Pattern.compile("\"cka\": ([0-9.eE-]+)").matcher(json);
    assertTrue(cka.find());
    assertEquals(Double.parseDouble(cka.group(1)), LinearCka.compute(a, b), 1e-5);
  }

  /** Rows times 1 + (i mod 7)/4, in float32, as reference.py does. */
  static FloatMatrix scaled(FloatMatrix m) {
    float[] v = m.data().clone();
    for (int r = 0; r < m.rows(); r++) {
      float s = (float) (1.0 + (r % 7) / 4.0);
      for (int c = 0; c < m.cols(); c++) v[r * m.cols() + c] *= s;
    }
    return FloatMatrix.wrap(m.rows(), m.cols(), v);
  }

  @Test
  void agreesWithALiveNumpyRunWhenPresent() throws IOException, InterruptedException, URISyntaxException {
    Path py = Path.of("/usr/bin/python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(py), "no /usr/bin/python3 for the live cross-check");
    Path script = Path.of("../bench/compare/reference.py");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(script), "bench/compare/reference.py not found from " + Path.of("").toAbsolutePath());
    Path out = Files.createTempFile("reference", ".json");
    ProcessBuilder pb = new ProcessBuilder(py.toString(), script.toString(), resource("minilm.npy").toString(),
        resource("minilm-q.npy").toString(), "10", out.toString()).redirectErrorStream(true);
    pb.environment().remove("OPENBLAS_CORETYPE");
    pb.environment().remove("OPENBLAS_L2_SIZE");
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes());
    org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "numpy not usable: " + log);
    // CKA's last digits depend on the BLAS build's summation order: compare it to 1e-12, everything else exactly.
    Pattern ckaField = Pattern.compile("\"cka\": ([0-9.eE+-]+)");
    String live = Files.readString(out).replaceAll("\"source\": \"[^\"]*\"", "");
    String pinned = Files.readString(resource("reference-k10.json")).replaceAll("\"source\": \"[^\"]*\"", "");
    Matcher liveCka = ckaField.matcher(live), pinnedCka = ckaField.matcher(pinned);
    assertTrue(liveCka.find() && pinnedCka.find(), "both files carry cka");
    assertEquals(Double.parseDouble(pinnedCka.group(1)), Double.parseDouble(liveCka.group(1)), 1e-12, "cka");
    assertEquals(ckaField.matcher(pinned).replaceAll("").replaceAll("\\s+", ""), ckaField.matcher(live).replaceAll("").replaceAll("\\s+", ""),
        "the pinned reference is what reference.py computes today");
    Files.deleteIfExists(out);
  }
}
