package io.vectory.app.store;

import io.vectory.sink.StoreUnavailableException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** Shared exit codes and error reporting of the store verbs. */
final class StoreCommands {

  /** Bad input: an unknown space, id or option value. */
  static final int BAD_INPUT = 2;
  /** The store cannot be reached or read. */
  static final int UNAVAILABLE = 3;

  private StoreCommands() {}

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
