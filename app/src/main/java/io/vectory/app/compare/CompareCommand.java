package io.vectory.app.compare;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.npy.Npy;
import io.vectory.core.space.AlignedPair;
import io.vectory.core.space.Metadata;
import io.vectory.core.space.NpySpaceSource;
import io.vectory.core.space.Space;
import io.vectory.core.space.Spaces;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import io.vectory.sink.IndexInfo;
import io.vectory.store.RegisteredSpaceSource;
import io.vectory.store.SpaceStore;
import io.vectory.store.StoredComparison;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vectory compare A B}: exact k-NN Jaccard and linear CKA between two embedding spaces over the same points. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare two embedding spaces over the same points: for each point, the Jaccard index of its k nearest",
      "neighbours in A and in B; their mean and 10-bin histogram; and linear CKA. Exact by default.",
      "A and B are .npy or .npz files (rows = points). Points are matched by id: an .npz 'ids' array, the",
      "--id-field of the -d CSV, or else the row number. They may also be registered spaces",
      "(a space name, experiment/space@step, experiment/space for its latest step, or an index name) in the store;",
      "their exact k-NN lists are then kept in the store, so comparing them again costs only the Jaccard merge."
    },
    sortOptions = false)
public final class CompareCommand implements Callable<Integer> {
  /** Exit code for bad input (a file, field or option we cannot use). */
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "A", description = "The first space: a .npy or .npz file, or a registered space name.")
  String a;

  @Parameters(index = "1", paramLabel = "B", description = "The second space: a .npy or .npz file, or a registered space name.")
  String b;

  @Option(names = "-k", defaultValue = "10", description = "Neighbours per point, 1..n-1 (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = {"-ma", "--metric-a"}, defaultValue = "cosine", paramLabel = "METRIC",
      description = "Metric in A: cosine, euclidean (l2) or dot (default: ${DEFAULT-VALUE}).")
  String metricA;

  @Option(names = {"-mb", "--metric-b"}, defaultValue = "cosine", paramLabel = "METRIC",
      description = "Metric in B (default: ${DEFAULT-VALUE}).")
  String metricB;

  @Option(names = "--include-self", description = "Count each point as its own neighbour (Vectory's old behaviour).")
  boolean includeSelf;

  @Option(names = "--histogram", arity = "0..1", fallbackValue = "jaccard-histogram.png", paramLabel = "FILE.png",
      description = "Also write the histogram as a PNG bar chart (default file: ${FALLBACK-VALUE}).")
  Path histogramPng;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(names = {"-d", "--data"}, paramLabel = "CSV", description = "Metadata CSV with a header, one row per point of A, in A's row order.")
  Path metadata;

  @Option(names = "--id-field", paramLabel = "F", description = "The CSV field holding point ids (default: the row number).")
  String idField;

  @Option(names = "--label-field", paramLabel = "L", description = "The metadata field holding a label (in the -d CSV, or of a registered space); the mean is also given per label, lowest first.")
  String labelField;

  @Option(names = "--array", paramLabel = "NAME", description = "The .npz array holding the vectors (default: the first that is not 'ids').")
  String arrayName;

  @Option(names = "--sample", paramLabel = "M|auto", defaultValue = "0",
      description = "Use M random query points (each searched exactly against all points) and report a 95%% confidence interval; "
          + "'auto' picks M for the half-width --ci asks; 0 means all points.")
  String sample;

  @Option(names = "--ci", paramLabel = "H",
      description = "With --sample auto (implied): the 95%% confidence interval's largest half-width (default 0.005).")
  Double ciHalfWidth;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed for --sample (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--precompute", description = "Accepted for Vectory's scripts: the k-NN lists of registered spaces are always computed when first needed and kept.")
  boolean precompute;

  @Option(names = "--no-cache", description = "Recompute the k-NN lists of registered spaces even when kept ones exist (and keep the new ones).")
  boolean noCache;

  @Option(names = "--worst", paramLabel = "N", defaultValue = "0",
      description = "List the N points with the lowest Jaccard, with their metadata and their neighbours in A and in B.")
  int worst;

  @Option(names = "--per-point", paramLabel = "FILE.csv", description = "Write every query point's Jaccard, with its id and metadata, to a CSV file.")
  Path perPoint;

  /** Where registered space names are looked up. */
  @CommandLine.Mixin io.vectory.app.store.StoreOptions storeOptions;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    try {
      run(out, err);
      return 0;
    } catch (NoSuchFileException e) {
      err.println("vectory compare: " + e.getFile() + ": no such file");
    } catch (IOException | IllegalArgumentException e) {
      err.println("vectory compare: " + e.getMessage());
    } catch (OutOfMemoryError e) {
      err.println("vectory compare: out of memory; raise the heap (VECTORY_JAVA_OPTS=-Xmx16g) or use --sample M");
      err.flush();
      return 1;
    } catch (RuntimeException e) {
      // Not a known bad input: still one line, no stack trace, and a distinct exit code.
      err.println("vectory compare: failed: " + e);
      err.flush();
      return 1;
    }
    err.flush();
    return BAD_INPUT;
  }

  private boolean autoSample() {
    return "auto".equals(sample) || (ciHalfWidth != null && "0".equals(sample));
  }

  private double ciHalfWidth() {
    double h = ciHalfWidth == null ? 0.005 : ciHalfWidth;
    if (!(h > 0 && h < 1)) throw new IllegalArgumentException("--ci must be a half-width between 0 and 1 (e.g. 0.005), got " + ciHalfWidth);
    return h;
  }

  /** The fixed sample size of --sample M (0: every point, or auto, decided later). */
  private int sampleSize() {
    if (autoSample()) {
      ciHalfWidth();
      return 0;
    }
    int m;
    try {
      m = Integer.parseInt(sample);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--sample must be 0 (all points), a number of query points or 'auto', got '" + sample + "'");
    }
    if (m < 0) throw new IllegalArgumentException("--sample must be 0 (all points) or positive, got " + m);
    if (ciHalfWidth != null) throw new IllegalArgumentException("--ci goes with --sample auto, not with a fixed --sample " + m);
    return m;
  }

  private void run(PrintWriter out, PrintWriter err) throws IOException {
    Metric ma = Metric.parse(metricA);
    Metric mb = Metric.parse(metricB);
    if (k < 1) throw new IllegalArgumentException("-k must be at least 1, got " + k);
    sampleSize(); // fail on a bad --sample/--ci before any file is read
    if (worst < 0) throw new IllegalArgumentException("--worst must be 0 or positive, got " + worst);
    if (metadata == null && idField != null) throw new IllegalArgumentException("--id-field needs a metadata CSV (-d FILE)");
    long t0 = System.nanoTime();
    // Registered names (experiment/space@step, ...) after the files; lazy, so file-only runs never open a store.
    SpaceStore[] opened = new SpaceStore[1];
    try {
      run(out, err, ma, mb, t0, () -> opened[0] == null ? opened[0] = storeOptions.open() : opened[0]);
    } finally {
      if (opened[0] != null) opened[0].close();
    }
  }

  private void run(PrintWriter out, PrintWriter err, Metric ma, Metric mb, long t0, java.util.function.Supplier<SpaceStore> store) throws IOException {
    Loaded la = load(a, store);
    Loaded lb = load(b, store);
    Space sa = la.space();
    Space sb = lb.space();
    if (metadata != null) {
      Metadata md = Metadata.read(metadata);
      if (labelField != null) md.column(labelField); // fail early, naming the file, when the field is missing
      sa = md.attach(sa, la.ownIds(), idField);
      if (!lb.ownIds()) {
        if (sb.vectors().rows() != md.rows().size()) {
          throw new IllegalArgumentException(metadata + ": " + md.rows().size() + " data rows, but " + sb.name() + " has "
              + sb.vectors().rows() + " vectors and no ids of its own; expected one CSV row per vector");
        }
        sb = md.attach(sb, false, idField);
      }
    } else if (labelField != null && !sa.columns().containsKey(labelField)) {
      throw new IllegalArgumentException("--label-field " + labelField + ": " + sa.name() + " has no such metadata field"
          + (sa.columns().isEmpty() ? " (it has none; give a CSV with -d)" : "; it has " + sa.columns().keySet()));
    }
    requireNonZero(sa, ma, "-ma");
    requireNonZero(sb, mb, "-mb");
    AlignedPair pair = Spaces.alignById(sa, sb);
    int n = pair.ids().size();
    if (n < 2) throw new IllegalArgumentException("need at least 2 points to compare, the spaces hold " + n);
    if (k > n - 1) throw new IllegalArgumentException("-k must be between 1 and n - 1 = " + (n - 1) + ", got " + k);
    CompareOptions options = new CompareOptions(k, ma, mb, includeSelf, sampleSize(), seed);
    ProgressPrinter progress = new ProgressPrinter(err, "comparing");
    ComparisonOutcome o;
    KnnSource knn;
    if (autoSample()) {
      // Sample size by the CI: computed here, never from kept lists, whose queries are fixed.
      o = SpaceComparator.compareWithin(pair.a(), pair.b(), options, ciHalfWidth(), progress);
      knn = new KnnSource(true, true, false, false);
    } else if (la.info() != null && lb.info() != null && metadata == null) {
      StoredComparison.Outcome c = StoredComparison.compare(store.get(), la.info(), sa, lb.info(), sb, options, noCache, progress);
      o = c.outcome();
      knn = new KnnSource(c.passA(), c.passB(), c.kept(), c.kept());
    } else {
      o = SpaceComparator.compare(pair.a(), pair.b(), options, progress);
      knn = new KnnSource(true, true, false, false);
    }
    progress.finish();
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> byLabel = null;
    Map<String, Long> countByLabel = null;
    String[] labels = labelField == null ? null : sa.columns().get(labelField).toArray(String[]::new);
    if (labels != null) {
      byLabel = Report.lowestFirst(o.meanByLabel(labels));
      countByLabel = new java.util.TreeMap<>();
      for (int q : o.queryRows()) countByLabel.merge(labels[q], 1L, Long::sum);
    }
    List<WorstPoints.Point> worstPoints = worst == 0 ? List.of() : WorstPoints.of(o, pair, sa, worst, options);
    if (histogramPng != null) HistogramChart.write(histogramPng, o, sa.name() + " vs " + sb.name());
    if (perPoint != null) WorstPoints.writePerPoint(perPoint, o, sa);
    if (json) {
      out.println(Report.json(o, byLabel, seconds, sa, sb, knn, worstPoints, autoSample() ? ciHalfWidth() : null));
    } else {
      out.print(Report.text(o, byLabel, countByLabel, seconds, sa, sb, autoSample() ? ciHalfWidth() : null));
      out.print(Report.knnText(knn));
      if (!worstPoints.isEmpty()) out.print(WorstPoints.text(worstPoints, sa, sb));
      if (histogramPng != null) out.println("Histogram chart written to " + histogramPng.toAbsolutePath());
      if (perPoint != null) out.println("Per-point Jaccard written to " + perPoint.toAbsolutePath());
    }
    out.flush();
  }

  /**
   * Called by main before the command line is even built: when the arguments name two .npy files, their shapes from
   * the headers alone start loading the engine's kernel (SpaceComparator#warmUpInBackground: the native library, or
   * the Vector API kernel's warm-up) for a job large enough to need it, so it overlaps building the command line and
   * reading the files; a compare of a few thousand points otherwise waits for it. Anything else (an
   * .npz, a registered space, a bad file, --sample auto) starts nothing, and the command reports what is wrong.
   * Returns the warm-up's thread, or null when none started.
   */
  public static Thread warmUpEarly(String[] args) {
    List<String> files = new java.util.ArrayList<>();
    int sample = 0;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--sample") && i + 1 < args.length) {
        arg = "--sample=" + args[++i];
      }
      if (arg.startsWith("--sample=")) {
        try {
          sample = Integer.parseInt(arg.substring("--sample=".length()));
        } catch (NumberFormatException e) {
          return null; // auto, or a bad value the command will name
        }
      } else if (isNpy(arg)) {
        files.add(arg);
      }
    }
    if (files.size() != 2) return null;
    try {
      long[] sa = Npy.read(Path.of(files.get(0))).shape();
      long[] sb = Npy.read(Path.of(files.get(1))).shape();
      if (sa.length != 2 || sb.length != 2 || Math.min(sa[0], sb[0]) < 2 || sample < 0) return null;
      return SpaceComparator.warmUpInBackground((int) Math.min(sa[0], sb[0]), (int) sa[1], (int) sb[1],
          CompareOptions.defaults().withSample(sample, 0L));
    } catch (IOException | RuntimeException e) {
      return null; // not ours to report: the command that follows names the file and what it expected
    }
  }

  private static boolean isNpy(String argument) {
    return argument.toLowerCase(java.util.Locale.ROOT).endsWith(".npy") && java.nio.file.Files.isRegularFile(Path.of(argument));
  }

  /**
   * Where each space's k-NN lists came from: {@code passA} a k-NN pass over A ran in this command (false: kept
   * lists were read); {@code keptA} the lists are kept in the store for later comparisons.
   */
  record KnnSource(boolean passA, boolean passB, boolean keptA, boolean keptB) {
    int passes() {
      return (passA ? 1 : 0) + (passB ? 1 : 0);
    }
  }

  private static void requireNonZero(Space s, Metric m, String option) {
    if (m != Metric.COSINE) return;
    int r = s.vectors().firstZeroRow();
    if (r >= 0) {
      throw new IllegalArgumentException(s.name() + ": row " + r + " (id '" + s.ids().get(r) + "') is a zero vector;"
          + " cosine distance is undefined for it (use " + option + " euclidean or dot, or drop the row)");
    }
  }

  /** A loaded space; {@code info} is its store entry when it is a registered space, else null. */
  record Loaded(Space space, boolean ownIds, IndexInfo info) {}

  private Loaded load(String argument, java.util.function.Supplier<SpaceStore> store) throws IOException {
    if (NpySpaceSource.looksLikeFile(argument)) {
      NpySpaceSource.Loaded l = new NpySpaceSource(arrayName).load(Path.of(argument));
      return new Loaded(l.space(), l.ownIds(), null);
    }
    SpaceStore s = store.get();
    Optional<IndexInfo> info = s.find(argument);
    if (info.isPresent()) return new Loaded(s.loadSpace(info.get().name()), true, info.get());
    throw new IllegalArgumentException(argument + ": no such file; expected a .npy or .npz file or "
        + new RegisteredSpaceSource(s).describe() + " (" + s.noSuchIndex(argument) + ")");
  }

}
