package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

  private static String[] run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new DemoCommand()).setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  @Test
  void usageErrorsExitNonZeroAndSayWhatWasExpected() {
    String[] r = run("--epochs", "1");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("--epochs must be at least 2"), r[1]);
    r = run("-k", "0");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("-k must be at least 1"), r[1]);
    r = run("--experiment", "a/b");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("without '/' or '@'"), r[1]);
  }
}
