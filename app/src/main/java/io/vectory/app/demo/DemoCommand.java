package io.vectory.app.demo;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.Relation;
import io.vectory.ingest.PublishResult;
import io.vectory.app.DataDirOption;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code vectory demo}: train a small embedding model for real and watch the pipeline compare its checkpoints. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Train a small embedding model on real data and watch Vectory compare each checkpoint as it lands, all in this JVM:",
      "an in-process Kafka broker, the Streams app, the embedded store (kept under the data folder, so `vectory ls`,",
      "`query` and `compare` see the run afterwards) and a training loop publishing one checkpoint per epoch.",
      "The model: real sentence embeddings (all-MiniLM-L6-v2, quantised, in-process ONNX; cached after the first run)",
      "of 1,307 labelled fortunes, and a linear 384→64 head trained with a triplet loss over the labels.",
      "By default epoch 6 runs with a 10x learning rate, a deliberate drift the pipeline should flag."
    })
public final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--epochs", description = "Training epochs, one checkpoint each (default ${DEFAULT-VALUE}).", defaultValue = "8")
  int epochs;

  @Option(names = "--json", description = "Print each comparison result as one JSON object per line on stdout (progress goes to stderr).")
  boolean json;

  @Mixin DataDirOption dataDir;

  @Option(names = "--experiment", description = "Experiment name, new to the store (default: fortunes-demo, or fortunes-demo-2, -3, ... when taken).")
  String experiment;

  @Option(names = "--drift-epoch", description = "Epoch trained with a raised learning rate, a deliberate drift; 0 turns it off (default ${DEFAULT-VALUE}).", defaultValue = "6")
  int driftEpoch;

  @Option(names = "--drift-lr-factor", description = "Learning-rate multiplier in the drift epoch (default ${DEFAULT-VALUE}).", defaultValue = "10")
  double driftFactor;

  @Option(names = "--seed", description = "Seed of the head's initial weights and the batch order (default ${DEFAULT-VALUE}).", defaultValue = "7")
  long seed;

  @Option(names = "-k", description = "Neighbours per point in the comparisons (default ${DEFAULT-VALUE}).", defaultValue = "10")
  int k;

  @Option(names = "--png", paramLabel = "FILE", description = "Where to write the chart (default <data dir>/demo/<experiment>-jaccard.png).")
  Path png;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the pipeline after the last checkpoint (default ${DEFAULT-VALUE}).", defaultValue = "120")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    if (epochs < 2) throw new ParameterException(spec.commandLine(), "--epochs must be at least 2 (comparisons start at the second checkpoint), got " + epochs);
    if (k < 1) throw new ParameterException(spec.commandLine(), "-k must be at least 1, got " + k);
    if (experiment != null && (experiment.isBlank() || experiment.contains("/") || experiment.contains("@"))) {
      throw new ParameterException(spec.commandLine(), "--experiment must be a non-empty name without '/' or '@', got '" + experiment + "'");
    }
    if (driftEpoch < 0) throw new ParameterException(spec.commandLine(), "--drift-epoch must be 0 (off) or an epoch, got " + driftEpoch);
    PrintStream out = System.out, err = System.err;
    PrintStream human = json ? err : out;
    Path dir = dataDir.resolved();
    MetricLearningTrainer.Config training = MetricLearningTrainer.Config.defaults().withEpochs(epochs).withSeed(seed).withDrift(driftEpoch, driftFactor);
    if (driftEpoch > epochs) human.printf("note: --drift-epoch %d is past the last epoch %d, so this run has no deliberate drift%n", driftEpoch, epochs);
    human.println("vectory demo: a real training run, compared checkpoint by checkpoint by the Vectory pipeline, in one JVM");

    Path logFile = dir.resolve("demo").resolve("last-run.log");
    java.nio.file.Files.createDirectories(logFile.getParent());
    DemoLogging.toFile(logFile);
    human.println("  logs of the broker, Streams and clients: " + logFile.toAbsolutePath());
    Printer printer = new Printer(human, json ? out : null);
    DemoRun.Result result;
    try {
      result = DemoRun.run(new DemoRun.Options(training, dir, experiment, k, Duration.ofSeconds(timeoutSeconds)), printer);
    } catch (Exception e) {
      err.println("vectory demo: failed: " + e.getMessage());
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) err.println("  caused by: " + c);
      err.println("  the broker's, Streams' and clients' logs: " + logFile.toAbsolutePath());
      return 1;
    }

    SortedMap<Long, Double> prev = new TreeMap<>(), first = new TreeMap<>();
    for (ComparisonResult r : result.comparisons()) {
      (r.getRelation() == Relation.PREVIOUS ? prev : first).put(r.getA().getStep(), r.getMeanJaccard());
    }
    TreeSet<Long> alertSteps = new TreeSet<>();
    for (DriftAlert a : result.alerts()) alertSteps.add(a.getA().getStep());
    String experiment = result.experiment();
    JaccardChart chart = new JaccardChart(String.format("%s/%s: mean %d-NN Jaccard (cosine, self excluded) over training", experiment, DemoRun.SPACE, k),
        prev, first, alertSteps);
    human.println();
    human.print(chart.toText());
    Path pngFile = png != null ? png : dir.resolve("demo").resolve(experiment + "-jaccard.png");
    chart.writePng(pngFile);
    human.println("chart: " + pngFile.toAbsolutePath());

    DemoRun.Timings t = result.timings();
    human.printf("%ntimes (wall, %d cores): embeddings %.1f s (%s), broker start %.1f s, Streams start %.1f s, training %.2f s, publishing %.2f s, "
            + "last comparison %.2f s after the last publish, total %.1f s%n",
        Runtime.getRuntime().availableProcessors(), t.embed() / 1e9, t.embeddingsCached() ? "read from cache" : "encoded now, cached for next time",
        t.brokerStart() / 1e9, t.streamsStart() / 1e9, t.train() / 1e9, t.publish() / 1e9, t.drain() / 1e9, t.total() / 1e9);
    human.printf("stored: %d checkpoint indices of %s/%s and %d comparisons, %d drift alert(s) in %s%n", result.indices().size(), experiment,
        DemoRun.SPACE, result.comparisons().size(), result.alerts().size(), result.dataDir());
    String dd = dataDir.given() == null ? "" : " --data-dir " + dir;
    human.printf("next: vectory ls%s%n      vectory query %s/%s@%d %s --vs %s/%s@1%s%n      vectory report %s%s%n", dd, experiment, DemoRun.SPACE,
        epochs, result.checkpoints().getFirst().ids().getFirst(), experiment, DemoRun.SPACE, dd, experiment, dd);
    return 0;
  }

  /** Prints as things happen; the trainer thread and the store feeder thread both call it. */
  static final class Printer implements DemoRun.Listener {
    private final PrintStream human;
    private final PrintStream json;
    private final Map<Long, ComparisonResult> pendingPrev = new HashMap<>(), pendingFirst = new HashMap<>();
    private boolean headerShown;

    Printer(PrintStream human, PrintStream json) {
      this.human = human;
      this.json = json;
    }

    @Override
    public synchronized void stage(String message) {
      human.println("  " + message);
    }

    @Override
    public synchronized void embeddings(SentenceEncoder.Embeddings e) {
      if (e.fromCache()) {
        human.printf("  embeddings: %s, %d × %d, read from the cache %s%n", SentenceEncoder.MODEL, e.rows(), e.dim(), e.cacheFile());
      } else {
        human.printf("  embeddings: %s, %d × %d, encoded in %.1f s on %d cores (in-process ONNX), cached at %s%n", SentenceEncoder.MODEL,
            e.rows(), e.dim(), e.encodeNanos() / 1e9, Runtime.getRuntime().availableProcessors(), e.cacheFile());
      }
    }

    @Override
    public synchronized void published(MetricLearningTrainer.Checkpoint c, PublishResult r, double knnAccuracy) {
      if (!headerShown) {
        human.println();
        headerShown = true;
      }
      human.printf("epoch %2d  triplet loss %.4f  10-NN label accuracy (train) %.3f  lr %s%s  → published %s (%d × %d, %d chunk%s, %d ms)%n",
          c.step(), c.loss(), knnAccuracy, c.learningRate(), c.drift() ? " (drift!)" : "", r.checkpoint(), r.rows(), r.dimension(),
          r.chunks(), r.chunks() == 1 ? "" : "s", Math.round(r.nanos() / 1e6));
    }

    @Override
    public synchronized void comparison(ComparisonResult r) {
      if (json != null) {
        json.println(ComparisonJson.toJson(r));
        json.flush();
      }
      long step = r.getA().getStep();
      (r.getRelation() == Relation.PREVIOUS ? pendingPrev : r.getRelation() == Relation.FIRST ? pendingFirst : new HashMap<Long, ComparisonResult>()).put(step, r);
      ComparisonResult p = pendingPrev.get(step), f = pendingFirst.get(step);
      if (r.getRelation() == Relation.PINNED) {
        human.printf("   step %2d  Jaccard with pinned %s@%d %.3f%n", step, r.getB().getSpace(), r.getB().getStep(), r.getMeanJaccard());
        return;
      }
      if (p == null || f == null) return;
      pendingPrev.remove(step);
      pendingFirst.remove(step);
      human.printf("   step %2d  Jaccard with previous (@%d) %.3f   with first (@%d) %.3f   CKA %s   [k=%d, %s, self %s, %s, n=%d, %d ms]%n",
          step, p.getB().getStep(), p.getMeanJaccard(), f.getB().getStep(), f.getMeanJaccard(),
          p.getCka() == null ? "n/a" : String.format("%.3f", p.getCka()), p.getK(), p.getMetricA().name().toLowerCase(),
          p.getIncludeSelf() ? "included" : "excluded", p.getExact() ? "exact" : "sampled", p.getN(), p.getComputeMillis());
    }

    @Override
    public synchronized void alert(DriftAlert a) {
      human.printf("   ⚠ DRIFT ALERT at step %d (%s): %s%n", a.getA().getStep(), a.getRule(), a.getMessage());
    }
  }
}
