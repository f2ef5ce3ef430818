package io.vectory.app.store;

import io.vectory.store.Deletions;
import io.vectory.store.SpaceStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vectory experiment delete NAME [--recursive]}. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Manage experiments.",
    subcommands = ExperimentCommand.Delete.class)
public final class ExperimentCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: delete");
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete an experiment, its comparison results and alerts.",
          "Its spaces (and the indices loaded from them) are dependents: without --recursive the deletion is refused and lists them."})
  public static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Parameters(index = "0", paramLabel = "NAME", description = "The experiment to delete.")
    String name;

    @Option(names = "--recursive", description = "Also delete its spaces and the indices loaded from them.")
    boolean recursive;

    @Override
    public Integer call() {
      return StoreCommands.run(spec, () -> {
        PrintWriter out = spec.commandLine().getOut();
        try (SpaceStore store = storeOptions.open()) {
          for (String line : new Deletions(store).experiment(name, recursive).deleted()) out.println("deleted " + line);
          out.flush();
        }
        return 0;
      });
    }
  }
}
