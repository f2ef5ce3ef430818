package io.vectory.app.store;

import io.vectory.core.compare.Metric;
import io.vectory.core.space.NpySpaceSource;
import io.vectory.core.space.Space;
import io.vectory.sink.IndexInfo;
import io.vectory.store.SpaceStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vectory embeddings load|delete}: put a space into a named k-NN index, or remove an index. */
@Command(name = "embeddings", mixinStandardHelpOptions = true,
    description = "Load a space into a named k-NN index, or delete an index or space.",
    subcommands = {EmbeddingsCommand.Load.class, EmbeddingsCommand.Delete.class})
public final class EmbeddingsCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: load or delete");
  }

  @Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Load a space into the k-NN index INDEX (replacing one of that name).",
          "SPACE is a registered space (experiment/space@step, or experiment/space for its latest step), another index, or a .npy/.npz file."})
  public static final class Load implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Parameters(index = "0", paramLabel = "INDEX", description = "Name of the index to create.")
    String index;

    @Parameters(index = "1", paramLabel = "SPACE", description = "The space to load.")
    String space;

    @Option(names = "--model", defaultValue = "hnsw", paramLabel = "hnsw|exact",
        description = "hnsw: approximate search on a Lucene HNSW graph; exact: every query scores every vector (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--similarity", paramLabel = "cosine|l2|dot",
        description = "Similarity of the index (default: the space's registered metric, else cosine).")
    String similarity;

    @Override
    public Integer call() {
      return StoreCommands.run(spec, () -> {
        String knnModel = model.toLowerCase(Locale.ROOT);
        if (!knnModel.equals("hnsw") && !knnModel.equals("exact")) {
          throw new IllegalArgumentException("--model '" + model + "': expected hnsw or exact");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (SpaceStore store = storeOptions.open()) {
          long t0 = System.nanoTime();
          Optional<IndexInfo> registered = NpySpaceSource.looksLikeFile(space) ? Optional.empty() : store.find(space);
          Space s;
          String dataset = null, modelName = null;
          Metric metric;
          if (registered.isPresent()) {
            IndexInfo i = registered.get();
            err.println("loading " + i.name() + " (" + i.rows() + " x " + i.dimension() + ") from " + store.location() + " ...");
            err.flush();
            s = store.loadSpace(i.name());
            dataset = i.dataset();
            modelName = i.model();
            metric = similarity == null ? i.metric() : Metric.parse(similarity);
          } else if (NpySpaceSource.looksLikeFile(space)) {
            s = new NpySpaceSource(null).load(java.nio.file.Path.of(space)).space();
            metric = similarity == null ? Metric.COSINE : Metric.parse(similarity);
          } else {
            throw new IllegalArgumentException(store.noSuchIndex(space) + "; or give a .npy/.npz file");
          }
          err.println("indexing " + s.vectors().rows() + " vectors into " + index + " (" + knnModel + ", " + metric.label() + ") ...");
          err.flush();
          IndexInfo done = store.putIndex(index, s, metric, knnModel, dataset, modelName, registered.map(IndexInfo::name).orElse(space));
          out.printf(Locale.ROOT, "loaded %d vectors of dimension %d from %s into index %s (%s, %s; physical index %s) in %.1f s%n",
              done.rows(), done.dimension(), space, done.name(), done.knnModel(), done.metric().label(), done.physical(), (System.nanoTime() - t0) / 1e9);
          out.flush();
        }
        return 0;
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Delete an index or a registered space's index.",
          "experiment/space@step deletes one checkpoint; experiment/space deletes every step with --all-steps, else its latest."})
  public static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Parameters(index = "0", paramLabel = "INDEX|SPACE", description = "What to delete.")
    String ref;

    @Option(names = "--all-steps", description = "With experiment/space: delete every step of the space.")
    boolean allSteps;

    @Override
    public Integer call() {
      return StoreCommands.run(spec, () -> {
        PrintWriter out = spec.commandLine().getOut();
        try (SpaceStore store = storeOptions.open()) {
          List<IndexInfo> targets;
          int slash = ref.indexOf('/');
          if (allSteps && slash > 0 && ref.indexOf('@') < 0) {
            String exp = ref.substring(0, slash), sp = ref.substring(slash + 1);
            targets = store.indices().stream().filter(i -> i.isCheckpoint() && exp.equals(i.experiment()) && sp.equals(i.space())).toList();
          } else {
            targets = store.find(ref).map(List::of).orElse(List.of());
          }
          if (targets.isEmpty()) throw new IllegalArgumentException(store.noSuchIndex(ref));
          for (IndexInfo i : targets) {
            store.delete(i.name());
            out.println("deleted " + i.name() + " (" + i.rows() + " vectors, index " + i.physical() + ")");
          }
          out.flush();
        }
        return 0;
      });
    }
  }
}
