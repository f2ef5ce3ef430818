package io.vectory.app.store;

import io.vectory.store.Deletions;
import picocli.CommandLine.Command;

/** {@code vectory experiment delete NAME [--recursive]}. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Manage experiments.",
    subcommands = ExperimentCommand.Delete.class)
public final class ExperimentCommand extends StoreCommands.Group {

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete an experiment, its comparison results and alerts.",
          "Its spaces (and the indices loaded from them) are dependents: without --recursive the deletion is refused and lists them."})
  public static final class Delete extends StoreCommands.NamedDelete {

    @Override
    Deletions.Report delete(Deletions deletions) {
      return deletions.experiment(name, recursive);
    }
  }
}
