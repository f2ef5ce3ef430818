package io.vectory.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What ./vectory promises: usage errors exit non-zero with a usage message, --version prints the pom version. */
final class VectoryCliTest {

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = VectoryCli.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void unknownCommandExitsNonZeroWithUsage() {
    Run r = run("qqqqqqqq");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("qqqqqqqq"), "names the bad argument: " + r.err());
    assertTrue(r.err().contains("Usage: vectory"), "prints usage: " + r.err());
  }

  @Test
  void nearMissCommandExitsNonZeroWithUsageToo() {
    Run r = run("nope");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("nope"), "names the bad argument: " + r.err());
    assertTrue(r.err().contains("Usage: vectory"), "prints usage: " + r.err());
  }

  @Test
  void badOptionExitsNonZeroWithUsage() {
    Run r = run("--no-such-option");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("--no-such-option") && r.err().contains("Usage: vectory"), r.err());
  }

  @Test
  void noCommandIsAUsageError() {
    Run r = run();
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("Missing command") && r.err().contains("Usage: vectory"), r.err());
  }

  @Test
  void versionIsThePomVersion() throws Exception {
    Run r = run("--version");
    assertEquals(0, r.code(), r.err());
    // The version the build gives this module (from its parent block), independent of the filtered resource.
    Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "app/pom.xml has no parent version");
    assertTrue(r.out().startsWith("vectory " + m.group(1) + System.lineSeparator()), r.out());
  }

  @Test
  void helpListsStackWithADescription() {
    Run r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().matches("(?s).*\\n\\s+stack\\s+\\S.*"), "stack listed with its description: " + r.out());
  }
}
