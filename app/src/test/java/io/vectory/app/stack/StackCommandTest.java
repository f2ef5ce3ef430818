package io.vectory.app.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vectory stack` runs $vectory.home/bin/stack with the action and options unchanged and returns its exit code. */
final class StackCommandTest {

  @TempDir Path home;
  String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty("vectory.home");
  }

  @AfterEach
  void restore() {
    if (saved == null) System.clearProperty("vectory.home");
    else System.setProperty("vectory.home", saved);
  }

  int run(StringWriter err, String... args) {
    CommandLine cl = VectoryCli.newCommandLine();
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void delegatesToBinStackWithItsArgumentsAndExitCode() throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path seen = home.resolve("args.txt");
    // A stand-in for bin/stack that records what it was given and exits with a code the caller must pass on.
    Files.writeString(bin.resolve("stack"), "printf '%s\\n' \"$@\" > '" + seen + "'\nexit 7\n");
    System.setProperty("vectory.home", home.toString());
    int code = run(new StringWriter(), "stack", "up", "--dir", "/tmp/x", "--kafka-port", "19092");
    assertEquals(7, code);
    assertEquals(List.of("up", "--dir", "/tmp/x", "--kafka-port", "19092"), Files.readAllLines(seen));
  }

  @Test
  void unknownActionIsAUsageError() {
    System.setProperty("vectory.home", home.toString());
    StringWriter err = new StringWriter();
    int code = run(err, "stack", "sideways");
    assertNotEquals(0, code);
    assertTrue(err.toString().contains("Unknown stack action 'sideways'"), err.toString());
  }

  @Test
  void outsideACheckoutSaysWhatToDo() {
    System.clearProperty("vectory.home");
    StringWriter err = new StringWriter();
    int code = run(err, "stack", "status");
    assertNotEquals(0, code);
    assertTrue(err.toString().contains("vectory.home is not set"), err.toString());
  }
}
