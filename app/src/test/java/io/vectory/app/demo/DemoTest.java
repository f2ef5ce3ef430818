package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.DriftRule;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.EmbeddedSpaceStore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code vectory demo --json} for real (in-process broker, Streams app, embedded store) with 5 epochs and the
 * deliberate drift in epoch 5, and checks what it printed and stored against the compare engine run offline on the
 * same checkpoints, re-created by training again with the same seed.
 */
class DemoTest {
  private static final int EPOCHS = 5;
  private static final int K = 10;

  @Test
  void demoComparesEveryCheckpointLikeTheEngineOfflineAndFlagsTheDrift(@TempDir Path dataDir) throws Exception {
    // Reuse the embeddings the other tests encoded (same corpus hash, same file name) instead of encoding again.
    SentenceEncoder.Embeddings emb = TestEmbeddings.get();
    DemoCorpus corpus = TestEmbeddings.corpus();
    Files.createDirectories(dataDir.resolve("cache"));
    Files.copy(emb.cacheFile(), SentenceEncoder.cacheFile(dataDir, corpus));

    ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
    PrintStream savedOut = System.out, savedErr = System.err;
    int exit;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new DemoCommand()).execute("--epochs", String.valueOf(EPOCHS), "--drift-epoch", String.valueOf(EPOCHS),
          "--json", "--data-dir", dataDir.toString(), "--timeout", "150");
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    savedErr.print(stderr.toString(StandardCharsets.UTF_8));
    assertEquals(0, exit, "exit code; stderr was:\n" + stderr.toString(StandardCharsets.UTF_8));

    // stdout holds only JSON lines, one per comparison: PREVIOUS and FIRST for every step after the first.
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) lines.add(json.readTree(line));
    }
    assertEquals(2 * (EPOCHS - 1), lines.size(), "comparison lines: " + lines);
    Set<String> seen = new HashSet<>();
    for (JsonNode r : lines) {
      long a = r.get("step_a").asLong(), b = r.get("step_b").asLong();
      String relation = r.get("relation").asText();
      assertTrue(seen.add(a + "/" + relation), "duplicate result for step " + a + " " + relation);
      assertEquals(relation.equals("previous") ? a - 1 : 1, b, "reference step of " + r);
      assertEquals("fortunes-demo", r.get("experiment").asText());
      double mean = r.get("mean_jaccard").asDouble();
      assertTrue(mean >= 0 && mean <= 1, "mean_jaccard out of [0,1]: " + mean);
      long sum = 0;
      for (JsonNode h : r.get("histogram")) sum += h.asLong();
      assertEquals(10, r.get("histogram").size());
      assertEquals(corpus.size(), sum, "histogram counts every point once");
      assertEquals(K, r.get("k").asInt());
      assertEquals("cosine", r.get("metric_a").asText());
      assertEquals(false, r.get("include_self").asBoolean());
    }
    for (int s = 2; s <= EPOCHS; s++) assertTrue(seen.contains(s + "/previous") && seen.contains(s + "/first"), "step " + s);

    // The checkpoints the pipeline stored are exactly what the trainer produces with the same seed and settings.
    MetricLearningTrainer.Config config = MetricLearningTrainer.Config.defaults().withEpochs(EPOCHS).withDrift(EPOCHS, 10);
    var trained = new MetricLearningTrainer(config, emb.data(), emb.dim(), corpus.labelIndex(), corpus.ids(), corpus.labels())
        .train(MetricLearningTrainer.allRows(corpus.size()), null);
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dataDir)) {
      for (var c : trained) {
        Space stored = store.loadSpace("fortunes-demo/" + DemoRun.SPACE + "@" + c.step());
        assertEquals(corpus.ids(), stored.ids());
        assertArrayEquals(c.vectors(), stored.vectors().data(), "stored vectors of step " + c.step());
        assertEquals(corpus.labels(), stored.columns().get("label"));
      }
      assertEquals(2 * (EPOCHS - 1), store.comparisons("fortunes-demo").size(), "comparison documents in the store");

      // Every printed result equals the engine's offline answer for the same pair.
      CompareOptions options = new CompareOptions(K, Metric.COSINE, Metric.COSINE, false, 0, 42);
      for (JsonNode r : lines) {
        var a = trained.get(r.get("step_a").asInt() - 1);
        var b = trained.get(r.get("step_b").asInt() - 1);
        ComparisonOutcome offline = SpaceComparator.compare(FloatMatrix.wrap(corpus.size(), a.dim(), a.vectors()),
            FloatMatrix.wrap(corpus.size(), b.dim(), b.vectors()), options, ProgressListener.NONE);
        assertEquals(offline.meanJaccard(), r.get("mean_jaccard").asDouble(), 1e-12, "step " + a.step() + " vs " + b.step());
        long[] hist = new long[10];
        for (int i = 0; i < 10; i++) hist[i] = r.get("histogram").get(i).asLong();
        assertArrayEquals(offline.histogram(), hist, "histogram of step " + a.step() + " vs " + b.step());
        assertEquals(offline.n(), r.get("n").asLong());
      }

      // The learning-rate spike in the last epoch trips the trailing-drop rule there and nowhere else.
      List<DriftAlert> alerts = store.alerts("fortunes-demo");
      assertEquals(1, alerts.size(), "alerts: " + alerts);
      assertEquals(EPOCHS, alerts.getFirst().getA().getStep());
      assertEquals(DriftRule.TRAILING_DROP, alerts.getFirst().getRule());

      // A second run never mixes with this one: it gets a new experiment, and a taken name is refused.
      assertEquals("fortunes-demo-2", DemoRun.chooseExperiment(store, null));
      var taken = assertThrows(IllegalArgumentException.class, () -> DemoRun.chooseExperiment(store, "fortunes-demo"));
      assertTrue(taken.getMessage().contains("already holds experiment 'fortunes-demo'"), taken.getMessage());
    }

    BufferedImage png = ImageIO.read(dataDir.resolve("demo").resolve("fortunes-demo-jaccard.png").toFile());
    assertEquals(960, png.getWidth());
    assertEquals(540, png.getHeight());
  }
}
