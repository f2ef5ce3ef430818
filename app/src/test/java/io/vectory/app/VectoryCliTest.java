package io.vectory.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What ./vectory promises: usage errors exit non-zero with a usage message, --version prints the pom version. */
final class VectoryCliTest {

  @Test
  void aVerbAloneParsesAndAnswersAsInTheWholeTree() {
    assertEquals(io.vectory.app.compare.CompareCommand.class, VectoryCli.verbNamed("compare"));
    assertEquals(null, VectoryCli.verbNamed("help"), "help lists every verb: it gets the whole tree");
    assertEquals(null, VectoryCli.verbNamed("qqqqqqqq"));
    assertEquals(1, VectoryCli.commandLineFor("compare").getSubcommands().size());
    assertEquals(VectoryCli.VERBS.size(), VectoryCli.commandLineFor("help").getSubcommands().size());
    String[][] runs = {
      {"compare", "--help"},
      {"compare", "-k", "0", "a.npy", "b.npy"},
      {"compare", "--no-such-option"},
      {"ls", "--help"},
      {"embeddings", "load", "--help"},
    };
    for (String[] args : runs) {
      CliRun alone = CliRun.run(VectoryCli.commandLineFor(args), args);
      CliRun whole = CliRun.run(VectoryCli.newCommandLine(), args);
      assertEquals(whole.toString(), alone.toString(), String.join(" ", args));
    }
  }

  @Test
  void unknownCommandExitsNonZeroWithUsage() {
    CliRun r = CliRun.run("qqqqqqqq");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("qqqqqqqq"), "names the bad argument: " + r.err());
    assertTrue(r.err().contains("Usage: vectory"), "prints usage: " + r.err());
  }

  @Test
  void nearMissCommandExitsNonZeroWithUsageToo() {
    CliRun r = CliRun.run("nope");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("nope"), "names the bad argument: " + r.err());
    assertTrue(r.err().contains("Usage: vectory"), "prints usage: " + r.err());
  }

  @Test
  void badOptionExitsNonZeroWithUsage() {
    CliRun r = CliRun.run("--no-such-option");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("--no-such-option") && r.err().contains("Usage: vectory"), r.err());
  }

  @Test
  void noCommandIsAUsageError() {
    CliRun r = CliRun.run();
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("Missing command") && r.err().contains("Usage: vectory"), r.err());
  }

  @Test
  void versionIsThePomVersion() throws Exception {
    CliRun r = CliRun.run("--version");
    assertEquals(0, r.exit(), r.err());
    // The version the build gives this module (from its parent block), independent of the filtered resource.
    Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "app/pom.xml has no parent version");
    assertTrue(r.out().startsWith("vectory " + m.group(1) + System.lineSeparator()), r.out());
  }

  @Test
  void helpListsStackWithADescription() {
    CliRun r = CliRun.run("--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().matches("(?s).*\\n\\s+stack\\s+\\S.*"), "stack listed with its description: " + r.out());
  }
}
