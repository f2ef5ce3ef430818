package io.vectory.store;

import io.vectory.sink.IndexInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What deleting a dataset, an experiment or a space takes with it, and the deletion itself. Without
 * {@code recursive}, deleting something others depend on is refused with the list of dependents; with it,
 * the dependents go first. One home for these rules, whatever the store.
 */
public final class Deletions {

  private final SpaceStore store;

  public Deletions(SpaceStore store) {
    this.store = store;
  }

  /** What was deleted, one line each, for the user. */
  public record Report(List<String> deleted) {}

  public static final class HasDependents extends IllegalArgumentException {
    public HasDependents(String what, List<String> dependents) {
      super("cannot delete " + what + ": " + dependents.size() + " depend" + (dependents.size() == 1 ? "s" : "") + " on it ("
          + String.join(", ", dependents) + "); delete them first or add --recursive");
    }
  }

  public Report dataset(String name, boolean recursive) {
    boolean registered = store.dataset(name).isPresent();
    List<IndexInfo> on = store.indices().stream().filter(i -> name.equals(i.dataset())).toList();
    if (!registered && on.isEmpty()) {
      throw new IllegalArgumentException("no dataset named '" + name + "' in " + store.location() + "; datasets: "
          + (store.datasets().isEmpty() ? "none" : String.join(", ", store.datasets())));
    }
    Set<String> experiments = new LinkedHashSet<>();
    List<IndexInfo> loaded = new ArrayList<>();
    for (IndexInfo i : on) {
      if (i.isCheckpoint()) experiments.add(i.experiment());
      else loaded.add(i);
    }
    List<String> dependents = new ArrayList<>();
    experiments.forEach(e -> dependents.add("experiment " + e));
    loaded.forEach(i -> dependents.add("index " + i.name()));
    if (!recursive && !dependents.isEmpty()) throw new HasDependents("dataset " + name, dependents);
    List<String> done = new ArrayList<>();
    for (String e : experiments) done.addAll(experiment(e, true).deleted());
    for (IndexInfo i : loaded) done.addAll(index(i));
    if (store.deleteDataset(name)) done.add("dataset " + name);
    return new Report(done);
  }

  public Report experiment(String name, boolean recursive) {
    List<IndexInfo> checkpoints = store.indices().stream().filter(i -> i.isCheckpoint() && name.equals(i.experiment())).toList();
    boolean entry = store.experiment(name).isPresent();
    if (checkpoints.isEmpty() && !entry) {
      throw new IllegalArgumentException("no experiment named '" + name + "' in " + store.location() + "; experiments: "
          + (store.experiments().isEmpty() ? "none" : String.join(", ", store.experiments())));
    }
    List<String> dependents = new ArrayList<>();
    for (IndexInfo c : checkpoints) dependents.add("space " + c.name());
    if (!recursive && !dependents.isEmpty()) throw new HasDependents("experiment " + name, dependents);
    List<String> done = new ArrayList<>();
    for (IndexInfo c : checkpoints) done.addAll(space(c, true).deleted());
    int results = store.deleteResults(name);
    if (results > 0) done.add(results + " comparison results and alerts of " + name);
    if (store.deleteExperiment(name)) done.add("experiment " + name);
    return new Report(done);
  }

  /** A space's index (a checkpoint or a loaded index) and, with recursive, the indices loaded from it. */
  public Report space(IndexInfo target, boolean recursive) {
    List<IndexInfo> loadedFrom = loadedFrom(target);
    if (!recursive && !loadedFrom.isEmpty()) {
      throw new HasDependents(target.name(), loadedFrom.stream().map(i -> "index " + i.name()).toList());
    }
    List<String> done = new ArrayList<>();
    for (IndexInfo i : loadedFrom) done.addAll(index(i));
    done.addAll(index(target));
    return new Report(done);
  }

  /** The indices loaded from a space (its dependents). */
  public List<IndexInfo> loadedFrom(IndexInfo target) {
    return store.indices().stream().filter(i -> !i.isCheckpoint() && target.name().equals(i.source())).toList();
  }

  /** Refuses, listing the dependents, when any target has some (checked before anything is deleted). */
  public void requireNoDependents(List<IndexInfo> targets) {
    List<String> dependents = new ArrayList<>();
    for (IndexInfo t : targets) for (IndexInfo i : loadedFrom(t)) dependents.add("index " + i.name());
    if (!dependents.isEmpty()) {
      throw new HasDependents(String.join(", ", targets.stream().map(IndexInfo::name).toList()), dependents);
    }
  }

  private List<String> index(IndexInfo i) {
    return store.delete(i.name()) ? List.of((i.isCheckpoint() ? "space " : "index ") + i.name() + " (" + i.rows() + " vectors, index " + i.physical() + ")")
        : List.of();
  }
}
