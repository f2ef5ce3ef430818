package io.vectory.app.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.datasets.Fortunes;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vectory pipeline} against the shared stack: two checkpoints in, the comparison lines out, exit 0. */
class PipelineCommandIT {
  @TempDir Path tmp;

  static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  /** Signed hashed bag of words of each fortune (64 dims), plus a seeded nudge per step. */
  static float[][] vectors(List<Fortunes.Fortune> fs, long step) {
    java.util.Random rnd = new java.util.Random(step);
    float[][] v = new float[fs.size()][64];
    for (int i = 0; i < fs.size(); i++) {
      for (String w : fs.get(i).text().toLowerCase(Locale.ROOT).split("[^a-z0-9']+")) {
        if (w.length() > 1) v[i][Math.floorMod(w.hashCode(), 64)] += 1;
      }
      for (int j = 0; j < 64; j++) v[i][j] += (float) (rnd.nextGaussian() * 0.05 * step);
      v[i][i % 64] += 0.01f; // no all-zero rows
    }
    return v;
  }

  /** The run's topics and changelogs all start with the prefix (the application id does too). */
  static void deleteTopics(String bootstrap, String prefix) throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", bootstrap);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      var mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(n -> n.startsWith(prefix)).toList();
      admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void runsUntilTheComparisonsArriveAndPrintsThem() throws Exception {
    String bootstrap = env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    String registry = env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
    String prefix = "it-cli-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = VectoryCli.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("pipeline",
        "--bootstrap-servers", bootstrap, "--schema-registry", registry, "--opensearch", "http://127.0.0.1:9200",
        "--topic-prefix", prefix, "--application-id", prefix + "app", "--state-dir", tmp.toString(), "--partitions", "1",
        "--until-comparisons", "2", "-P", "compare.k=5"));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!err.toString().contains("running") && !exit.isDone()) {
      assertTrue(System.nanoTime() < deadline, () -> "not running after 2 min: " + err);
      Thread.sleep(100);
    }
    assertTrue(!exit.isDone(), () -> "exited early: " + err);

    List<Fortunes.Fortune> fs = Fortunes.load();
    List<String> ids = fs.stream().map(Fortunes.Fortune::id).toList();
    float[][] v0 = vectors(fs, 0), v1 = vectors(fs, 1);
    try (CheckpointPublisher p = CheckpointPublisher.builder(bootstrap)
        .serdes(EventSerdes.registry(Map.of("schema.registry.url", registry))).topics(Topics.withPrefix(prefix)).build()) {
      p.publish("cli", "head", 0, ids, v0, SpaceDescription.of("fortunes", "bow"));
      p.publish("cli", "head", 1, ids, v1, SpaceDescription.of("fortunes", "bow"));
    }
    try {
      assertEquals(0, exit.get(3, TimeUnit.MINUTES), () -> "stderr: " + err);
    } finally {
      deleteTopics(bootstrap, prefix);
    }

    double expected = SpaceComparator.compare(FloatMatrix.of(v1), FloatMatrix.of(v0),
        new CompareOptions(5, Metric.COSINE, Metric.COSINE, false, 0, 42L), ProgressListener.NONE).meanJaccard();
    String jaccard = String.format(Locale.ROOT, "mean_jaccard=%.6f", expected);
    List<String> lines = out.toString().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("comparison cli PREVIOUS head@1 vs head@0 k=5 self-excluded " + jaccard)), () -> "stdout: " + out);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("comparison cli FIRST head@1 vs head@0 k=5 self-excluded " + jaccard)), () -> "stdout: " + out);
  }

  /**
   * Started without a registry on records in the Confluent wire format, or with a registry nobody answers at, {@code
   * vectory pipeline} exits 1 with the reason and its consumer group commits nothing.
   */
  @Test
  void aMisconfiguredPipelineExitsOneWithTheReasonAndConsumesNothing() throws Exception {
    String bootstrap = env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    String registry = env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
    String prefix = "it-cli-ff-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    List<Fortunes.Fortune> fs = Fortunes.load().subList(0, 50);
    List<String> ids = fs.stream().map(Fortunes.Fortune::id).toList();
    try {
      try (CheckpointPublisher p = CheckpointPublisher.builder(bootstrap)
          .serdes(EventSerdes.registry(Map.of("schema.registry.url", registry))).topics(Topics.withPrefix(prefix)).build()) {
        p.publish("ff", "head", 0, ids, vectors(fs, 0), SpaceDescription.of("fortunes", "bow"));
      }
      for (String[] reg : new String[][] {{"none", "the value is in the Confluent wire format"},
          {"http://127.0.0.1:1/apis/ccompat/v7", "schema registry at http://127.0.0.1:1/apis/ccompat/v7 is unreachable"}}) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = VectoryCli.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = CompletableFuture.supplyAsync(() -> cl.execute("pipeline", "--bootstrap-servers", bootstrap, "--schema-registry", reg[0],
            "--topic-prefix", prefix, "--application-id", prefix + "app", "--state-dir", tmp.toString(), "--partitions", "1",
            "--metrics-port", "0", "--registry-wait", "2")).get(3, TimeUnit.MINUTES);
        assertEquals(1, code, () -> "stderr: " + err);
        assertTrue(err.toString().contains("vectory pipeline: cannot start: "), err::toString);
        assertTrue(err.toString().contains(reg[1]), err::toString);
        assertTrue(err.toString().contains("nothing consumed"), err::toString);
        java.util.Properties ap = new java.util.Properties();
        ap.put("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(ap)) {
          assertEquals(Map.of(), admin.listConsumerGroupOffsets(prefix + "app").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
        }
      }
    } finally {
      deleteTopics(bootstrap, prefix);
    }
  }
}
