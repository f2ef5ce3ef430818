package io.vectory.app.store;

import io.vectory.sink.IndexInfo;
import io.vectory.sink.StoreUnavailableException;
import io.vectory.store.Deletions;
import io.vectory.store.SpaceStore;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** Shared exit codes, error reporting, store opening and output of the store verbs. */
final class StoreCommands {

  /** Bad input: an unknown space, id or option value. */
  static final int BAD_INPUT = 2;
  /** The store cannot be reached or read. */
  static final int UNAVAILABLE = 3;

  private StoreCommands() {}

  /**
   * A verb that reads or changes the store: checks its arguments, opens the store, runs with stdout (flushed after,
   * whatever happens) and maps failures to exit codes. Subclasses say what it does with the open store.
   */
  abstract static class Verb implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin StoreOptions storeOptions;

    /** Refuses bad arguments before the store opens: bad input is bad input even when the store is unreachable. */
    void check() {}

    abstract int run(SpaceStore store, PrintWriter out) throws Exception;

    @Override
    public final Integer call() {
      return StoreCommands.run(spec, () -> {
        check();
        PrintWriter out = spec.commandLine().getOut();
        try (SpaceStore store = storeOptions.open()) {
          return run(store, out);
        } finally {
          out.flush();
        }
      });
    }
  }

  /** The indices loaded with {@code embeddings load} (not checkpoints of a space). */
  static List<IndexInfo> loadedIndices(SpaceStore store) {
    return store.indices().stream().filter(i -> !i.isCheckpoint()).toList();
  }

  static void printDeleted(PrintWriter out, Deletions.Report report) {
    for (String line : report.deleted()) out.println("deleted " + line);
  }

  /** A group of verbs (dataset, experiment, embeddings) given without one: a usage error naming them. */
  abstract static class Group implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      List<String> names = List.copyOf(spec.subcommands().keySet());
      String last = names.get(names.size() - 1);
      String list = names.size() == 1 ? last : String.join(", ", names.subList(0, names.size() - 1)) + " or " + last;
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: " + list);
    }
  }

  /**
   * {@code delete NAME [--recursive]} of a dataset or an experiment: the same verb over another kind of entry.
   * Subclasses say which deletion runs; their command's description names the dependents.
   */
  abstract static class NamedDelete extends Verb {

    @CommandLine.Parameters(index = "0", paramLabel = "NAME", description = "The ${PARENT-COMMAND-NAME} to delete.")
    String name;

    @CommandLine.Option(names = "--recursive", description = "Also delete its dependents (named above).")
    boolean recursive;

    abstract Deletions.Report delete(Deletions deletions);

    @Override
    int run(SpaceStore store, PrintWriter out) {
      printDeleted(out, delete(new Deletions(store)));
      return 0;
    }
  }

  static int run(CommandLine.Model.CommandSpec spec, Callable<Integer> body) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.call();
    } catch (IllegalArgumentException e) {
      err.println("vectory " + spec.name() + ": " + e.getMessage());
      return BAD_INPUT;
    } catch (java.nio.file.NoSuchFileException e) {
      // A file the user named (a .npy/.npz SPACE, a -d CSV): input, like add's.
      err.println("vectory " + spec.name() + ": " + e.getFile() + ": no such file");
      return BAD_INPUT;
    } catch (java.io.IOException e) {
      // Reading a file the user named (bad .npy/.npz bytes, an unreadable file): the message names it.
      err.println("vectory " + spec.name() + ": " + e.getMessage());
      return BAD_INPUT;
    } catch (StoreUnavailableException | UncheckedIOException e) {
      err.println("vectory " + spec.name() + ": " + e.getMessage());
      return UNAVAILABLE;
    } catch (Exception e) {
      err.println("vectory " + spec.name() + ": " + e);
      return 1;
    } finally {
      err.flush();
    }
  }

  /**
   * Pads a table: columns left-aligned, two spaces apart; every cell shown through CheckpointNames.printable, so a
   * stored name cannot drive the terminal.
   */
  static String table(java.util.List<String[]> raw) {
    if (raw.isEmpty()) return "";
    java.util.List<String[]> rows = new java.util.ArrayList<>(raw.size());
    for (String[] r : raw) {
      String[] safe = new String[r.length];
      for (int c = 0; c < r.length; c++) safe[c] = r[c] == null ? null : io.vectory.schemas.CheckpointNames.printable(r[c]);
      rows.add(safe);
    }
    int cols = 0;
    for (String[] r : rows) cols = Math.max(cols, r.length);
    int[] w = new int[cols];
    for (String[] r : rows) for (int c = 0; c < r.length; c++) w[c] = Math.max(w[c], r[c] == null ? 4 : r[c].length());
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < r.length; c++) {
        String v = r[c] == null ? "-" : r[c];
        line.append(v);
        if (c < r.length - 1) line.append(" ".repeat(w[c] - v.length() + 2));
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
