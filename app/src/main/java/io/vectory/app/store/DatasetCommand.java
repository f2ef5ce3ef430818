package io.vectory.app.store;

import io.vectory.store.Deletions;
import picocli.CommandLine.Command;

/** {@code vectory dataset delete NAME [--recursive]}. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Manage registered datasets.",
    subcommands = DatasetCommand.Delete.class)
public final class DatasetCommand extends StoreCommands.Group {

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a registered dataset.",
          "Experiments with spaces on it and indices loaded from it are dependents: without --recursive the deletion is refused and lists them."})
  public static final class Delete extends StoreCommands.NamedDelete {

    @Override
    Deletions.Report delete(Deletions deletions) {
      return deletions.dataset(name, recursive);
    }
  }
}
