package io.vectory.app.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.CliRun;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.AssembledCheckpoint;
import io.vectory.ingest.CheckpointReader;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vectory add` publishes a 10,000 × 512 .npy + CSV to the shared stack; a plain read_committed consumer gets it back bit for bit. */
class AddCommandIT {

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  @Test
  void addPublishesTenThousandBy512BitForBit(@TempDir Path dir) throws Exception {
    String bootstrap = env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    String registry = env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
    int n = 10_000, dim = 512;
    float[] data = new float[n * dim];
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
    data[3] = -0.0f;
    data[4] = Float.MIN_VALUE;
    Path npy = dir.resolve("emb.npy");
    Npy.write(npy, FloatMatrix.wrap(n, dim, data));
    StringBuilder csv = new StringBuilder("doc_id,label,text\n");
    for (int i = 0; i < n; i++) csv.append("d").append(i).append(",c").append(i % 7).append(",\"text, with comma ").append(i).append("\"\n");
    Path csvFile = Files.writeString(dir.resolve("docs.csv"), csv);
    String exp = "cli-" + UUID.randomUUID().toString().substring(0, 8);

    CliRun r = CliRun.run("add", "-e", npy.toString(), "-d", csvFile.toString(), "--id-field", "doc_id", "--dataset-name", "docs",
        "--experiment-name", exp, "--model-name", "minilm", "--embedding-space-name", "head", "-p", "lr=0.01", "-p", "loss=triplet",
        "--step", "40", "--bootstrap-servers", bootstrap, "--schema-registry", registry,
        // the dataset and the experiment's entry go to the store: a folder of this test's, not the user's ~/.vectory
        "--data-dir", dir.resolve("data").toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("published " + exp + "/head@40: 10000 rows × 512"), r.out());
    // Off a terminal, progress is a whole line every few seconds (none for a publish this quick), never a \r stream.
    assertFalse(r.err().contains("\r"), "no carriage-return progress off a terminal: " + r.err());

    AssembledCheckpoint got = CheckpointReader.read(bootstrap, Map.of(), EventSerdes.registry(Map.of("schema.registry.url", registry)),
        Topics.defaults().spaceEvents, exp + "/head@40", Duration.ofSeconds(120)).checkpoint();
    assertEquals(n, got.rows());
    assertEquals("d0", got.ids().get(0));
    assertEquals("d9999", got.ids().get(n - 1));
    for (int i = 0; i < data.length; i++) {
      if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(got.vectors()[i])) throw new AssertionError("float " + i + " differs");
    }
    assertEquals("doc_id", got.registered().getIdField());
    assertEquals("docs", got.registered().getDataset());
    assertEquals(Map.of("lr", "0.01", "loss", "triplet"), got.registered().getParams());
    assertEquals(List.of("label", "text"), got.registered().getMetadataColumns());
    assertEquals(List.of("c3", "text, with comma 9999"), got.metadata().get(n - 1));
  }
}
