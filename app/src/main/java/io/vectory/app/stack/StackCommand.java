package io.vectory.app.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code vectory stack up|down|status}: runs {@code bin/stack} from the checkout ({@code vectory.home}, set by
 * {@code ./vectory}) with the terminal attached, and returns its exit code. The script owns the work; this
 * class only makes it reachable from the one command.
 */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    description = "Start, stop or check the local Kafka, Apicurio, OpenSearch (and Connect) without Docker.",
    footer = {
      "",
      "Options after the action go to bin/stack, e.g. `vectory stack up --dir /tmp/s --kafka-port 19092`;",
      "`vectory stack help` lists them. State lives in ~/.vectory/stack unless VECTORY_STACK_DIR says otherwise."
    })
public final class StackCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "up, down, status or help")
  String action;

  /** Everything after the action (its options are bin/stack's, so picocli must not reject them). */
  @Unmatched List<String> options = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (!List.of("up", "down", "status", "help").contains(action)) {
      throw new ParameterException(spec.commandLine(),
          "Unknown stack action '" + action + "': expected up, down, status or help");
    }
    Path script = script();
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(script.toString());
    command.add(action);
    command.addAll(options);
    Process p = new ProcessBuilder(command).inheritIO().start();
    return p.waitFor();
  }

  /** bin/stack under vectory.home; fails with what to do when the jar runs outside a checkout. */
  Path script() {
    String home = System.getProperty("vectory.home");
    if (home == null || home.isBlank()) {
      throw new ParameterException(spec.commandLine(),
          "vectory.home is not set: run `./vectory stack ...` from the repository (it sets -Dvectory.home),"
              + " or call bin/stack directly");
    }
    Path script = Path.of(home, "bin", "stack");
    if (!Files.isRegularFile(script)) {
      throw new ParameterException(spec.commandLine(),
          "no stack script at " + script + " (vectory.home=" + home + " is not a Vectory checkout)");
    }
    return script;
  }
}
