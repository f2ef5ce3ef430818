package io.vectory.app.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectory.app.VectoryCli;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vectory's tutorial ({@link TutorialSequence}) on the embedded default: no server, nothing configured. */
class TutorialSequenceTest {

  @TempDir Path dir;

  @Test
  void theTutorialRunsAsWritten() throws Exception {
    Assumptions.assumeTrue(System.getenv("VECTORY_BOOTSTRAP_SERVERS") == null,
        "VECTORY_BOOTSTRAP_SERVERS is set: `vectory add` would publish to that broker, not to the embedded store this test checks");
    TutorialSequence.run(new Vectory(dir.resolve("data")), dir, checkpoints -> {});

    // vectory run listens on Vectory's address.
    assertEquals("8501", VectoryCli.newCommandLine().getSubcommands().get("run").getCommandSpec().findOption("--port").defaultValue());
  }
}
