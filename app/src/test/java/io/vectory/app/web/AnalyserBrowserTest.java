package io.vectory.app.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.DriftRule;
import io.vectory.avro.Relation;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.projection.UmapOptions;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.EmbeddedSpaceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyser page driven in headless Chromium (Debian's, through npm playwright-core) against the app serving
 * real spaces: the 600 fortunes embedded by MiniLM and its quantised twin as three checkpoints of one experiment,
 * their comparisons and a drift alert as the pipeline stores them, and a dataset whose ids and metadata are
 * hostile HTML. The scenario is app/src/test/web/analyser.spec.mjs; its screenshots go to
 * target/browser-screenshots. Fails when Chromium or the npm packages are missing (bin/test installs them).
 */
class AnalyserBrowserTest {

  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("VECTORY_CHROMIUM", "/usr/bin/chromium"));
  static final Path WEB = Path.of("src", "main", "web");
  static final Path SCRIPT = Path.of("src", "test", "web", "analyser.spec.mjs");

  @TempDir Path dir;

  @Test
  void thePageWorksInARealBrowser() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": apt-get install chromium (bin/test installs it)");
    assertTrue(Files.isDirectory(WEB.resolve("node_modules").resolve("playwright-core")),
        "npm packages missing in " + WEB.toAbsolutePath() + ": run npm ci there (the Maven build does)");
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir.resolve("data"))) {
      fill(store);
      try (AnalyserServer server = AnalyserServer.start(store, "127.0.0.1", 0, UmapOptions.defaults())) {
        Path out = Path.of("target", "browser-screenshots");
        Files.createDirectories(out);
        Path log = dir.resolve("node.log");
        Process p = new ProcessBuilder("node", SCRIPT.toString(), server.url(), out.toString(), CHROMIUM.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String text = Files.readString(log);
        System.out.println(text);
        assertTrue(done, "the browser scenario did not finish in 8 minutes:\n" + text);
        assertEquals(0, p.exitValue(), "the browser scenario failed:\n" + text);
        assertTrue(text.contains("PASS all"), text);
      }
    }
  }

  /** Three checkpoints of fortunes/minilm, the comparisons the pipeline would store, an alert, and a hostile dataset. */
  static void fill(EmbeddedSpaceStore store) throws Exception {
    Space q = StoreFixtures.realMiniLm("minilm-q.npy");
    Space f = StoreFixtures.realMiniLm("minilm.npy");
    Space[] steps = {q, f, mix(q, f)};
    for (int s = 0; s < steps.length; s++) StoreFixtures.storeCheckpoint(store, "fortunes", "minilm", s + 1, steps[s], Metric.COSINE);
    List<ComparisonResult> cs = new ArrayList<>();
    List<DriftAlert> alerts = new ArrayList<>();
    for (int s = 1; s < steps.length; s++) {
      for (Relation rel : new Relation[] {Relation.PREVIOUS, Relation.FIRST}) {
        int ref = rel == Relation.PREVIOUS ? s - 1 : 0;
        if (rel == Relation.FIRST && ref == s - 1 && s > 1) continue;
        ComparisonOutcome o = SpaceComparator.compare(steps[s].vectors(), steps[ref].vectors(), CompareOptions.defaults(), ProgressListener.NONE);
        cs.add(ComparisonResult.newBuilder().setDataset("fortunes").setModel("test").setA(key(s + 1)).setB(key(ref + 1))
            .setRelation(rel).setK(o.k()).setMetricA(io.vectory.avro.Metric.COSINE).setMetricB(io.vectory.avro.Metric.COSINE)
            .setIncludeSelf(false).setExact(true).setN(o.n()).setMeanJaccard(o.meanJaccard())
            .setHistogram(Arrays.stream(o.histogram()).boxed().toList()).setComputeMillis(1)
            .setComputedAt(Instant.ofEpochMilli(1_700_000_100_000L + 10L * s + rel.ordinal())).build());
        if (rel == Relation.PREVIOUS && s == 2) {
          // A floor just above what step 3 reached: the alert the drift rule raises for it.
          double floor = Math.min(0.99, o.meanJaccard() + 0.05);
          alerts.add(DriftAlert.newBuilder().setDataset("fortunes").setModel("test").setA(key(s + 1)).setB(key(s))
              .setRule(DriftRule.JACCARD_FLOOR).setValue(o.meanJaccard()).setThreshold(floor)
              .setMessage(String.format(java.util.Locale.ROOT, "mean Jaccard with the previous checkpoint %.3f is below the floor %.3f", o.meanJaccard(), floor))
              .setRaisedAt(Instant.ofEpochMilli(1_700_000_200_000L)).build());
        }
      }
    }
    store.putComparisons(cs);
    store.putAlerts(alerts);
    store.putIndex("hostile", hostile(f), Metric.COSINE, "exact", "hostile <b>data</b>", "test", "test");
  }

  static CheckpointKey key(long step) {
    return new CheckpointKey("fortunes", "minilm", step);
  }

  /** Step 3: MiniLM for the first half of the rows, the quantised model for the rest (real vectors, a real shift). */
  static Space mix(Space q, Space f) {
    int n = f.ids().size(), d = f.vectors().cols();
    float[] out = new float[n * d];
    for (int r = 0; r < n; r++) {
      FloatMatrix src = r < n / 2 ? f.vectors() : q.vectors();
      for (int c = 0; c < d; c++) out[r * d + c] = src.get(r, c);
    }
    return new Space("mix", f.ids(), FloatMatrix.wrap(n, d, out), f.columns());
  }

  /** 80 real MiniLM rows whose ids and metadata are HTML and quote characters that must show as written. */
  static Space hostile(Space f) {
    String[] nasty = {"<img src=x onerror=window.__xss=1>", "q' onmouseover='window.__xss=2' x='", "O'Brien", "\"quoted\" & <b>bold</b>",
        "a&amp;b", "</td><script>window.__xss=3</script>"};
    int n = 80, d = f.vectors().cols();
    List<String> ids = new ArrayList<>(), labels = new ArrayList<>(), texts = new ArrayList<>();
    float[] out = new float[n * d];
    for (int r = 0; r < n; r++) {
      ids.add(r < nasty.length ? nasty[r] : "row-" + r + "-<i>" + r + "</i>");
      labels.add(nasty[r % nasty.length]);
      texts.add("text " + nasty[(r + 1) % nasty.length]);
      for (int c = 0; c < d; c++) out[r * d + c] = f.vectors().get(r, c);
    }
    Map<String, List<String>> cols = new LinkedHashMap<>();
    cols.put("label", labels);
    cols.put("text", texts);
    return new Space("hostile", ids, FloatMatrix.wrap(n, d, out), cols);
  }
}
