package io.vectory.app.report;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.Relation;
import io.vectory.store.SpaceStore;
import io.vectory.app.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vectory report EXPERIMENT}: the Jaccard over training and the latest histogram, for users without Grafana. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Draws the mean k-NN Jaccard of each checkpoint with the previous and with the first checkpoint over training,",
      "and the histogram of the latest comparison, from the stored comparison results (PNG, or HTML with inline SVG)."
    })
public final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "The experiment to draw.")
  String experiment;

  @Option(names = "--out", paramLabel = "FILE.png|FILE.html", description = "Where to write the chart (default: EXPERIMENT.png).")
  Path out;

  @Option(names = "--space", paramLabel = "SPACE", description = "The space to draw (default: the space of the latest comparison).")
  String space;

  @Mixin StoreOptions storeOptions;

  @Override
  public Integer call() throws Exception {
    Path target = out != null ? out : Path.of(experiment.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
    String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".png") && !name.endsWith(".html")) {
      System.err.println("vectory report: --out " + target + ": expected a file ending in .png or .html");
      return 2;
    }
    List<ComparisonResult> results;
    String where;
    try (SpaceStore store = storeOptions.open()) {
      where = store.location();
      results = store.comparisons(experiment);
    }
    ReportData data = fromResults(experiment, space, results);
    if (data == null) {
      System.err.println("vectory report: no comparison results for experiment '" + experiment + "'"
          + (space == null ? "" : " and space '" + space + "'") + " in " + where);
      return 1;
    }
    if (name.endsWith(".png")) ReportChart.writePng(data, target);
    else ReportChart.writeHtml(data, target);
    System.out.printf(Locale.ROOT, "Wrote %s: %d comparisons with the previous checkpoint, %d with the first (%s / %s, %s)%n",
        target, data.previous().size(), data.first().size(), data.experiment(), data.space(), data.settings());
    return 0;
  }

  /** The report of one experiment's results, or null when there are none (for the space, when given). */
  static ReportData fromResults(String experiment, String space, List<ComparisonResult> results) {
    List<ComparisonResult> mine = new ArrayList<>();
    for (ComparisonResult r : results) if (r.getA().getExperiment().equals(experiment)) mine.add(r);
    if (mine.isEmpty()) return null;
    mine.sort(Comparator.comparingLong(r -> r.getComputedAt().toEpochMilli()));
    String sp = space != null ? space : mine.getLast().getA().getSpace();
    List<ReportData.Point> previous = new ArrayList<>();
    List<ReportData.Point> first = new ArrayList<>();
    ComparisonResult latest = null;
    ComparisonResult any = null;
    for (ComparisonResult r : mine) {
      if (!r.getA().getSpace().equals(sp)) continue;
      any = r;
      ReportData.Point p = new ReportData.Point(r.getA().getStep(), r.getB().getStep(), r.getMeanJaccard(), r.getCka(),
          r.getHistogram().stream().mapToLong(Long::longValue).toArray());
      if (r.getRelation() == Relation.PREVIOUS) {
        previous.add(p);
        if (latest == null || r.getA().getStep() >= latest.getA().getStep()) latest = r;
      } else if (r.getRelation() == Relation.FIRST) {
        first.add(p);
      }
    }
    if (any == null || (previous.isEmpty() && first.isEmpty())) return null;
    String settings = String.format(Locale.ROOT, "k=%d, %s/%s, self %s, %s, n=%d", any.getK(),
        any.getMetricA().name().toLowerCase(Locale.ROOT), any.getMetricB().name().toLowerCase(Locale.ROOT),
        any.getIncludeSelf() ? "counted" : "excluded", any.getExact() ? "exact" : any.getQueries() == null ? "sampled" : "sampled: " + any.getQueries() + " queries", any.getN());
    ReportData.Point last = latest == null ? null
        : new ReportData.Point(latest.getA().getStep(), latest.getB().getStep(), latest.getMeanJaccard(), latest.getCka(),
            latest.getHistogram().stream().mapToLong(Long::longValue).toArray());
    return new ReportData(experiment, sp, settings, previous, first, last);
  }
}
