package io.vectory.core.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real pair (all-MiniLM-L6-v2 and its quantised twin over 600 real texts) equals the
 * independent NumPy brute force pinned in src/test/resources/real/reference-k10.json: mean to 1e-4 (it is in
 * fact equal to ~1e-15), histograms exactly. No Python needed.
 */
class RealPairReferenceTest {
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
    JsonNode json = new ObjectMapper().readTree(resource("reference-k10.json").toFile());
    List<Case> cases = new ArrayList<>();
    for (JsonNode c : json.get("cases")) {
      long[] h = new long[c.get("histogram").size()];
      for (int i = 0; i < h.length; i++) h[i] = c.get("histogram").get(i).asLong();
      cases.add(new Case(Metric.parse(c.get("metric").asText()), c.get("include_self").asBoolean(), c.path("scaled_rows").asBoolean(false),
          c.get("mean_jaccard").asDouble(), h));
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
    assertTrue(json.get("cka").isNumber(), "the reference carries cka");
    assertEquals(json.get("cka").asDouble(), LinearCka.compute(a, b), 1e-5);
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
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode live = (ObjectNode) mapper.readTree(out.toFile());
    ObjectNode pinned = (ObjectNode) mapper.readTree(resource("reference-k10.json").toFile());
    assertTrue(live.get("cka").isNumber() && pinned.get("cka").isNumber(), "both files carry cka");
    assertEquals(pinned.get("cka").asDouble(), live.get("cka").asDouble(), 1e-12, "cka");
    for (ObjectNode o : List.of(live, pinned)) o.remove(List.of("cka", "source"));
    assertEquals(pinned, live, "the pinned reference is what reference.py computes today");
    Files.deleteIfExists(out);
  }
}
