package io.vectory.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vectory} command: the one entry point of the app module. Each verb is its own class, listed in
 * {@link #VERBS}.
 */
@Command(
    name = "vectory",
    mixinStandardHelpOptions = true,
    versionProvider = VectoryCli.Version.class,
    description = "Track and compare embedding spaces while models train.")
public final class VectoryCli implements Runnable {

  /** The verbs, in the order the command list shows them. */
  static final List<Class<?>> VERBS = List.of(
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
      io.vectory.app.pipeline.PipelineCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No verb given: show what there is, and fail like any other usage error.
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Held so the JUL level sticks: Lucene announces its vector provider on every start, at INFO. */
  private static final java.util.logging.Logger LUCENE_LOG = java.util.logging.Logger.getLogger("org.apache.lucene");
  private static final java.util.logging.Logger LUCENE_VECTOR_LOG =
      java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

  public static void main(String[] args) {
    LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    // ./vectory runs compare on the native kernel without the Vector API module (the JVM starts sooner); Lucene's
    // advice to add the module is then noise for the few vectors a compare of stored spaces reads through it.
    if (Boolean.getBoolean("vectory.withoutVectorModule")) LUCENE_VECTOR_LOG.setLevel(java.util.logging.Level.SEVERE);
    // The compare engine's warm-up (about 0.2 s in a fresh JVM with the Vector API kernel) starts before anything else,
    // so it overlaps picocli and the file reading instead of following them.
    if (args.length > 0 && args[0].equals("compare")) io.vectory.app.compare.CompareCommand.warmUpEarly(args);
    System.exit(commandLineFor(args).execute(args));
  }

  /** The command line main runs {@code args} on: the named verb alone, or the whole tree (help, usage errors). */
  public static CommandLine commandLineFor(String... args) {
    return newCommandLine(verbNamed(args.length > 0 ? args[0] : null));
  }

  /** The configured command line; tests run commands through it without exiting the JVM. */
  public static CommandLine newCommandLine() {
    return newCommandLine(null);
  }

  /**
   * With {@code only} (a verb's class), the command line holds that verb alone: picocli builds every command it holds
   * from its annotations at start, about 0.1 s of a cold JVM for all of them, which a single verb (a compare of a few
   * thousand points takes about a second) should not pay. The verb parses and runs exactly as in the full tree.
   */
  static CommandLine newCommandLine(Class<?> only) {
    CommandLine cl = new CommandLine(new VectoryCli());
    for (Class<?> verb : VERBS) if (only == null || verb == only) cl.addSubcommand(verb);
    cl.setCaseInsensitiveEnumValuesAllowed(true).setParameterExceptionHandler(VectoryCli::usageError);
    wholeSentenceCommandLists(cl);
    return cl;
  }

  /** The verb class whose name or alias is {@code arg}; null for none, and for help, which lists all verbs. */
  static Class<?> verbNamed(String arg) {
    if (arg == null) return null;
    for (Class<?> verb : VERBS) {
      if (verb == CommandLine.HelpCommand.class) continue;
      Command c = verb.getAnnotation(Command.class);
      if (c.name().equals(arg) || List.of(c.aliases()).contains(arg)) return verb;
    }
    return null;
  }

  /**
   * Picocli's command list shows the first line of each command's description, which cuts most of ours
   * mid-phrase; ours shows each command's first whole sentence instead, on every level (vectory, embeddings, ...).
   */
  private static void wholeSentenceCommandLists(CommandLine cl) {
    cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, VectoryCli::commandList);
    for (CommandLine sub : cl.getSubcommands().values()) wholeSentenceCommandLists(sub);
  }

  private static String commandList(CommandLine.Help help) {
    Map<String, CommandLine.Help> subs = help.subcommands();
    if (subs.isEmpty()) return "";
    int nameWidth = 0;
    for (String name : subs.keySet()) nameWidth = Math.max(nameWidth, name.length());
    int width = help.commandSpec().usageMessage().width();
    int first = Math.min(nameWidth + 4, width / 3);
    CommandLine.Help.TextTable table = CommandLine.Help.TextTable.forColumns(help.colorScheme(),
        new CommandLine.Help.Column(first, 2, CommandLine.Help.Column.Overflow.SPAN),
        new CommandLine.Help.Column(width - first, 1, CommandLine.Help.Column.Overflow.WRAP));
    for (var e : subs.entrySet()) {
      CommandLine.Model.UsageMessageSpec u = e.getValue().commandSpec().usageMessage();
      String[] text = u.header().length > 0 ? u.header() : u.description();
      table.addRowValues(e.getKey(), firstSentence(String.join(" ", text)));
    }
    return table.toString();
  }

  /**
   * Up to the first full stop that ends a sentence (followed by a space and a capital, or the end); a
   * sentence that introduces a list ("...: - a; - b") ends at its colon.
   */
  static String firstSentence(String text) {
    String t = text.strip().replaceAll("\\s+", " ");
    int list = t.indexOf(": - ");
    if (list > 0 && !t.substring(0, list).contains(". ")) return t.substring(0, list) + ".";
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) != '.') continue;
      if (i == t.length() - 1) return t;
      if (t.charAt(i + 1) == ' ' && i + 2 < t.length() && Character.isUpperCase(t.charAt(i + 2))) return t.substring(0, i + 1);
    }
    return t;
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
