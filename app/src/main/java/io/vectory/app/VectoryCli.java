package io.vectory.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vectory} command: the one entry point of the app module. Each verb is its own class,
 * registered in {@code subcommands} below.
 */
@Command(
    name = "vectory",
    mixinStandardHelpOptions = true,
    versionProvider = VectoryCli.Version.class,
    description = "Track and compare embedding spaces while models train.",
    subcommands = {
      CommandLine.HelpCommand.class,
      io.vectory.app.compare.CompareCommand.class,
      io.vectory.app.demo.DemoCommand.class,
      io.vectory.app.stack.StackCommand.class,
      io.vectory.app.ingest.AddCommand.class,
      io.vectory.app.ingest.ServeIngestCommand.class,
      io.vectory.app.report.ReportCommand.class,
      io.vectory.app.store.LsCommand.class,
      io.vectory.app.store.EmbeddingsCommand.class,
      io.vectory.app.store.DatasetCommand.class,
      io.vectory.app.store.ExperimentCommand.class,
      io.vectory.app.store.QueryCommand.class,
      io.vectory.app.web.RunCommand.class,
      io.vectory.app.pipeline.PipelineCommand.class,
    })
public final class VectoryCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No verb given: show what there is, and fail like any other usage error.
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Held so the JUL level sticks: Lucene announces its vector provider on every start, at INFO. */
  private static final java.util.logging.Logger LUCENE_LOG = java.util.logging.Logger.getLogger("org.apache.lucene");

  public static void main(String[] args) {
    LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(newCommandLine().execute(args));
  }

  /** The configured command line; tests run commands through it without exiting the JVM. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new VectoryCli())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(VectoryCli::usageError);
  }

  /**
   * Picocli's default handler prints only "Did you mean ...?" for a near-miss command; a usage error
   * here always names the bad argument, shows suggestions when there are any, then the usage.
   */
  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    java.io.PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText(ex.getMessage()));
    if (ex instanceof CommandLine.UnmatchedArgumentException u) {
      CommandLine.UnmatchedArgumentException.printSuggestions(u, err);
    }
    cmd.usage(err, cmd.getColorScheme());
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = VectoryCli.class.getResourceAsStream("/vectory-version.properties")) {
        if (in != null) p.load(in);
      }
      return new String[] {
        "vectory " + p.getProperty("version", "unknown"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
