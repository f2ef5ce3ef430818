package io.vectory.app.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.app.VectoryCli;
import io.vectory.app.web.StoreFixtures;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.EmbeddedSpaceStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vectory compare` on registered names (experiment/space@step) in an embedded store under --data-dir. */
class CompareRegisteredSpacesTest {
  @TempDir Path dir;

  @Test
  void comparesTwoStoredCheckpointsLikeTheEngine() throws Exception {
    // Two real spaces over the same 200 fortunes: MiniLM and its quantised twin.
    Space a = head(StoreFixtures.realMiniLm("minilm.npy"), 200);
    Space b = head(StoreFixtures.realMiniLm("minilm-q.npy"), 200);
    Path data = dir.resolve("data");
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(data)) {
      StoreFixtures.storeCheckpoint(store, "exp", "space", 1, a, Metric.COSINE);
      StoreFixtures.storeCheckpoint(store, "exp", "space", 2, b, Metric.COSINE);
    }
    CommandLine cl = VectoryCli.newCommandLine();
    StringWriter out = new StringWriter(), err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("compare", "exp/space@1", "exp/space@2", "--data-dir", data.toString(), "--json", "-k", "7");
    assertEquals(0, code, err.toString());
    JsonNode j = new ObjectMapper().readTree(out.toString());

    ComparisonOutcome want = SpaceComparator.compare(a.vectors(), b.vectors(),
        CompareOptions.defaults().withK(7), ProgressListener.NONE);
    assertEquals("exp/space@1", j.get("a").asText());
    assertEquals("exp/space@2", j.get("b").asText());
    assertEquals(200, j.get("n").asInt());
    assertEquals(7, j.get("k").asInt());
    assertEquals(want.meanJaccard(), j.get("mean_jaccard").asDouble(), 0.0);
    assertEquals(want.cka(), j.get("cka").asDouble(), 1e-12);
    for (int i = 0; i < 10; i++) assertEquals(want.histogram()[i], j.get("histogram").get(i).asLong(), "bin " + i);
    assertTrue(want.meanJaccard() > 0.3 && want.meanJaccard() < 1.0, "a real pair differs a little: " + want.meanJaccard());
  }

  @Test
  void anUnknownNameSaysWhatItExpected() {
    CommandLine cl = VectoryCli.newCommandLine();
    StringWriter out = new StringWriter(), err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("compare", "exp/nope@1", "exp/nope@2", "--data-dir", dir.resolve("empty").toString());
    assertEquals(CompareCommand.BAD_INPUT, code);
    assertTrue(err.toString().contains("exp/nope@1") && err.toString().contains("registered space"), err.toString());
  }

  private static Space head(Space s, int n) {
    int d = s.vectors().cols();
    float[] v = java.util.Arrays.copyOf(s.vectors().data(), n * d);
    java.util.Map<String, java.util.List<String>> cols = new java.util.HashMap<>();
    s.columns().forEach((c, vals) -> cols.put(c, vals.subList(0, n)));
    return new Space(s.name(), s.ids().subList(0, n), FloatMatrix.wrap(n, d, v), cols);
  }
}
