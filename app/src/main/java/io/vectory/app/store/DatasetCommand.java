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

/** {@code vectory dataset delete NAME [--recursive]}. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Manage registered datasets.",
    subcommands = DatasetCommand.Delete.class)
public final class DatasetCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: delete");
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a registered dataset.",
          "Experiments with spaces on it and indices loaded from it are dependents: without --recursive the deletion is refused and lists them."})
  public static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Parameters(index = "0", paramLabel = "NAME", description = "The dataset to delete.")
    String name;

    @Option(names = "--recursive", description = "Also delete the experiments and indices that depend on it.")
    boolean recursive;

    @Override
    public Integer call() {
      return StoreCommands.run(spec, () -> {
        PrintWriter out = spec.commandLine().getOut();
        try (SpaceStore store = storeOptions.open()) {
          for (String line : new Deletions(store).dataset(name, recursive).deleted()) out.println("deleted " + line);
          out.flush();
        }
        return 0;
      });
    }
  }
}
