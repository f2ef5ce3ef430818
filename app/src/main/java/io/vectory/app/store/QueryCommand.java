package io.vectory.app.store;

import io.vectory.sink.IndexInfo;
import io.vectory.store.SpaceStore;
import io.vectory.store.SpaceStore.Neighbor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vectory query SPACE ID [-k 10] [--vs SPACE2]}: a point's nearest neighbours, optionally beside another space's. */
@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Show the k nearest neighbours of point ID in SPACE, with their metadata.",
        "With --vs, side by side with its neighbours in SPACE2; '*' marks ids found in both.",
        "SPACE: experiment/space@step, experiment/space (latest step) or an index name."})
public final class QueryCommand extends StoreCommands.Verb {

  @Parameters(index = "0", paramLabel = "SPACE") String space;
  @Parameters(index = "1", paramLabel = "ID") String id;

  @Option(names = "-k", defaultValue = "10", description = "Neighbours to show (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--vs", paramLabel = "SPACE2", description = "Also query this space, side by side.")
  String vs;

  @Option(names = "--include-self", description = "Count the point as its own neighbour.")
  boolean includeSelf;

  @Override
  void check() {
    if (k < 1) throw new IllegalArgumentException("-k " + k + ": expected at least 1");
  }

  /** More neighbours than the space has points would be answered with fewer, silently: refused instead. */
  private void checkK(IndexInfo space) {
    long most = includeSelf ? space.rows() : space.rows() - 1;
    if (k > most) {
      throw new IllegalArgumentException("-k " + k + ": " + space.name() + " holds " + space.rows() + " points, so at most " + most + " neighbours"
          + (includeSelf ? "" : " (not counting the point itself)") + "; expected -k 1.." + most);
    }
  }

  @Override
  int run(SpaceStore store, PrintWriter out) {
    IndexInfo a = store.resolve(space);
    checkK(a);
    // The exact lists compare merged, where the store keeps them; else a search of the index.
    Optional<List<Neighbor>> keptA = store.keptNeighbors(a.name(), id, k, includeSelf);
    List<Neighbor> na = keptA.orElseGet(() -> store.knn(a.name(), id, k, includeSelf));
    IndexInfo b = vs == null ? null : store.resolve(vs);
    if (b != null) checkK(b);
    Optional<List<Neighbor>> keptB = b == null ? Optional.empty() : store.keptNeighbors(b.name(), id, k, includeSelf);
    List<Neighbor> nb = b == null ? List.of() : keptB.orElseGet(() -> store.knn(b.name(), id, k, includeSelf));
    out.println(header(a, na.size(), keptA.isPresent()));
    if (b != null) out.println(header(b, nb.size(), keptB.isPresent()));
    out.println();
    Set<String> inA = new HashSet<>(), inB = new HashSet<>();
    na.forEach(n -> inA.add(n.id()));
    nb.forEach(n -> inB.add(n.id()));
    List<String[]> rows = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("#", "ID", valueName(a)));
    for (String c : a.columns()) head.add(c.toUpperCase(Locale.ROOT));
    if (b != null) {
      head.add("|");
      head.addAll(List.of("ID", valueName(b)));
      for (String c : b.columns()) head.add(c.toUpperCase(Locale.ROOT));
    }
    rows.add(head.toArray(String[]::new));
    for (int r = 0; r < Math.max(na.size(), nb.size()); r++) {
      List<String> row = new ArrayList<>();
      row.add(Integer.toString(r + 1));
      addCells(row, r < na.size() ? na.get(r) : null, a.columns(), b != null && r < na.size() && inB.contains(na.get(r).id()));
      if (b != null) {
        row.add("|");
        addCells(row, r < nb.size() ? nb.get(r) : null, b.columns(), r < nb.size() && inA.contains(nb.get(r).id()));
      }
      rows.add(row.toArray(String[]::new));
    }
    out.print(StoreCommands.table(rows));
    if (b != null) {
      Set<String> both = new HashSet<>(inA);
      both.retainAll(inB);
      Set<String> union = new HashSet<>(inA);
      union.addAll(inB);
      out.printf(Locale.ROOT, "%n* in both: %d of %d (Jaccard %.4f for this point, k=%d, %s)%n", both.size(), k,
          union.isEmpty() ? 0.0 : both.size() / (double) union.size(), k, includeSelf ? "self included" : "self excluded");
    }
    return 0;
  }

  private String header(IndexInfo i, int found, boolean kept) {
    return String.format(Locale.ROOT, "%s: %d nearest neighbours of %s (%s, %s, %s; ties by lower row)", i.name(), found, id, i.metric().label(),
        includeSelf ? "self included" : "self excluded",
        kept ? "exact: the kept k-NN lists compare uses" : "exact".equals(i.knnModel()) ? "exact search" : "approximate HNSW search");
  }

  private static String valueName(IndexInfo i) {
    return switch (i.metric()) {
      case COSINE -> "COSINE";
      case EUCLIDEAN -> "L2 DIST";
      case DOT -> "DOT";
    };
  }

  private static void addCells(List<String> row, Neighbor n, List<String> cols, boolean mark) {
    if (n == null) {
      row.add("");
      row.add("");
      for (int c = 0; c < cols.size(); c++) row.add("");
      return;
    }
    row.add((mark ? "*" : "") + n.id());
    row.add(String.format(Locale.ROOT, "%.4f", n.value()));
    for (String c : cols) {
      String v = n.metadata().get(c);
      row.add(v == null ? "-" : v.length() > 40 ? v.substring(0, 39) + "…" : v);
    }
  }
}
