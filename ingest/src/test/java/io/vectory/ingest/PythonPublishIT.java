package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.http.IngestServer;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/python/publish.py (the {@code vectory} package from the shell) publishes through the HTTP ingest to the shared stack; Java reads it back. */
class PythonPublishIT {

  private static final String PYTHON = "/usr/bin/python3";
  private static final Path SCRIPT = Path.of("../examples/python/publish.py").toAbsolutePath().normalize();

  @Test
  void pythonExamplePublishesACheckpoint(@TempDir Path dir) throws Exception {
    assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is absent");
    assumeTrue(run(List.of(PYTHON, "-c", "import numpy"), dir).exit == 0, PYTHON + " lacks numpy (apt-get install python3-numpy)");
    float[][] v = Data.vectors(2_000, 64, 21);
    List<String> ids = Data.ids(2_000, "py-");
    Path npy = dir.resolve("emb.npy");
    Npy.write(npy, FloatMatrix.of(v));
    Path idFile = dir.resolve("ids.txt");
    Files.writeString(idFile, String.join("\n", ids) + "\n");
    String exp = "py-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> registry = Map.of("schema.registry.url", Stack.registry());
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).serdes(EventSerdes.registry(registry)).build();
        IngestServer server = IngestServer.start(new InetSocketAddress("127.0.0.1", 0), p, 64L << 20, SpaceDescription.of("ds", "m"))) {
      Result r = run(List.of(PYTHON, SCRIPT.toString(), "--url", "http://127.0.0.1:" + server.port(), "--experiment", exp, "--step", "4",
          "--space", "proj", "--embeddings", npy.toString(), "--ids", idFile.toString(), "--model", "mlp", "-p", "lr=0.003"), dir);
      assertEquals(0, r.exit, r.out);
      assertTrue(r.out.contains("\"checkpoint\": \"" + exp + "/proj@4\""), r.out);

      // Bad input is refused by the client before anything is sent, with the reason and a non-zero exit ...
      Path dupIds = dir.resolve("dup-ids.txt");
      Files.writeString(dupIds, "a\n".repeat(2_000));
      Result bad = run(List.of(PYTHON, SCRIPT.toString(), "--url", "http://127.0.0.1:" + server.port(), "--experiment", exp, "--step", "5",
          "--embeddings", npy.toString(), "--ids", dupIds.toString()), dir);
      assertEquals(1, bad.exit, bad.out);
      assertTrue(bad.out.contains("emb.npy") && bad.out.contains("duplicate id 'a' in rows 0 and 1"), bad.out);
      // ... and what only the server can refuse (step 4 again, other data) is reported with its HTTP status and reason.
      Path other = dir.resolve("other.npy");
      Npy.write(other, FloatMatrix.of(Data.vectors(2_000, 64, 22)));
      Result refused = run(List.of(PYTHON, SCRIPT.toString(), "--url", "http://127.0.0.1:" + server.port(), "--experiment", exp, "--step", "4",
          "--space", "proj", "--embeddings", other.toString(), "--ids", idFile.toString()), dir);
      assertEquals(1, refused.exit, refused.out);
      assertTrue(refused.out.contains("HTTP 409") && refused.out.contains(exp + "/proj@4"), refused.out);
    }
    AssembledCheckpoint got = CheckpointReader.read(Stack.bootstrap(), Map.of(), EventSerdes.registry(registry),
        Topics.defaults().spaceEvents, exp + "/proj@4", Duration.ofSeconds(60)).checkpoint();
    Data.assertBitForBit(v, ids, got);
    assertEquals("mlp", got.registered().getModel());
    assertEquals("0.003", got.registered().getParams().get("lr"));
  }

  record Result(int exit, String out) {}

  private static Result run(List<String> cmd, Path dir) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
    return new Result(p.exitValue(), out);
  }
}
