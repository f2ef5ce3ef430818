package io.vectory.app.store;

import io.vectory.core.compare.Metric;
import io.vectory.core.space.Metadata;
import io.vectory.core.space.NpySpaceSource;
import io.vectory.core.space.Space;
import io.vectory.sink.IndexInfo;
import io.vectory.store.Deletions;
import io.vectory.store.SpaceStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vectory embeddings ...}: k-NN indices of spaces — load, list, delete. */
@Command(name = "embeddings", mixinStandardHelpOptions = true,
    description = "Load a space into a named k-NN index, list the indices, or delete indices and spaces.",
    subcommands = {EmbeddingsCommand.Load.class, EmbeddingsCommand.Delete.class, EmbeddingsCommand.ListIndices.class,
        EmbeddingsCommand.DeleteIndex.class, EmbeddingsCommand.DeleteAllIndices.class})
public final class EmbeddingsCommand extends StoreCommands.Group {

  @Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Load a space into the k-NN index INDEX (replacing one of that name).",
          "SPACE is a registered space (a space name, experiment/space@step, or experiment/space for its latest step), another index, or a .npy/.npz file."})
  public static final class Load extends StoreCommands.Verb {

    @Parameters(index = "0", paramLabel = "INDEX", description = "Name of the index to create.")
    String index;

    @Parameters(index = "1", paramLabel = "SPACE", description = "The space to load.")
    String space;

    @Option(names = "--model", defaultValue = "lsh", paramLabel = "lsh|exact",
        description = "lsh: approximate search (Vectory's name; here a Lucene HNSW graph, not LSH); exact: every query scores every vector; hnsw is accepted for lsh (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--similarity", paramLabel = "cosine|l2|dot",
        description = "Similarity of the index (default: the space's registered metric, else cosine).")
    String similarity;

    @Option(names = {"-d", "--dataset"}, paramLabel = "CSV", description = "Metadata CSV for a .npy/.npz SPACE, one row per vector in the same order.")
    Path dataset;

    @Option(names = "--id-field", paramLabel = "F", description = "The CSV field holding each row's id (default: row numbers).")
    String idField;

    @Option(names = "--hnsw-m", paramLabel = "M", defaultValue = "16", description = "HNSW links per node (Lucene's M; default: ${DEFAULT-VALUE}).")
    int hnswM;

    @Option(names = "--hnsw-ef-construction", paramLabel = "EF", defaultValue = "100",
        description = "HNSW candidates kept while building the graph (ef_construction; default: ${DEFAULT-VALUE}).")
    int hnswEf;

    // Vectory's LSH tuning flags: refused (an HNSW graph has no hash tables), naming what replaces them.
    @Option(names = "-k", hidden = true) Integer lshK;
    @Option(names = "-L", hidden = true) Integer lshL;
    @Option(names = "-w", hidden = true) Double lshW;

    @Override
    void check() {
      List<String> lsh = new ArrayList<>();
      if (lshK != null) lsh.add("-k");
      if (lshL != null) lsh.add("-L");
      if (lshW != null) lsh.add("-w");
      if (!lsh.isEmpty()) {
        throw new IllegalArgumentException(String.join(", ", lsh) + ": Vectory's LSH settings (hash length, tables, bucket width) do not apply:"
            + " the approximate index here is a Lucene HNSW graph; tune it with --hnsw-m (links per node, default 16) and"
            + " --hnsw-ef-construction (build candidates, default 100), or use --model exact");
      }
      knnModel();
      if (idField != null && dataset == null) throw new IllegalArgumentException("--id-field needs -d/--dataset, the CSV holding that field");
    }

    /** hnsw or exact; lsh (Vectory's name for the approximate index) is hnsw here. */
    private String knnModel() {
      String m = model.toLowerCase(Locale.ROOT);
      if (m.equals("lsh")) m = "hnsw";
      if (!m.equals("hnsw") && !m.equals("exact")) {
        throw new IllegalArgumentException("--model '" + model + "': expected lsh (approximate, HNSW here) or exact");
      }
      return m;
    }

    @Override
    int run(SpaceStore store, PrintWriter out) throws Exception {
      String knnModel = knnModel();
      SpaceStore.HnswSettings hnsw = new SpaceStore.HnswSettings(hnswM, hnswEf);
      PrintWriter err = spec.commandLine().getErr();
      long t0 = System.nanoTime();
      Optional<IndexInfo> registered = NpySpaceSource.looksLikeFile(space) ? Optional.empty() : store.find(space);
      Space s;
      String datasetName = null, modelName = null;
      Metric metric;
      if (registered.isPresent()) {
        if (dataset != null) throw new IllegalArgumentException("-d: " + registered.get().name() + " already carries its metadata; -d is for a .npy/.npz SPACE");
        IndexInfo i = registered.get();
        err.println("loading " + i.name() + " (" + i.rows() + " x " + i.dimension() + ") from " + store.location() + " ...");
        err.flush();
        s = store.loadSpace(i.name());
        datasetName = i.dataset();
        modelName = i.model();
        metric = similarity == null ? i.metric() : Metric.parse(similarity);
      } else if (NpySpaceSource.looksLikeFile(space)) {
        NpySpaceSource.Loaded l = new NpySpaceSource(null).load(Path.of(space));
        s = l.space();
        if (dataset != null) {
          s = Metadata.read(dataset).attach(s, l.ownIds(), idField);
          if (idField != null) s = withoutColumn(s, idField);
          datasetName = stem(dataset);
        }
        metric = similarity == null ? Metric.COSINE : Metric.parse(similarity);
        String size = io.vectory.schemas.CheckpointProtocol.checkSize(s.vectors().rows(), s.vectors().cols());
        if (!size.isEmpty()) throw new IllegalArgumentException(space + ": " + size);
      } else {
        throw new IllegalArgumentException(store.noSuchIndex(space) + "; or give a .npy/.npz file");
      }
      String method = knnModel.equals("hnsw") ? "approximate: Lucene HNSW, M " + hnsw.m() + ", ef_construction " + hnsw.efConstruction() : "exact scan";
      err.println("indexing " + s.vectors().rows() + " vectors into " + index + " (" + method + ", " + metric.label() + ") ...");
      err.flush();
      IndexInfo done = store.putIndex(index, s, metric, knnModel, datasetName, modelName, registered.map(IndexInfo::name).orElse(space), hnsw);
      out.printf(Locale.ROOT, "loaded %d vectors of dimension %d from %s into index %s (%s, %s; physical index %s) in %.1f s%n",
          done.rows(), done.dimension(), space, done.name(), method, done.metric().label(), done.physical(), (System.nanoTime() - t0) / 1e9);
      return 0;
    }

    private static Space withoutColumn(Space s, String column) {
      var cols = new java.util.LinkedHashMap<>(s.columns());
      cols.remove(column);
      return new Space(s.name(), s.ids(), s.vectors(), cols);
    }

    private static String stem(Path p) {
      String n = p.getFileName().toString();
      int dot = n.lastIndexOf('.');
      return dot > 0 ? n.substring(0, dot) : n;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Delete a space's index or a loaded index.",
          "experiment/space@step deletes one checkpoint; a space name or experiment/space deletes its latest step, or every step with --all-steps.",
          "Indices loaded from it are dependents: without --recursive the deletion is refused and lists them."})
  public static final class Delete extends StoreCommands.Verb {

    @Parameters(index = "0", paramLabel = "INDEX|SPACE", description = "What to delete.")
    String ref;

    @Option(names = "--all-steps", description = "With a space name or experiment/space: delete every step of the space.")
    boolean allSteps;

    @Option(names = "--recursive", description = "Also delete the indices loaded from it.")
    boolean recursive;

    @Override
    int run(SpaceStore store, PrintWriter out) throws Exception {
      List<IndexInfo> targets;
      Optional<IndexInfo> one = store.find(ref);
      if (allSteps && one.isPresent() && one.get().isCheckpoint() && ref.indexOf('@') < 0) {
        IndexInfo latest = one.get();
        targets = store.indices().stream()
            .filter(i -> i.isCheckpoint() && latest.experiment().equals(i.experiment()) && latest.space().equals(i.space())).toList();
      } else {
        targets = one.map(List::of).orElse(List.of());
      }
      if (targets.isEmpty()) throw new IllegalArgumentException(store.noSuchIndex(ref));
      Deletions d = new Deletions(store);
      if (!recursive) d.requireNoDependents(targets);
      for (IndexInfo i : targets) StoreCommands.printDeleted(out, d.space(i, recursive));
      return 0;
    }
  }

  @Command(name = "list-indices", mixinStandardHelpOptions = true, description = "List the k-NN indices loaded with `vectory embeddings load`.")
  public static final class ListIndices extends StoreCommands.Verb {

    @Override
    int run(SpaceStore store, PrintWriter out) throws Exception {
      List<IndexInfo> loaded = StoreCommands.loadedIndices(store);
      if (loaded.isEmpty()) {
        out.println("No loaded indices in " + store.location() + " (create one with `vectory embeddings load INDEX SPACE`).");
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "SOURCE", "ROWS", "DIM", "SIMILARITY", "MODEL", "INDEX"});
        for (IndexInfo i : loaded) {
          rows.add(new String[] {i.name(), i.source(), Long.toString(i.rows()), Integer.toString(i.dimension()), i.metric().label(),
              "hnsw".equals(i.knnModel()) ? "lsh (HNSW)" : i.knnModel(), i.physical()});
        }
        out.print(StoreCommands.table(rows));
      }
      return 0;
    }
  }

  @Command(name = "delete-index", mixinStandardHelpOptions = true, description = "Delete one loaded k-NN index (the space it was loaded from stays).")
  public static final class DeleteIndex extends StoreCommands.Verb {

    @Parameters(index = "0", paramLabel = "INDEX", description = "The loaded index to delete.")
    String index;

    @Override
    int run(SpaceStore store, PrintWriter out) throws Exception {
      IndexInfo i = store.find(index).orElseThrow(() -> new IllegalArgumentException(store.noSuchIndex(index)));
      if (i.isCheckpoint()) {
        throw new IllegalArgumentException(i.name() + " is a space, not a loaded index; delete it with `vectory embeddings delete " + i.name() + "`");
      }
      store.delete(i.name());
      out.println("deleted index " + i.name() + " (" + i.rows() + " vectors, index " + i.physical() + ")");
      return 0;
    }
  }

  @Command(name = "delete-all-indices", mixinStandardHelpOptions = true,
      description = "Delete every loaded k-NN index (spaces stay); asks first unless --yes is given.")
  public static final class DeleteAllIndices extends StoreCommands.Verb {

    @Option(names = {"-y", "--yes"}, description = "Do not ask.")
    boolean yes;

    @Override
    int run(SpaceStore store, PrintWriter out) throws Exception {
      List<IndexInfo> loaded = StoreCommands.loadedIndices(store);
      if (loaded.isEmpty()) {
        out.println("No loaded indices in " + store.location() + "; nothing deleted.");
        return 0;
      }
      if (!yes && !confirm(out, "Delete " + loaded.size() + " loaded indices (" + String.join(", ", loaded.stream().map(IndexInfo::name).toList())
          + ") from " + store.location() + "? [y/N] ")) {
        out.println("Nothing deleted.");
        return 1;
      }
      for (IndexInfo i : loaded) {
        store.delete(i.name());
        out.println("deleted index " + i.name());
      }
      return 0;
    }

    /** Reads y/yes from stdin; no answer (end of input) is no. */
    static boolean confirm(PrintWriter out, String question) throws IOException {
      out.print(question);
      out.flush();
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return line != null && (line.trim().equalsIgnoreCase("y") || line.trim().equalsIgnoreCase("yes"));
    }
  }
}
