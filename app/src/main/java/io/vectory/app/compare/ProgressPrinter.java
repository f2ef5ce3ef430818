package io.vectory.app.compare;

import io.vectory.core.compare.ProgressListener;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Percent done on stderr once a task has run a second: on a terminal one line rewritten at most twice a
 * second; elsewhere (a log, a pipe, a test) a new line every {@value #LOG_EVERY_SECONDS} seconds, so logs get
 * readable lines instead of a carriage-return stream.
 */
public final class ProgressPrinter implements ProgressListener {

  static final int LOG_EVERY_SECONDS = 5;

  private final PrintWriter err;
  private final String label;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long last;
  private boolean shown;

  public ProgressPrinter(PrintWriter err, String label) {
    this(err, label, stderrIsTerminal());
  }

  ProgressPrinter(PrintWriter err, String label, boolean terminal) {
    this.err = err;
    this.label = label;
    this.terminal = terminal;
  }

  @Override
  public synchronized void progress(long done, long total) {
    long now = System.nanoTime();
    long every = terminal ? 500_000_000L : LOG_EVERY_SECONDS * 1_000_000_000L;
    if (now - start < 1_000_000_000L || (shown && now - last < every)) return;
    last = now;
    shown = true;
    String line = String.format(Locale.ROOT, "%s: %3d%% (%.0f s)", label, total == 0 ? 100 : (int) (100 * done / total), (now - start) / 1e9);
    if (terminal) err.print("\r" + line);
    else err.println(line);
    err.flush();
  }

  public synchronized void finish() {
    if (!shown) return;
    if (terminal) err.println("\r" + label + ": 100%           ");
    else err.println(label + ": 100%");
    err.flush();
  }

  /**
   * Whether stderr is a terminal: the JDK's Console.isTerminal() (Java 22+, looked up because the code is
   * compiled for 21, where a console exists only on a terminal).
   */
  static boolean stderrIsTerminal() {
    Console c = System.console();
    if (c == null) return false;
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
