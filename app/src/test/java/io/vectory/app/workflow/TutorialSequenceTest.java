package io.vectory.app.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.app.VectoryCli;
import io.vectory.core.npy.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vectory's tutorial, command for command and flags as written, on the embedded default (no server, nothing
 * configured): a real pair of spaces of the same 1,307 real texts from two different models, with a real
 * metadata CSV. The compare's mean is checked against bench/compare/reference.py (NumPy brute force, float64).
 */
class TutorialSequenceTest {

  @TempDir Path dir;

  @Test
  void theTutorialRunsAsWritten() throws Exception {
    Assumptions.assumeTrue(System.getenv("VECTORY_BOOTSTRAP_SERVERS") == null,
        "VECTORY_BOOTSTRAP_SERVERS is set: `vectory add` would publish to that broker, not to the embedded store this test checks");
    TwoModelFixture f = TwoModelFixture.load();
    Path triplet = dir.resolve("triplet.npz"), arcface = dir.resolve("arcface.npz"), csv = dir.resolve("tinyimagenet.csv");
    TwoModelFixture.writeNpz(triplet, f.minilm);
    TwoModelFixture.writeNpz(arcface, f.bge);
    f.writeCsv(csv);
    Vectory v = new Vectory(dir.resolve("data"));

    CliRun add1 = v.run("add", "-e", triplet.toString(), "-d", csv.toString(), "--dataset-name", "tiny_imagenet_val",
        "--experiment-name", "triplet_loss_v1.0", "--model-name", "triplet_loss_resnet", "--embedding-space-name", "triplet_loss_v1.0",
        "--id-field", "image_id");
    assertEquals(0, add1.exit(), add1.toString());
    assertTrue(add1.out().contains("added triplet_loss_v1.0/triplet_loss_v1.0@0: 1307 rows × 384"), add1.toString());
    assertTrue(add1.err().contains("dataset tiny_imagenet_val registered from " + csv + " (1307 rows, ids from image_id)"), add1.toString());

    CliRun add2 = v.run("add", "-e", arcface.toString(), "--dataset-name", "tiny_imagenet_val", "--experiment-name", "arcface_loss_v1.0",
        "--model-name", "arcface_resnet", "--embedding-space-name", "arcface_loss_v1.0", "--id-field", "image_id");
    assertEquals(0, add2.exit(), add2.toString());
    assertTrue(add2.out().contains("added arcface_loss_v1.0/arcface_loss_v1.0@0: 1307 rows × 384"), add2.toString());

    CliRun ls = v.run("ls");
    assertEquals(0, ls.exit(), ls.toString());
    assertTrue(ls.out().contains("Datasets: tiny_imagenet_val\n"), ls.toString());
    assertEquals(1, count(ls.out(), "Datasets:") + count(ls.out(), ", tiny_imagenet_val"), "the dataset once: " + ls);
    assertTrue(Pattern.compile("(?m)^  triplet_loss_v1\\.0 +triplet_loss_v1\\.0 +tiny_imagenet_val +triplet_loss_resnet +cosine +384 +1307 +0$")
        .matcher(ls.out()).find(), ls.toString());
    assertTrue(Pattern.compile("(?m)^  arcface_loss_v1\\.0 +arcface_loss_v1\\.0 +tiny_imagenet_val +arcface_resnet +cosine +384 +1307 +0$")
        .matcher(ls.out()).find(), ls.toString());

    CliRun load1 = v.run("embeddings", "load", "triplet_loss_v1.0_lsh_cosine", "triplet_loss_v1.0");
    assertEquals(0, load1.exit(), load1.toString());
    assertTrue(load1.out().contains("into index triplet_loss_v1.0_lsh_cosine (approximate: Lucene HNSW"), load1.toString());
    CliRun load2 = v.run("embeddings", "load", "arcface_loss_v1.0_lsh_cosine", "arcface_loss_v1.0");
    assertEquals(0, load2.exit(), load2.toString());

    Path histogram = Path.of("jaccard-histogram.png");
    Files.deleteIfExists(histogram);
    CliRun c1 = v.run("compare", "arcface_loss_v1.0", "triplet_loss_v1.0", "--precompute", "-ma", "cosine", "-mb", "cosine");
    assertEquals(0, c1.exit(), c1.toString());
    double mean = mean(c1.out());
    assertTrue(c1.out().contains("2 k-NN passes ran, lists kept in the store"), c1.toString());
    CliRun c2 = v.run("compare", "arcface_loss_v1.0", "triplet_loss_v1.0", "--precompute", "-ma", "cosine", "-mb", "cosine", "--histogram");
    assertEquals(0, c2.exit(), c2.toString());
    assertEquals(mean, mean(c2.out()), 0.0);
    assertTrue(c2.out().contains("no k-NN pass ran"), c2.toString());
    try {
      BufferedImage png = ImageIO.read(histogram.toFile());
      assertNotNull(png, "--histogram wrote a PNG");
      assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
      assertTrue(c2.out().contains("Histogram chart written to " + histogram.toAbsolutePath()), c2.toString());
    } finally {
      Files.deleteIfExists(histogram);
    }

    // The same pair as JSON: no k-NN pass (both lists read from the store), and the mean against NumPy.
    CliRun j = v.run("compare", "arcface_loss_v1.0", "triplet_loss_v1.0", "-ma", "cosine", "-mb", "cosine", "--json");
    assertEquals(0, j.exit(), j.toString());
    JsonNode json = new ObjectMapper().readTree(j.out());
    assertEquals(0, json.get("knn_passes").asInt(), j.out());
    assertFalse(json.get("knn_pass_a").asBoolean());
    double reference = reference(f);
    assertEquals(reference, json.get("mean_jaccard").asDouble(), 1e-4, "against bench/compare/reference.py");
    assertEquals(reference, mean, 1e-4, "the printed mean against bench/compare/reference.py");
    assertTrue(mean > 0.05 && mean < 0.95, "two different models agree only in part: " + mean);

    // vectory run listens on Vectory's address.
    assertEquals("8501", VectoryCli.newCommandLine().getSubcommands().get("run").getCommandSpec().findOption("--port").defaultValue());
  }

  private static double mean(String out) {
    Matcher m = Pattern.compile("The mean of the Jaccard similarity for each query is (\\d\\.\\d{4})").matcher(out);
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }

  private static int count(String s, String what) {
    return s.split(Pattern.quote(what), -1).length - 1;
  }

  /** Cosine, k 10, self excluded, ties by lower row: bench/compare/reference.py in the system Python with NumPy. */
  private double reference(TwoModelFixture f) throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Path script = Path.of("..", "bench", "compare", "reference.py");
    Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3 for the NumPy reference");
    Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy"), out = dir.resolve("reference.json");
    Npy.write(a, f.bge);
    Npy.write(b, f.minilm);
    Process p = new ProcessBuilder(python.toString(), script.toString(), a.toString(), b.toString(), "10", out.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("reference.log").toFile()).start();
    assertEquals(0, p.waitFor(), Files.readString(dir.resolve("reference.log")));
    for (JsonNode c : new ObjectMapper().readTree(out.toFile()).get("cases")) {
      if (c.get("metric").asText().equals("cosine") && !c.get("include_self").asBoolean()) return c.get("mean_jaccard").asDouble();
    }
    throw new AssertionError("no cosine case in " + out);
  }
}
