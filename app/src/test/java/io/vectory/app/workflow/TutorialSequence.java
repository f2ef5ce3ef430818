package io.vectory.app.workflow;

import io.vectory.app.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.core.npy.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * Vectory's tutorial, command for command and flags as written, with what each step must print: the one home of
 * the sequence, run on the embedded default ({@link TutorialSequenceTest}) and on the real stack
 * ({@link TutorialSequenceStackIT}). A real pair of spaces of the same 1,307 real texts from two different models,
 * with a real metadata CSV; the compare's mean is checked against bench/compare/reference.py (NumPy brute force,
 * float64). It ends by deleting what it stored, through Vectory's management verbs.
 */
final class TutorialSequence {

  static final String TRIPLET = "triplet_loss_v1.0/triplet_loss_v1.0@0";
  static final String ARCFACE = "arcface_loss_v1.0/arcface_loss_v1.0@0";

  /** What the stack must do between the adds and `ls`: the checkpoints reach the store through the pipeline and the sink. */
  interface AfterAdds {
    void await(List<String> checkpoints) throws Exception;
  }

  private TutorialSequence() {}

  static void run(Vectory v, Path dir, AfterAdds afterAdds) throws Exception {
    TwoModelFixture f = TwoModelFixture.load();
    Path triplet = dir.resolve("triplet.npz"), arcface = dir.resolve("arcface.npz"), csv = dir.resolve("tinyimagenet.csv");
    TwoModelFixture.writeNpz(triplet, f.minilm);
    TwoModelFixture.writeNpz(arcface, f.bge);
    f.writeCsv(csv);
    String added = v.publishes() ? "published " : "added ";

    CliRun add1 = v.run("add", "-e", triplet.toString(), "-d", csv.toString(), "--dataset-name", "tiny_imagenet_val",
        "--experiment-name", "triplet_loss_v1.0", "--model-name", "triplet_loss_resnet", "--embedding-space-name", "triplet_loss_v1.0",
        "--id-field", "image_id");
    assertEquals(0, add1.exit(), add1.toString());
    assertTrue(add1.out().contains(added + TRIPLET + ": 1307 rows × 384"), add1.toString());
    assertTrue(add1.err().contains("dataset tiny_imagenet_val registered from " + csv + " (1307 rows, ids from image_id)"), add1.toString());

    CliRun add2 = v.run("add", "-e", arcface.toString(), "--dataset-name", "tiny_imagenet_val", "--experiment-name", "arcface_loss_v1.0",
        "--model-name", "arcface_resnet", "--embedding-space-name", "arcface_loss_v1.0", "--id-field", "image_id");
    assertEquals(0, add2.exit(), add2.toString());
    assertTrue(add2.out().contains(added + ARCFACE + ": 1307 rows × 384"), add2.toString());
    afterAdds.await(List.of(TRIPLET, ARCFACE));

    CliRun ls = v.run("ls");
    assertEquals(0, ls.exit(), ls.toString());
    assertTrue(ls.out().startsWith("Store: " + v.storeLabel()), ls.toString());
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
    double reference = reference(f, dir);
    assertEquals(reference, json.get("mean_jaccard").asDouble(), 1e-4, "against bench/compare/reference.py");
    assertEquals(reference, mean, 1e-4, "the printed mean against bench/compare/reference.py");
    assertTrue(mean > 0.05 && mean < 0.95, "two different models agree only in part: " + mean);

    // query reads the lists compare kept: each point's "in both" Jaccard is its per-point coincidence in the compare.
    Path perPoint = dir.resolve("per-point.csv");
    CliRun pp = v.run("compare", "arcface_loss_v1.0", "triplet_loss_v1.0", "-ma", "cosine", "-mb", "cosine", "--per-point", perPoint.toString());
    assertEquals(0, pp.exit(), pp.toString());
    List<String[]> lowest = Files.readAllLines(perPoint).stream().skip(1).map(l -> l.split(",", 3))
        .sorted(java.util.Comparator.comparingDouble((String[] c) -> Double.parseDouble(c[1])).thenComparing(c -> c[0])).limit(3).toList();
    for (String[] point : lowest) {
      CliRun q = v.run("query", "arcface_loss_v1.0", point[0], "-k", "10", "--vs", "triplet_loss_v1.0");
      assertEquals(0, q.exit(), q.toString());
      assertEquals(2, count(q.out(), "exact: the kept k-NN lists compare uses"), q.toString());
      assertTrue(q.out().contains(String.format(java.util.Locale.ROOT, "(Jaccard %.4f for this point, k=10, self excluded)", Double.parseDouble(point[1]))),
          point[0] + " " + point[1] + ": " + q);
    }

    // Vectory's management verbs: a dataset others depend on is refused with its dependents, then deleted with them.
    CliRun refused = v.run("dataset", "delete", "tiny_imagenet_val");
    assertNotEquals(0, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("cannot delete dataset tiny_imagenet_val: 4 depend on it (experiment arcface_loss_v1.0, experiment "
        + "triplet_loss_v1.0, index arcface_loss_v1.0_lsh_cosine, index triplet_loss_v1.0_lsh_cosine); delete them first or add --recursive"),
        refused.toString());
    CliRun exp = v.run("experiment", "delete", "triplet_loss_v1.0", "--recursive");
    assertEquals(0, exp.exit(), exp.toString());
    assertTrue(exp.out().contains("deleted index triplet_loss_v1.0_lsh_cosine (1307 vectors") && exp.out().contains("deleted space " + TRIPLET + " (1307 vectors")
        && exp.out().contains("deleted experiment triplet_loss_v1.0\n"), exp.toString());
    CliRun ds = v.run("dataset", "delete", "tiny_imagenet_val", "--recursive");
    assertEquals(0, ds.exit(), ds.toString());
    assertTrue(ds.out().contains("deleted index arcface_loss_v1.0_lsh_cosine (1307 vectors") && ds.out().contains("deleted space " + ARCFACE + " (1307 vectors")
        && ds.out().contains("deleted experiment arcface_loss_v1.0\n") && ds.out().contains("deleted dataset tiny_imagenet_val\n"), ds.toString());
    CliRun empty = v.run("ls");
    assertEquals(0, empty.exit(), empty.toString());
    assertTrue(empty.out().contains("Datasets: none\n") && empty.out().contains("Indices: none\n"), empty.toString());
    CliRun gone = v.run("compare", "arcface_loss_v1.0", "triplet_loss_v1.0");
    assertNotEquals(0, gone.exit(), gone.toString());
    assertTrue(gone.err().contains("no index or space named 'arcface_loss_v1.0'"), gone.toString());
  }

  static double mean(String out) {
    Matcher m = Pattern.compile("The mean of the Jaccard similarity for each query is (\\d\\.\\d{4})").matcher(out);
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }

  private static int count(String s, String what) {
    return s.split(Pattern.quote(what), -1).length - 1;
  }

  /** Cosine, k 10, self excluded, ties by lower row: bench/compare/reference.py in the system Python with NumPy. */
  private static double reference(TwoModelFixture f, Path dir) throws Exception {
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
