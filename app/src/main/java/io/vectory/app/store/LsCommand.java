package io.vectory.app.store;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.schemas.CheckpointNames;
import io.vectory.sink.IndexInfo;
import io.vectory.store.SpaceStore;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vectory ls}: what the store holds. */
@Command(name = "ls", mixinStandardHelpOptions = true, sortOptions = false,
    description = "List datasets, experiments with their spaces and steps, indices, the latest comparisons, and the checkpoints the pipeline rejected.")
public final class LsCommand implements Callable<Integer> {

  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(names = "--comparisons", defaultValue = "10", paramLabel = "N", description = "How many latest comparisons to show (default: ${DEFAULT-VALUE}).")
  int latest;

  @Option(names = {"-e", "--experiment"}, paramLabel = "NAME", description = "Only this experiment.")
  String experiment;

  @Override
  public Integer call() {
    return StoreCommands.run(spec, () -> {
      PrintWriter out = spec.commandLine().getOut();
      try (SpaceStore store = storeOptions.open()) {
        List<IndexInfo> all = new ArrayList<>();
        for (IndexInfo i : store.indices()) if (experiment == null || experiment.equals(i.experiment())) all.add(i);
        out.println("Store: " + storeOptions.describe(store));
        List<String> datasets = all.stream().map(IndexInfo::dataset).filter(d -> d != null).distinct().sorted().toList();
        out.println("Datasets: " + (datasets.isEmpty() ? "none" : io.vectory.schemas.CheckpointNames.printable(String.join(", ", datasets))));

        Map<String, List<IndexInfo>> spaces = new LinkedHashMap<>();
        for (IndexInfo i : all) if (i.isCheckpoint()) spaces.computeIfAbsent(i.experiment() + "\u0000" + i.space(), x -> new ArrayList<>()).add(i);
        out.println();
        out.println("Experiments: " + (spaces.isEmpty() ? "none (run `vectory demo`, or the pipeline)" : ""));
        if (!spaces.isEmpty()) {
          List<String[]> rows = new ArrayList<>();
          rows.add(new String[] {"EXPERIMENT", "SPACE", "DATASET", "MODEL", "METRIC", "DIM", "ROWS", "STEPS"});
          for (List<IndexInfo> steps : spaces.values()) {
            IndexInfo last = steps.get(steps.size() - 1);
            StringBuilder s = new StringBuilder();
            for (IndexInfo i : steps) s.append(s.isEmpty() ? "" : ", ").append(i.step()).append(i.complete() ? "" : " (incomplete)");
            rows.add(new String[] {last.experiment(), last.space(), last.dataset(), last.model(), last.metric().label(),
                Integer.toString(last.dimension()), Long.toString(last.rows()), s.toString()});
          }
          out.print(StoreCommands.table(rows));
        }

        out.println();
        out.println("Indices: " + (all.isEmpty() ? "none" : all.size()));
        if (!all.isEmpty()) {
          List<String[]> rows = new ArrayList<>();
          rows.add(new String[] {"NAME", "KIND", "ROWS", "DIM", "SIMILARITY", "MODEL", "STATE", "INDEX"});
          for (IndexInfo i : all) {
            rows.add(new String[] {i.name(), i.kind(), Long.toString(i.rows()), Integer.toString(i.dimension()), i.metric().label(),
                i.knnModel(), i.complete() ? "complete" : "incomplete", i.physical()});
          }
          out.print(StoreCommands.table(rows));
        }

        List<ComparisonResult> comps = store.comparisons(experiment);
        out.println();
        out.println("Latest comparisons: " + (comps.isEmpty() ? "none" : comps.size() + " in all, newest " + Math.min(latest, comps.size()) + " shown"));
        if (!comps.isEmpty() && latest > 0) {
          List<String[]> rows = new ArrayList<>();
          rows.add(new String[] {"COMPUTED", "EXPERIMENT", "A", "B", "RELATION", "K", "METRICS", "SELF", "N", "MEAN JACCARD", "CKA"});
          for (ComparisonResult c : comps.subList(Math.max(0, comps.size() - latest), comps.size())) {
            rows.add(new String[] {TIME.format(c.getComputedAt()), c.getA().getExperiment(),
                c.getA().getSpace() + "@" + c.getA().getStep(), c.getB().getSpace() + "@" + c.getB().getStep(),
                c.getRelation().name().toLowerCase(Locale.ROOT), Integer.toString(c.getK()),
                c.getMetricA().name().toLowerCase(Locale.ROOT) + "/" + c.getMetricB().name().toLowerCase(Locale.ROOT),
                c.getIncludeSelf() ? "yes" : "no", Long.toString(c.getN()),
                meanJaccard(c),
                c.getCka() == null ? "-" : String.format(Locale.ROOT, "%.4f", c.getCka())});
          }
          out.print(StoreCommands.table(rows));
        }
        rejected(out, store.deadLetters(experiment));
        int alerts = store.alerts(experiment).size();
        if (alerts > 0) out.println("\nDrift alerts: " + alerts + " (see `vectory report`)");
        out.flush();
      }
      return 0;
    });
  }

  /**
   * The checkpoints the pipeline rejected (its dead letters, in the store's rejections), newest last, each with its
   * reason; "none" when there are none. A record that could not even be decoded has no space or step: its source
   * topic and offset stand in.
   */
  static void rejected(PrintWriter out, List<DeadLetter> dead) {
    out.println();
    out.println("Rejected: " + (dead.isEmpty() ? "none" : dead.size() + " (the pipeline dropped these; fix what the reason says and publish again)"));
    if (dead.isEmpty()) return;
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"WHEN", "EXPERIMENT", "SPACE", "STEP", "REASON"});
    for (DeadLetter d : dead) {
      CheckpointKey k = CheckpointNames.parse(d.getCheckpoint());
      rows.add(new String[] {TIME.format(d.getFailedAt()), k != null ? k.getExperiment() : d.getKey(),
          k != null ? k.getSpace() : d.getSourceTopic() + "@" + d.getOffset(), k != null ? Long.toString(k.getStep()) : null, d.getReason()});
    }
    out.print(StoreCommands.table(rows));
  }

  /** The mean, and for a sampled comparison its queries and 95% CI (when the record carries them). */
  static String meanJaccard(ComparisonResult c) {
    if (c.getExact()) return String.format(Locale.ROOT, "%.4f", c.getMeanJaccard());
    if (c.getCiLow() == null) return String.format(Locale.ROOT, "%.4f (sampled)", c.getMeanJaccard());
    return String.format(Locale.ROOT, "%.4f (sampled %d, CI %.4f-%.4f)", c.getMeanJaccard(), c.getQueries(), c.getCiLow(), c.getCiHigh());
  }
}
