package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.app.web.AnalyserServer;
import io.vectory.core.compare.Metric;
import io.vectory.core.projection.UmapOptions;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.EmbeddedSpaceStore;
import io.vectory.store.SpaceStore;
import io.vectory.store.SpaceStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectory demo} then {@code vectory run} on one data folder: the analyser opens on the demo's experiment
 * view with nothing chosen by hand, even when the store already held an older experiment that sorts first. Checked
 * on the server's answer (/api/info) and in headless Chromium on what the page shows (app/src/test/web/opens.mjs).
 */
class DemoThenRunTest {

  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("VECTORY_CHROMIUM", "/usr/bin/chromium"));
  static final Path SCRIPT = Path.of("src", "test", "web", "opens.mjs");

  @Test
  void runOpensOnTheExperimentTheDemoJustMade(@TempDir Path dataDir) throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": apt-get install chromium (bin/test installs it)");
    // An earlier run, named to sort before the demo's: the page must not open on it just because it comes first.
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dataDir)) {
      for (int step = 1; step <= 2; step++) store.putCheckpoint("aaa-older-run", "head", step, random(40, 8, step), Metric.COSINE, "older", "m");
    }
    SentenceEncoder.Embeddings emb = TestEmbeddings.get();
    Files.createDirectories(dataDir.resolve("cache"));
    Files.copy(emb.cacheFile(), SentenceEncoder.cacheFile(dataDir, TestEmbeddings.corpus()));
    int exit;
    PrintStream savedOut = System.out;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new DemoCommand()).execute("--epochs", "3", "--data-dir", dataDir.toString(), "--timeout", "150");
    } finally {
      System.setOut(savedOut);
    }
    assertEquals(0, exit, "vectory demo failed:\n" + stdout.toString(StandardCharsets.UTF_8));

    // What `vectory run --data-dir DIR` serves: the embedded store of that folder.
    try (SpaceStore store = SpaceStores.open(null, dataDir);
         AnalyserServer server = AnalyserServer.start(store, "127.0.0.1", 0, UmapOptions.defaults())) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "api/info")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode opening = new ObjectMapper().readTree(r.body()).get("opening");
      assertEquals("fortunes-demo", opening.get("experiment").asText(), r.body());
      assertEquals("fortunes-demo/head@1", opening.get("a").asText(), r.body());
      assertEquals("fortunes-demo/head@3", opening.get("b").asText(), r.body());

      Path log = dataDir.resolve("opens.log");
      Process p = new ProcessBuilder("node", SCRIPT.toString(), server.url(), Path.of("target", "browser-screenshots").toString(),
          CHROMIUM.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(4, TimeUnit.MINUTES);
      if (!done) p.destroyForcibly();
      String text = Files.readString(log);
      assertTrue(done && p.exitValue() == 0, "the page did not open:\n" + text);
      String last = text.strip().lines().reduce((a, b) -> b).orElse("");
      JsonNode shown = new ObjectMapper().readTree(last);
      assertEquals("fortunes-demo/head@1", shown.get("a").asText(), text);
      assertEquals("fortunes-demo/head@3", shown.get("b").asText(), text);
      assertEquals("fortunes-demo", shown.get("experiment").asText(), text);
      // Three checkpoints: steps 2 and 3 against the previous and the first, one table row per step compared.
      assertEquals(2, shown.get("stepRows").asInt(), text);
      assertEquals(4, shown.get("stepMarks").asInt(), text);
    }
  }

  static Space random(int n, int d, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    return Space.ofRows("older", FloatMatrix.wrap(n, d, x));
  }
}
