package io.vectory.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One {@code vectory ...} run in this JVM, as the tests see it: the exit code and what it printed. */
public record CliRun(int exit, String out, String err) {

  /** Runs the command line {@code ./vectory} runs, capturing stdout and stderr instead of exiting. */
  public static CliRun run(String... args) {
    return run(VectoryCli.commandLineFor(args), args);
  }

  /** Runs {@code args} on the given command line. */
  public static CliRun run(CommandLine cl, String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
