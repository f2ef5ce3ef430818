package io.vectory.store;

import io.vectory.core.space.Space;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import io.vectory.store.SpaceStore.Neighbor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * Reads the embedded store's indices: whole spaces and k-NN searches. No store-wide lock: each committed index
 * has a Lucene {@link SearcherManager} (reference-counted, so a search never waits for, or is cut short by,
 * a refresh or a write elsewhere); a checkpoint still being written is read through its writer (near-real-time).
 */
final class IndexSearch {

  /** Candidates the HNSW search keeps (its ef): more than k, for recall, at little cost. */
  private static final int MIN_CANDIDATES = 100;

  private final IndexFolders folders;
  private final IndexLifecycle lifecycle;
  private final Map<String, SearcherManager> searchers = new ConcurrentHashMap<>();

  IndexSearch(IndexFolders folders, IndexLifecycle lifecycle) {
    this.folders = folders;
    this.lifecycle = lifecycle;
  }

  Space loadSpace(IndexInfo info) {
    SpaceRows rows = new SpaceRows(info);
    withSearcher(info, s -> {
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        StoredFields sf = leaf.reader().storedFields();
        Bits live = leaf.reader().getLiveDocs();
        for (int d = 0; d < leaf.reader().maxDoc(); d++) {
          if (live != null && !live.get(d)) continue;
          Document doc = sf.document(d);
          int at = rows.put(doc.getField(Docs.ROW).numericValue().longValue(), doc.get(Docs.ID), c -> doc.get(Docs.META + "." + c));
          LuceneDocs.rawInto(doc, rows.data(), at);
        }
      }
      return null;
    });
    return rows.build();
  }

  float[] vectorOf(IndexInfo info, String id) {
    return withSearcher(info, s -> {
      TopDocs td = s.search(new TermQuery(new Term(Docs.ID, id)), 1);
      if (td.scoreDocs.length == 0) throw new IllegalArgumentException("no point with id '" + id + "' in " + info.name());
      return LuceneDocs.raw(s.storedFields().document(td.scoreDocs[0].doc));
    });
  }

  List<Neighbor> search(IndexInfo info, float[] query, int k) {
    float[] q = LuceneDocs.indexed(query, info.metric());
    VectorSimilarityFunction sim = LuceneDocs.similarity(info.metric());
    return withSearcher(info, s -> {
      IndexReader reader = s.getIndexReader();
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
          for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
            if (live != null && !live.get(d)) continue;
            scored.add(new float[] {leaf.docBase + d, sim.compare(q, values.vectorValue(it.index()))});
          }
        }
        scored.sort((a, b) -> Float.compare(b[1], a[1]));
        for (int i = 0; i < scored.size(); i++) {
          if (i >= k && scored.get(i)[1] < scored.get(k - 1)[1]) break;
          int doc = (int) scored.get(i)[0];
          hits.add(new Hit(doc, LuceneDocs.row(reader, doc), scored.get(i)[1]));
        }
      } else {
        int candidates = Math.max(k, MIN_CANDIDATES);
        TopDocs td = s.search(new KnnFloatVectorQuery(Docs.VECTOR, q, candidates), candidates);
        for (ScoreDoc sd : td.scoreDocs) hits.add(new Hit(sd.doc, LuceneDocs.row(reader, sd.doc), sd.score));
      }
      // Nearest first; ties by the lower row, as in the exact engine.
      hits.sort(Comparator.comparingDouble((Hit h) -> -h.score).thenComparingLong(Hit::row));
      Set<String> wanted = new HashSet<>();
      wanted.add(Docs.ID);
      for (String c : info.columns()) wanted.add(Docs.META + "." + c);
      StoredFields sf = s.storedFields();
      List<Neighbor> out = new ArrayList<>(k);
      for (Hit h : hits.subList(0, Math.min(k, hits.size()))) {
        Document doc = sf.document(h.doc, wanted);
        Map<String, String> meta = new LinkedHashMap<>();
        for (String c : info.columns()) meta.put(c, doc.get(Docs.META + "." + c));
        out.add(new Neighbor(doc.get(Docs.ID), h.row, h.score, Docs.metricValue(info.metric(), h.score), meta));
      }
      return out;
    });
  }

  /** Closes the searcher of an index about to be rewritten or deleted; the next read opens a fresh one. */
  void evict(String physical) {
    SearcherManager m = searchers.remove(physical);
    if (m == null) return;
    try {
      m.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the searcher of " + physical + ": " + e.getMessage(), e);
    }
  }

  void close() {
    for (String p : List.copyOf(searchers.keySet())) evict(p);
  }

  private interface SearchWork<T> {
    T apply(IndexSearcher searcher) throws IOException;
  }

  private <T> T withSearcher(IndexInfo info, SearchWork<T> work) {
    try {
      IndexWriter w = lifecycle.openWriter(info.physical());
      if (w != null) {
        try (DirectoryReader r = DirectoryReader.open(w)) {
          return work.apply(new IndexSearcher(r));
        }
      }
      SearcherManager m = searchers.computeIfAbsent(info.physical(), p -> {
        try {
          return new SearcherManager(FSDirectory.open(folders.lucene(p)), null);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      m.maybeRefresh();
      IndexSearcher s = m.acquire();
      try {
        return work.apply(s);
      } finally {
        m.release(s);
      }
    } catch (IOException | UncheckedIOException e) {
      String why = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
      throw new UncheckedIOException("cannot read index " + info.name() + " under " + folders.dir(info.physical()) + ": " + why,
          e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
    }
  }
}
