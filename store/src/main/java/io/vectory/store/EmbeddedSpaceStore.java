package io.vectory.store;

import io.vectory.sink.Chunks;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import io.vectory.schemas.CheckpointNames;
import com.fasterxml.jackson.core.type.TypeReference;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The embedded default {@link SpaceStore}: no server, Lucene's HNSW in-process, everything on disk under
 * one data folder (default {@code ~/.vectory/data}), so a later command sees what the demo stored.
 *
 * <pre>
 *   &lt;data&gt;/indices/&lt;physical&gt;/index.json   the entry ({@link IndexInfo})
 *   &lt;data&gt;/indices/&lt;physical&gt;/lucene/      id, row, metadata, the vector (HNSW) and the raw vector bytes
 *   &lt;data&gt;/comparisons.jsonl, alerts.jsonl   one document per line with its natural _id; the last line of an _id wins
 * </pre>
 *
 * Metrics: euclidean is Lucene's EUCLIDEAN; dot is MAXIMUM_INNER_PRODUCT (Lucene's DOT_PRODUCT requires
 * unit vectors); cosine indexes unit-normalised vectors with DOT_PRODUCT (the same ranking as cosine,
 * and Lucene's advice over COSINE). The raw vectors are stored as well, because loading a space must give
 * back exactly what was published (CKA, for one, is not invariant to normalisation).
 */
public final class EmbeddedSpaceStore implements SpaceStore {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private static final String RAW = "raw";
  /** Candidates the HNSW search keeps (its ef): more than k, for recall, at little cost. */
  private static final int MIN_CANDIDATES = 100;
  /** Lucene's default cap is 1024 dimensions; embedding models go past it (e.g. 1536, 3072). */
  private static final int MAX_DIMENSIONS = 4096;

  private final Path root;
  private final IndexNames names = new IndexNames("");
  private final Map<String, IndexWriter> writers = new HashMap<>();
  private final Map<String, IndexInfo> openInfo = new HashMap<>();
  private final Map<String, DirectoryReader> readers = new HashMap<>();

  public EmbeddedSpaceStore(Path dataDir) {
    this.root = dataDir.toAbsolutePath();
    try {
      Files.createDirectories(root.resolve("indices"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data folder " + root + ": " + e.getMessage(), e);
    }
  }

  public Path dataDir() {
    return root;
  }

  @Override
  public String location() {
    return root.toString();
  }

  // ---- checkpoints

  @Override
  public synchronized IndexInfo beginCheckpoint(SpaceRegistered registered) {
    IndexInfo info = Chunks.info(registered, names);
    IndexInfo existing = readInfo(info.physical());
    if (existing != null && existing.dimension() == info.dimension() && existing.metric() == info.metric()
        && existing.columns().equals(info.columns())) {
      info = new IndexInfo(info.name(), info.physical(), info.kind(), info.experiment(), info.space(), info.step(), info.dataset(),
          info.model(), info.metric(), info.knnModel(), info.dimension(), info.rows(), info.columns(), false, existing.createdAt(), null);
    } else if (existing != null) {
      deletePhysical(info.physical());
    }
    writeInfo(info);
    writer(info);
    return info;
  }

  @Override
  public synchronized void addChunk(EmbeddingChunk chunk) {
    var k = chunk.getCheckpoint();
    String physical = names.space(k.getExperiment(), k.getSpace(), k.getStep());
    IndexInfo info = openInfo.containsKey(physical) ? openInfo.get(physical) : readInfo(physical);
    if (info == null) {
      throw new IllegalArgumentException("EmbeddingChunk " + CheckpointNames.of(k) + " #" + chunk.getSequence()
          + ": no index " + physical + " in " + root + " (its SpaceRegistered never arrived)");
    }
    float[] v = Chunks.vectors(chunk, info);
    IndexWriter w = writer(info);
    int dim = info.dimension();
    List<String> ids = chunk.getIds();
    try {
      for (int i = 0; i < ids.size(); i++) {
        float[] row = Arrays.copyOfRange(v, i * dim, (i + 1) * dim);
        List<String> meta = chunk.getMetadata().isEmpty() ? null : chunk.getMetadata().get(i);
        w.updateDocument(new Term(Docs.ID, ids.get(i)), document(ids.get(i), chunk.getFirstRow() + i, row, info, meta));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + physical + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized IndexInfo completeCheckpoint(CheckpointCompleted completed) {
    var k = completed.getCheckpoint();
    String physical = names.space(k.getExperiment(), k.getSpace(), k.getStep());
    IndexInfo info = openInfo.containsKey(physical) ? openInfo.get(physical) : readInfo(physical);
    if (info == null) {
      throw new IllegalArgumentException("CheckpointCompleted " + CheckpointNames.of(k) + ": no index " + physical + " in " + root + " (its SpaceRegistered never arrived)");
    }
    long count;
    try {
      IndexWriter w = writer(info);
      w.commit();
      count = w.getDocStats().numDocs;
      w.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit " + physical + ": " + e.getMessage(), e);
    } finally {
      writers.remove(physical);
      openInfo.remove(physical);
    }
    if (count != completed.getRows()) {
      throw new IllegalArgumentException("CheckpointCompleted " + CheckpointNames.of(k) + ": field rows is " + completed.getRows()
          + " but index " + physical + " holds " + count + " points");
    }
    IndexInfo done = info.completed(count);
    writeInfo(done);
    return done;
  }

  // ---- whole spaces

  @Override
  public synchronized IndexInfo putIndex(String name, Space space, Metric metric, String knnModel, String dataset, String model, String source) {
    FloatMatrix m = space.vectors();
    List<String> cols = new ArrayList<>(new java.util.TreeSet<>(space.columns().keySet()));
    IndexInfo info = new IndexInfo(name, names.loaded(name), IndexInfo.LOADED, null, null, -1, dataset, model, metric, knnModel,
        m.cols(), m.rows(), cols, false, System.currentTimeMillis(), source);
    deletePhysical(info.physical());
    writeInfo(info);
    IndexWriter w = writer(info);
    try {
      for (int r = 0; r < m.rows(); r++) {
        float[] row = new float[m.cols()];
        m.row(r, row);
        List<String> meta = new ArrayList<>(cols.size());
        for (String c : cols) meta.add(space.columns().get(c).get(r));
        w.addDocument(document(space.ids().get(r), r, row, info, meta));
      }
      w.commit();
      w.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write index " + name + ": " + e.getMessage(), e);
    } finally {
      writers.remove(info.physical());
      openInfo.remove(info.physical());
    }
    IndexInfo done = info.completed(m.rows());
    writeInfo(done);
    return done;
  }

  @Override
  public synchronized List<IndexInfo> indices() {
    List<IndexInfo> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root.resolve("indices"))) {
      for (Path d : dirs.toList()) {
        IndexInfo i = readInfo(d.getFileName().toString());
        if (i != null) out.add(i);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root.resolve("indices") + ": " + e.getMessage(), e);
    }
    out.sort(ORDER);
    return out;
  }

  @Override
  public synchronized Space loadSpace(String ref) {
    IndexInfo info = resolve(ref);
    int n = Math.toIntExact(info.rows());
    int dim = info.dimension();
    float[] data = new float[Math.multiplyExact(n, dim)];
    String[] ids = new String[n];
    Map<String, String[]> cols = new LinkedHashMap<>();
    for (String c : info.columns()) cols.put(c, new String[n]);
    int[] seen = {0};
    withReader(info, reader -> {
      for (LeafReaderContext leaf : reader.leaves()) {
        StoredFields sf = leaf.reader().storedFields();
        Bits live = leaf.reader().getLiveDocs();
        for (int d = 0; d < leaf.reader().maxDoc(); d++) {
          if (live != null && !live.get(d)) continue;
          Document doc = sf.document(d);
          long row = doc.getField(Docs.ROW).numericValue().longValue();
          if (row < 0 || row >= n) throw new IllegalArgumentException("index " + info.name() + ": point " + doc.get(Docs.ID) + " has row " + row + ", expected 0.." + (n - 1));
          ids[(int) row] = doc.get(Docs.ID);
          BytesRef raw = doc.getBinaryValue(RAW);
          ByteBuffer.wrap(raw.bytes, raw.offset, raw.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, (int) row * dim, dim);
          for (var c : cols.entrySet()) c.getValue()[(int) row] = doc.get(Docs.META + "." + c.getKey());
          seen[0]++;
        }
      }
      return null;
    });
    if (seen[0] != n) throw new IllegalArgumentException("index " + info.name() + " holds " + seen[0] + " points, its entry says " + n);
    Map<String, List<String>> columns = new LinkedHashMap<>();
    cols.forEach((c, v) -> columns.put(c, Arrays.asList(v)));
    return new Space(info.name(), Arrays.asList(ids), FloatMatrix.wrap(n, dim, data), columns);
  }

  @Override
  public synchronized List<Neighbor> knn(String ref, String id, int k, boolean includeSelf) {
    IndexInfo info = resolve(ref);
    float[] v = withReader(info, reader -> {
      IndexSearcher s = new IndexSearcher(reader);
      TopDocs td = s.search(new TermQuery(new Term(Docs.ID, id)), 1);
      if (td.scoreDocs.length == 0) throw new IllegalArgumentException("no point with id '" + id + "' in " + info.name());
      return raw(s.storedFields().document(td.scoreDocs[0].doc));
    });
    List<Neighbor> hits = search(info, v, includeSelf ? k : k + 1);
    List<Neighbor> out = new ArrayList<>(k);
    for (Neighbor h : hits) if ((includeSelf || !h.id().equals(id)) && out.size() < k) out.add(h);
    return out;
  }

  @Override
  public synchronized List<Neighbor> knn(String ref, float[] vector, int k) {
    IndexInfo info = resolve(ref);
    if (vector.length != info.dimension()) throw new IllegalArgumentException("query vector has " + vector.length + " dimensions, " + info.name() + " has " + info.dimension());
    return search(info, vector, k);
  }

  private List<Neighbor> search(IndexInfo info, float[] query, int k) {
    float[] q = indexed(query, info.metric());
    VectorSimilarityFunction sim = similarity(info.metric());
    return withReader(info, reader -> {
      IndexSearcher s = new IndexSearcher(reader);
      StoredFields sf = s.storedFields();
      record Hit(int doc, long row, float score) {}
      List<Hit> hits = new ArrayList<>();
      if ("exact".equals(info.knnModel())) {
        // Exact: score every vector (the definition the approximate search is checked against). Rows are read
        // only for the k best and anything tied with the k-th, which is all the tie-break needs.
        List<float[]> scored = new ArrayList<>(); // {doc, score}
        for (LeafReaderContext leaf : reader.leaves()) {
          var values = leaf.reader().getFloatVectorValues(Docs.VECTOR);
          if (values == null) continue;
          var it = values.iterator();
          Bits live = leaf.reader().getLiveDocs();
          for (int d = it.nextDoc(); d != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
            if (live != null && !live.get(d)) continue;
            scored.add(new float[] {leaf.docBase + d, sim.compare(q, values.vectorValue(it.index()))});
          }
        }
        scored.sort((a, b) -> Float.compare(b[1], a[1]));
        for (int i = 0; i < scored.size(); i++) {
          if (i >= k && scored.get(i)[1] < scored.get(k - 1)[1]) break;
          int doc = (int) scored.get(i)[0];
          hits.add(new Hit(doc, row(reader, doc), scored.get(i)[1]));
        }
      } else {
        TopDocs td = s.search(new KnnFloatVectorQuery(Docs.VECTOR, q, Math.max(k, MIN_CANDIDATES)), Math.max(k, MIN_CANDIDATES));
        for (ScoreDoc sd : td.scoreDocs) {
          hits.add(new Hit(sd.doc, row(reader, sd.doc), sd.score));
        }
      }
      // Nearest first; ties by the lower row, as in the exact engine.
      hits.sort(Comparator.comparingDouble((Hit h) -> -h.score).thenComparingLong(Hit::row));
      List<Neighbor> out = new ArrayList<>(k);
      for (Hit h : hits.subList(0, Math.min(k, hits.size()))) {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        wanted.add(Docs.ID);
        for (String c : info.columns()) wanted.add(Docs.META + "." + c);
        Document doc = sf.document(h.doc, wanted);
        Map<String, String> meta = new LinkedHashMap<>();
        for (String c : info.columns()) meta.put(c, doc.get(Docs.META + "." + c));
        out.add(new Neighbor(doc.get(Docs.ID), h.row, h.score, Docs.metricValue(info.metric(), h.score), meta));
      }
      return out;
    });
  }

  @Override
  public synchronized boolean delete(String ref) {
    var found = find(ref);
    if (found.isEmpty()) return false;
    deletePhysical(found.get().physical());
    return true;
  }

  // ---- results

  @Override
  public synchronized void putComparisons(List<ComparisonResult> results) {
    List<String> lines = new ArrayList<>();
    for (ComparisonResult r : results) lines.add(line(Docs.comparisonId(r), Docs.comparisonDoc(r)));
    append(root.resolve("comparisons.jsonl"), lines);
  }

  @Override
  public synchronized void putAlerts(List<DriftAlert> alerts) {
    List<String> lines = new ArrayList<>();
    for (DriftAlert a : alerts) lines.add(line(Docs.alertId(a), Docs.alertDoc(a)));
    append(root.resolve("alerts.jsonl"), lines);
  }

  @Override
  public synchronized List<ComparisonResult> comparisons(String experiment) {
    List<ComparisonResult> out = new ArrayList<>();
    for (Map<String, Object> d : readLines(root.resolve("comparisons.jsonl"), experiment)) out.add(Docs.comparisonFromDoc(d));
    return out;
  }

  @Override
  public synchronized List<DriftAlert> alerts(String experiment) {
    List<DriftAlert> out = new ArrayList<>();
    for (Map<String, Object> d : readLines(root.resolve("alerts.jsonl"), experiment)) out.add(Docs.alertFromDoc(d));
    return out;
  }

  @Override
  public synchronized void close() {
    for (var e : writers.entrySet()) {
      try {
        e.getValue().commit();
        e.getValue().close();
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot close " + e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
    writers.clear();
    openInfo.clear();
    for (String p : List.copyOf(readers.keySet())) closeReader(p);
  }

  // ---- plumbing

  private Document document(String id, long row, float[] vector, IndexInfo info, List<String> meta) {
    Document doc = new Document();
    doc.add(new StringField(Docs.ID, id, Field.Store.YES));
    doc.add(new StoredField(Docs.ROW, row));
    // Also as a doc value: the tie-break reads it per hit, and stored fields decompress a whole block per read.
    doc.add(new org.apache.lucene.document.NumericDocValuesField(Docs.ROW, row));
    doc.add(new KnnFloatVectorField(Docs.VECTOR, indexed(vector, info.metric()), similarity(info.metric())));
    ByteBuffer raw = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(vector);
    doc.add(new StoredField(RAW, raw.array()));
    for (int c = 0; c < info.columns().size() && meta != null; c++) {
      if (meta.get(c) != null) doc.add(new StoredField(Docs.META + "." + info.columns().get(c), meta.get(c)));
    }
    return doc;
  }

  private static float[] raw(Document doc) {
    BytesRef raw = doc.getBinaryValue(RAW);
    float[] v = new float[raw.length / Float.BYTES];
    ByteBuffer.wrap(raw.bytes, raw.offset, raw.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  private static long row(DirectoryReader reader, int doc) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
    var rows = leaf.reader().getNumericDocValues(Docs.ROW);
    if (rows == null || !rows.advanceExact(doc - leaf.docBase)) {
      return leaf.reader().storedFields().document(doc - leaf.docBase, java.util.Set.of(Docs.ROW)).getField(Docs.ROW).numericValue().longValue();
    }
    return rows.longValue();
  }

  static VectorSimilarityFunction similarity(Metric m) {
    return switch (m) {
      case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
      case EUCLIDEAN -> VectorSimilarityFunction.EUCLIDEAN;
      case DOT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    };
  }

  /** The vector as indexed: unit length for cosine (a zero vector stays zero), unchanged otherwise. */
  static float[] indexed(float[] v, Metric m) {
    if (m != Metric.COSINE) return v;
    double norm = 0;
    for (float x : v) norm += (double) x * x;
    if (norm == 0) return v.clone();
    float inv = (float) (1 / Math.sqrt(norm));
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) u[i] = v[i] * inv;
    return u;
  }

  private IndexWriter writer(IndexInfo info) {
    IndexWriter w = writers.get(info.physical());
    if (w != null) {
      openInfo.put(info.physical(), info);
      return w;
    }
    try {
      IndexWriterConfig cfg = new IndexWriterConfig().setRAMBufferSizeMB(256).setCodec(CODEC)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      w = new IndexWriter(FSDirectory.open(dir(info.physical()).resolve("lucene")), cfg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + info.name() + " under " + dir(info.physical()) + ": " + e.getMessage(), e);
    }
    writers.put(info.physical(), w);
    openInfo.put(info.physical(), info);
    return w;
  }

  private interface ReaderWork<T> {
    T apply(DirectoryReader reader) throws IOException;
  }

  private <T> T withReader(IndexInfo info, ReaderWork<T> work) {
    try {
      IndexWriter w = writers.get(info.physical());
      if (w != null) {
        // A checkpoint still being written is read through its writer (near-real-time), so nothing waits for a commit.
        try (DirectoryReader r = DirectoryReader.open(w)) {
          return work.apply(r);
        }
      }
      DirectoryReader r = readers.get(info.physical());
      if (r == null) {
        r = DirectoryReader.open(FSDirectory.open(dir(info.physical()).resolve("lucene")));
      } else {
        DirectoryReader newer = DirectoryReader.openIfChanged(r);
        if (newer != null) {
          r.close();
          r = newer;
        }
      }
      readers.put(info.physical(), r);
      return work.apply(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read index " + info.name() + " under " + dir(info.physical()) + ": " + e.getMessage(), e);
    }
  }

  private void closeReader(String physical) {
    DirectoryReader r = readers.remove(physical);
    if (r == null) return;
    try {
      r.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the reader of " + physical + ": " + e.getMessage(), e);
    }
  }

  /** Direct lookups first (no listing): checkpoint name, loaded name, physical name; then the general rules. */
  @Override
  public synchronized java.util.Optional<IndexInfo> find(String ref) {
    int slash = ref.indexOf('/'), at = ref.lastIndexOf('@');
    if (slash > 0 && at > slash) {
      try {
        long step = Long.parseLong(ref.substring(at + 1));
        IndexInfo i = readInfo(names.space(ref.substring(0, slash), ref.substring(slash + 1, at), step));
        if (i != null && i.name().equals(ref)) return java.util.Optional.of(i);
      } catch (NumberFormatException e) {
        // not a step: fall through
      }
    }
    if (!ref.isBlank() && slash < 0) {
      IndexInfo i = readInfo(names.loaded(ref));
      if (i != null && i.name().equals(ref)) return java.util.Optional.of(i);
      if (ref.matches("[a-z0-9][a-z0-9_.-]*") && !ref.equals(".") && !ref.equals("..")) {
        i = readInfo(ref);
        if (i != null) return java.util.Optional.of(i);
      }
    }
    return SpaceStore.super.find(ref);
  }

  private Path dir(String physical) {
    return root.resolve("indices").resolve(physical);
  }

  private IndexInfo readInfo(String physical) {
    Path f = dir(physical).resolve("index.json");
    try {
      return IndexInfo.fromMap(JSON.readValue(f.toFile(), Map.class));
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  private void writeInfo(IndexInfo info) {
    Path d = dir(info.physical());
    try {
      Files.createDirectories(d);
      Path tmp = d.resolve("index.json.tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), info.toMap());
      try {
        Files.move(tmp, d.resolve("index.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, d.resolve("index.json"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + d.resolve("index.json") + ": " + e.getMessage(), e);
    }
  }

  private void deletePhysical(String physical) {
    closeReader(physical);
    IndexWriter w = writers.remove(physical);
    openInfo.remove(physical);
    try {
      if (w != null) w.rollback();
      Path d = dir(physical);
      if (!Files.exists(d)) return;
      try (Stream<Path> all = Files.walk(d)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir(physical) + ": " + e.getMessage(), e);
    }
  }

  private static String line(String id, Map<String, Object> doc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("_id", id);
    m.putAll(doc);
    try {
      return JSON.writeValueAsString(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Path file, List<String> lines) {
    if (lines.isEmpty()) return;
    StringBuilder b = new StringBuilder();
    for (String l : lines) b.append(l).append('\n');
    try {
      // One write per batch in append mode: a reader never sees half a line from another writer's batch.
      Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  /** The documents of a JSON-lines file, the last of each _id winning, oldest @timestamp first. */
  private static List<Map<String, Object>> readLines(Path file, String experiment) {
    if (!Files.exists(file)) return List.of();
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int n = 1; n <= all.size(); n++) {
        String l = all.get(n - 1);
        if (l.isBlank()) continue;
        Map<String, Object> d;
        try {
          d = JSON.readValue(l, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
          // A torn last line (the process died mid-write) is skipped; anything else is corruption worth naming.
          if (n == all.size()) break;
          throw new IllegalArgumentException(file + " line " + n + ": not a JSON document: " + e.getMessage());
        }
        String id = String.valueOf(d.remove("_id"));
        if (experiment == null || experiment.equals(d.get("experiment"))) {
          byId.remove(id);
          byId.put(id, d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Map<String, Object>> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparingLong(d -> ((Number) d.get("@timestamp")).longValue()));
    return out;
  }

  /** Lucene's default codec with room for vectors wider than 1024; the on-disk format is the default one. */
  private static final KnnVectorsFormat HNSW = new Lucene99HnswVectorsFormat();
  private static final KnnVectorsFormat WIDE_HNSW = new KnnVectorsFormat(HNSW.getName()) {
    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
      return HNSW.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
      return HNSW.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String field) {
      return MAX_DIMENSIONS;
    }
  };
  private static final Lucene103Codec CODEC = new Lucene103Codec() {
    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
      return WIDE_HNSW;
    }
  };
}
