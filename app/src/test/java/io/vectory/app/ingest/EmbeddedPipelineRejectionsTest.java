package io.vectory.app.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import io.vectory.avro.DeadLetter;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.store.EmbeddedSpaceStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The embedded pipeline (`vectory serve-ingest` with nothing configured) keeps every checkpoint the Streams app
 * rejects in the store's rejections log, and `vectory ls` lists it with its reason: nothing a training loop sends
 * is dropped without a trace where users look.
 */
class EmbeddedPipelineRejectionsTest {

  @TempDir Path dir;

  @Test
  void aCheckpointThePipelineRejectsIsKeptAndListedByLs() throws Exception {
    Path data = dir.resolve("data");
    StringWriter log = new StringWriter();
    int n = 40, dim = 8;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add("p" + i);
    float[][] v = new float[n][dim];
    Random r = new Random(3);
    for (float[] row : v) for (int j = 0; j < dim; j++) row[j] = (float) r.nextGaussian();
    try (EmbeddedPipeline p = EmbeddedPipeline.start(data, new PrintWriter(log, true))) {
      try (CheckpointPublisher pub = CheckpointPublisher.builder(p.bootstrapServers()).topics(Topics.defaults())
          .serdes(EventSerdes.singleObject()).transactionalId("rejections-test").build()) {
        pub.publish("exp", "head", 5, ids, v, SpaceDescription.of("toy", "none"));
        // An earlier step than one already accepted: past any publish-time check, the pipeline dead-letters it.
        pub.publish("exp", "head", 3, ids, v, SpaceDescription.of("toy", "none"));
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!log.toString().contains("rejected exp/head@3") && System.nanoTime() < deadline) Thread.sleep(100);
      assertTrue(log.toString().contains("rejected exp/head@3"), log.toString());
    }

    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(data)) {
      List<DeadLetter> dead = store.deadLetters("exp");
      assertEquals(1, dead.size(), dead.toString());
      assertEquals("exp/head@3", dead.get(0).getCheckpoint());
      assertTrue(dead.get(0).getReason().contains("step: 3 is not after the previous accepted checkpoint"), dead.get(0).getReason());
      // A hostile experiment name in a rejection reaches the terminal escaped.
      store.putDeadLetters(List.of(DeadLetter.newBuilder(dead.get(0)).setOffset(99).setKey("evil\u001b[2J").setCheckpoint(null)
          .setReason("cannot decode\u001b[31m").setFailedAt(Instant.ofEpochMilli(dead.get(0).getFailedAt().toEpochMilli() + 1)).build()));
    }

    String ls = ls("ls", "--data-dir", data.toString());
    assertTrue(ls.contains("Rejected: 2 "), ls);
    String row = ls.lines().filter(l -> l.contains("exp ") && l.contains("step: 3 is not after")).findFirst().orElse("");
    assertTrue(row.matches("\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+exp\\s+head\\s+3\\s+checkpoint exp/head@3 rejected: step: 3 .*"), ls);
    assertFalse(ls.contains("\u001b"), "no raw escape reaches the terminal: " + ls);
    assertTrue(ls.contains("evil\\u001B[2J") && ls.contains("cannot decode\\u001B[31m"), ls);
    assertTrue(ls("ls", "--data-dir", data.toString(), "-e", "other").contains("Rejected: none"));
    assertFalse(ls("ls", "--data-dir", data.toString(), "-e", "exp").contains("evil"));
  }

  private static String ls(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = VectoryCli.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    assertEquals(0, cl.execute(args), out.toString());
    return out.toString();
  }
}
