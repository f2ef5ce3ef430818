package io.vectory.store;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.space.Space;
import io.vectory.schemas.CheckpointNames;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded default {@link SpaceStore}: no server, Lucene's HNSW in-process, everything on disk under one
 * data folder (default {@code ~/.vectory/data}), so a later command sees what an earlier one stored.
 *
 * <pre>
 *   &lt;data&gt;/indices/&lt;physical&gt;/index.json   the entry ({@link IndexInfo})          {@link IndexFolders}
 *   &lt;data&gt;/indices/&lt;physical&gt;/lucene/      the points ({@link LuceneDocs})           {@link IndexLifecycle}, {@link IndexSearch}
 *   &lt;data&gt;/indices/&lt;physical&gt;/knn/         kept exact k-NN lists                     {@link KnnListCache}
 *   &lt;data&gt;/comparisons.jsonl, alerts.jsonl   results                                   {@link ResultsLog}
 *   &lt;data&gt;/rejections.jsonl                the pipeline's dead letters               {@link ResultsLog}
 *   &lt;data&gt;/datasets/, experiments/          registered datasets, experiment entries   {@link Catalogue}
 * </pre>
 *
 * This class only routes each call to the part that does that job; each part has its own lock, so a k-NN
 * query never waits behind a checkpoint write.
 */
public final class EmbeddedSpaceStore implements SpaceStore {

  private final Path root;
  private final IndexNames names = new IndexNames("");
  private final IndexFolders folders;
  private final IndexLifecycle lifecycle;
  private final IndexSearch search;
  private final ResultsLog results;
  private final KnnListCache knnCache;
  private final Catalogue catalogue;
  private final AtomicLong knnPasses = new AtomicLong();

  public EmbeddedSpaceStore(Path dataDir) {
    this.root = dataDir.toAbsolutePath();
    this.folders = new IndexFolders(root);
    this.lifecycle = new IndexLifecycle(folders, names);
    this.search = new IndexSearch(folders, lifecycle);
    this.results = new ResultsLog(root);
    this.knnCache = new KnnListCache(folders);
    this.catalogue = new Catalogue(root);
  }

  public Path dataDir() {
    return root;
  }

  /** The write side's lock holder, for tests that show reads do not take it. */
  IndexLifecycle lifecycle() {
    return lifecycle;
  }

  @Override
  public String location() {
    return root.toString();
  }

  // ---- checkpoints (write side)

  @Override
  public IndexInfo beginCheckpoint(SpaceRegistered registered) {
    var k = registered.getCheckpoint();
    search.evict(names.space(k.getExperiment(), k.getSpace(), k.getStep()));
    return lifecycle.begin(registered);
  }

  @Override
  public void addChunk(EmbeddingChunk chunk) {
    lifecycle.add(chunk);
  }

  @Override
  public IndexInfo completeCheckpoint(CheckpointCompleted completed) {
    return lifecycle.complete(completed);
  }

  @Override
  public IndexInfo putCheckpoint(String experiment, String space, long step, Space vectors, Metric metric, String dataset, String model) {
    String physical = names.space(experiment, space, step);
    IndexInfo info = new IndexInfo(CheckpointNames.of(experiment, space, step), physical, IndexInfo.CHECKPOINT, experiment, space, step,
        dataset, model, metric, "hnsw", vectors.vectors().cols(), vectors.vectors().rows(), columns(vectors), false, System.currentTimeMillis(), null);
    search.evict(physical);
    return lifecycle.put(info, vectors);
  }

