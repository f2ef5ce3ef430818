package io.vectory.store;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.CheckpointNames;
import io.vectory.sink.Chunks;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;

/**
 * Creates, fills, completes and deletes the embedded store's indices: the write side. One lock for all writes
 * (they arrive from one pipeline thread or one CLI command); reads never take it — {@link IndexSearch} reads a
 * committed index through its own searcher and an open checkpoint through {@link #openWriter} (near-real-time).
 *
 * <p>Whenever an index's points change (reopened, rewritten, completed), its kept k-NN lists are deleted.
 */
final class IndexLifecycle {

  private final IndexFolders folders;
  private final IndexNames names;
  private final Map<String, IndexWriter> writers = new ConcurrentHashMap<>();
  private final Map<String, IndexInfo> openInfo = new ConcurrentHashMap<>();

  IndexLifecycle(IndexFolders folders, IndexNames names) {
    this.folders = folders;
    this.names = names;
  }

  /** The writer of a checkpoint still being written, or null. */
  IndexWriter openWriter(String physical) {
    return writers.get(physical);
  }

  synchronized IndexInfo begin(SpaceRegistered registered) {
    IndexInfo info = Chunks.info(registered, names);
    IndexInfo existing = folders.read(info.physical());
    if (existing != null && existing.dimension() == info.dimension() && existing.metric() == info.metric()
        && existing.columns().equals(info.columns())) {
      // A replay of the same checkpoint: keep its points (writes are idempotent by id) and its creation time.
      info = new IndexInfo(info.name(), info.physical(), info.kind(), info.experiment(), info.space(), info.step(), info.dataset(),
          info.model(), info.metric(), info.knnModel(), info.dimension(), info.rows(), info.columns(), false, existing.createdAt(), null);
      IndexFolders.deleteTree(folders.knn(info.physical()));
    } else if (existing != null) {
      delete(info.physical());
    }
    folders.write(info);
    writer(info);
    return info;
  }

  synchronized void add(EmbeddingChunk chunk) {
    var k = chunk.getCheckpoint();
    String physical = names.space(k.getExperiment(), k.getSpace(), k.getStep());
    IndexInfo info = openInfo.containsKey(physical) ? openInfo.get(physical) : folders.read(physical);
    if (info == null) {
      throw new IllegalArgumentException("EmbeddingChunk " + CheckpointNames.of(k) + " #" + chunk.getSequence()
          + ": no index " + physical + " in " + folders.dir(physical).getParent() + " (its SpaceRegistered never arrived)");
    }
    float[] v = Chunks.vectors(chunk, info);
    IndexWriter w = writer(info);
    int dim = info.dimension();
    List<String> ids = chunk.getIds();
    try {
      for (int i = 0; i < ids.size(); i++) {
        float[] row = Arrays.copyOfRange(v, i * dim, (i + 1) * dim);
        List<String> meta = chunk.getMetadata().isEmpty() ? null : chunk.getMetadata().get(i);
        w.updateDocument(new Term(Docs.ID, ids.get(i)), LuceneDocs.document(ids.get(i), chunk.getFirstRow() + i, row, info, meta));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + physical + ": " + e.getMessage(), e);
    }
  }

  synchronized IndexInfo complete(CheckpointCompleted completed) {
    var k = completed.getCheckpoint();
    String physical = names.space(k.getExperiment(), k.getSpace(), k.getStep());
    IndexInfo info = openInfo.containsKey(physical) ? openInfo.get(physical) : folders.read(physical);
    if (info == null) {
      throw new IllegalArgumentException("CheckpointCompleted " + CheckpointNames.of(k) + ": no index " + physical
          + " in " + folders.dir(physical).getParent() + " (its SpaceRegistered never arrived)");
    }
    long count = commitAndClose(info);
    if (count != completed.getRows()) {
      throw new IllegalArgumentException("CheckpointCompleted " + CheckpointNames.of(k) + ": field rows is " + completed.getRows()
          + " but index " + physical + " holds " + count + " points");
    }
    IndexInfo done = info.completed(count);
    IndexFolders.deleteTree(folders.knn(physical));
    folders.write(done);
    return done;
  }

  /** Writes a whole space as the index {@code info} describes (replacing one of that physical name). */
  synchronized IndexInfo put(IndexInfo info, Space space) {
    return put(info, space, LuceneDocs.CODEC);
  }

  /** As {@link #put(IndexInfo, Space)}, building the HNSW graph with these settings. */
  synchronized IndexInfo put(IndexInfo info, Space space, org.apache.lucene.codecs.Codec codec) {
    FloatMatrix m = space.vectors();
    delete(info.physical());
    folders.write(info);
    IndexWriter w = writer(info, codec);
    try {
      for (int r = 0; r < m.rows(); r++) {
        float[] row = new float[m.cols()];
        m.row(r, row);
        List<String> meta = new ArrayList<>(info.columns().size());
        for (String c : info.columns()) meta.add(space.columns().get(c).get(r));
        w.addDocument(LuceneDocs.document(space.ids().get(r), r, row, info, meta));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write index " + info.name() + ": " + e.getMessage(), e);
    }
    long count = commitAndClose(info);
    IndexInfo done = info.completed(count);
    folders.write(done);
    return done;
  }

  /** Removes an index's writer and folder (the caller has closed its searcher). */
  synchronized void delete(String physical) {
    IndexWriter w = writers.remove(physical);
    openInfo.remove(physical);
    try {
      if (w != null) w.rollback();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot drop the writer of " + physical + ": " + e.getMessage(), e);
    }
    folders.deleteTree(physical);
  }

  synchronized void close() {
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
  }

  private long commitAndClose(IndexInfo info) {
    try {
      IndexWriter w = writer(info);
      w.commit();
      long count = w.getDocStats().numDocs;
      w.close();
      return count;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit " + info.physical() + ": " + e.getMessage(), e);
    } finally {
      writers.remove(info.physical());
      openInfo.remove(info.physical());
    }
  }

  private IndexWriter writer(IndexInfo info) {
    return writer(info, LuceneDocs.CODEC);
  }

  private IndexWriter writer(IndexInfo info, org.apache.lucene.codecs.Codec codec) {
    openInfo.put(info.physical(), info);
    IndexWriter w = writers.get(info.physical());
    if (w != null) return w;
    try {
      IndexWriterConfig cfg = new IndexWriterConfig().setRAMBufferSizeMB(256).setCodec(codec)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      w = new IndexWriter(FSDirectory.open(folders.lucene(info.physical())), cfg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + info.name() + " under " + folders.dir(info.physical()) + ": " + e.getMessage(), e);
    }
    writers.put(info.physical(), w);
    return w;
  }
}