  @Override
  public IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source) {
    IndexInfo info = new IndexInfo(name, names.loaded(name), IndexInfo.LOADED, null, null, -1, dataset, model, metric, knnModel,
        space.vectors().cols(), space.vectors().rows(), columns(space), false, System.currentTimeMillis(), source);
    search.evict(info.physical());
    return lifecycle.put(info, space);
  }

  @Override
  public IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source, HnswSettings hnsw) {
    IndexInfo info = new IndexInfo(name, names.loaded(name), IndexInfo.LOADED, null, null, -1, dataset, model, metric, knnModel,
        space.vectors().cols(), space.vectors().rows(), columns(space), false, System.currentTimeMillis(), source);
    search.evict(info.physical());
    return lifecycle.put(info, space, LuceneDocs.codec(hnsw.m(), hnsw.efConstruction()));
  }

  private static List<String> columns(Space space) {
    return new ArrayList<>(new TreeSet<>(space.columns().keySet()));
  }

  @Override
  public boolean delete(String ref) {
    Optional<IndexInfo> found = find(ref);
    if (found.isEmpty()) return false;
    search.evict(found.get().physical());
    lifecycle.delete(found.get().physical());
    return true;
  }

  // ---- reads

  @Override
  public List<IndexInfo> indices() {
    return folders.list();
  }

  @Override
  public Space loadSpace(String ref) {
    return search.loadSpace(resolve(ref));
  }

  @Override
  public List<Neighbor> knn(String ref, String id, int k, boolean includeSelf) {
    IndexInfo info = resolve(ref);
    float[] v = search.vectorOf(info, id);
    List<Neighbor> hits = search.search(info, v, includeSelf ? k : k + 1);
    List<Neighbor> out = new ArrayList<>(k);
    for (Neighbor h : hits) if ((includeSelf || !h.id().equals(id)) && out.size() < k) out.add(h);
    return out;
  }

  @Override
  public List<Neighbor> knn(String ref, float[] vector, int k) {
    IndexInfo info = resolve(ref);
    if (vector.length != info.dimension()) throw new IllegalArgumentException("query vector has " + vector.length + " dimensions, " + info.name() + " has " + info.dimension());
    return search.search(info, vector, k);
  }

  // ---- k-NN lists

  @Override
  public KeptLists knnLists(String ref, Metric metric, int k, boolean includeSelf, boolean recompute, ProgressListener progress) {
    IndexInfo info = resolve(ref);
    if (!info.complete()) throw new IllegalArgumentException(info.name() + " is still being written; its k-NN lists are computed once it is complete");
    if (!recompute) {
      Optional<KnnLists> kept = keptLists(info.name(), metric, k, includeSelf);
      if (kept.isPresent()) return new KeptLists(kept.get(), false);
    }
    Space s = search.loadSpace(info);
    KnnLists lists = KnnLists.compute(s.vectors(), metric, k, includeSelf, null, progress);
    knnPasses.incrementAndGet();
    knnCache.keep(info, lists);
    return new KeptLists(lists, true);
  }

  @Override
  public Optional<KnnLists> keptLists(String ref, Metric metric, int k, boolean includeSelf) {
    return knnCache.find(resolve(ref), metric, k, includeSelf);
  }

  /** k-NN passes this instance has run (not reused from kept lists). */
  public long knnPasses() {
    return knnPasses.get();
  }

  /** How many k-NN list files an index keeps. */
  public int keptLists(String ref) {
    return knnCache.count(resolve(ref));
  }

  // ---- results

  @Override
  public void putComparisons(List<ComparisonResult> list) {
    results.putComparisons(list);
  }

  @Override
  public void putAlerts(List<DriftAlert> list) {
    results.putAlerts(list);
  }

  @Override
  public void putDeadLetters(List<DeadLetter> list) {
    results.putDeadLetters(list);
  }

  @Override
  public List<ComparisonResult> comparisons(String experiment) {
    return results.comparisons(experiment);
  }

  @Override
  public List<DeadLetter> deadLetters(String experiment) {
    return results.deadLetters(experiment);
  }

  @Override
  public List<DriftAlert> alerts(String experiment) {
    return results.alerts(experiment);
  }

  @Override
  public int deleteResults(String experiment) {
    return results.deleteExperiment(experiment);
  }

  // ---- datasets and experiments

  @Override
  public DatasetEntry putDataset(DatasetEntry entry, String csvText) {
    return catalogue.putDataset(entry, csvText);
  }

  @Override
  public Optional<DatasetEntry> dataset(String name) {
    return catalogue.dataset(name);
  }

  @Override
  public String datasetCsv(String name) {
    return catalogue.datasetCsv(name);
  }

  @Override
  public List<DatasetEntry> registeredDatasets() {
    return catalogue.datasets();
  }

  @Override
  public boolean deleteDataset(String name) {
    return catalogue.deleteDataset(name);
  }

  @Override
  public ExperimentEntry putExperiment(ExperimentEntry entry) {
    return catalogue.putExperiment(entry);
  }

  @Override
  public Optional<ExperimentEntry> experiment(String name) {
    return catalogue.experiment(name);
  }

  @Override
  public boolean deleteExperiment(String name) {
    return catalogue.deleteExperiment(name);
  }

  @Override
  public void close() {
    lifecycle.close();
    search.close();
  }

  /** Direct lookups first (no listing): checkpoint name, loaded name, physical name; then the general rules. */
  @Override
  public Optional<IndexInfo> find(String ref) {
    int slash = ref.indexOf('/'), at = ref.lastIndexOf('@');
    if (slash > 0 && at > slash) {
      try {
        long step = Long.parseLong(ref.substring(at + 1));
        IndexInfo i = folders.read(names.space(ref.substring(0, slash), ref.substring(slash + 1, at), step));
        if (i != null && i.name().equals(ref)) return Optional.of(i);
      } catch (NumberFormatException e) {
        // not a step: fall through
      }
    }
    if (!ref.isBlank() && slash < 0) {
      IndexInfo i = folders.read(names.loaded(ref));
      if (i != null && i.name().equals(ref)) return Optional.of(i);
      if (ref.matches("[a-z0-9][a-z0-9_.-]*") && !ref.equals(".") && !ref.equals("..")) {
        i = folders.read(ref);
        if (i != null) return Optional.of(i);
      }
    }
    return SpaceStore.super.find(ref);
  }
}
