package io.vectory.store;

import io.vectory.core.compare.Metric;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

/**
 * How one point is a Lucene document in the embedded store: id, row, metadata, the vector as indexed for HNSW
 * and the raw vector bytes; and the codec that allows vectors wider than Lucene's 1024 default.
 *
 * <p>Metrics: euclidean is Lucene's EUCLIDEAN; dot is MAXIMUM_INNER_PRODUCT (Lucene's DOT_PRODUCT requires
 * unit vectors); cosine indexes unit-normalised vectors with DOT_PRODUCT (the same ranking as cosine, and
 * Lucene's advice over COSINE). The raw vectors are stored as well, because loading a space must give back
 * exactly what was published (CKA, for one, is not invariant to normalisation).
 */
final class LuceneDocs {

  static final String RAW = "raw";
  /** Lucene's default cap is 1024 dimensions; embedding models go past it (e.g. 1536, 3072): the pipeline's limit. */
  private static final int MAX_DIMENSIONS = io.vectory.schemas.CheckpointProtocol.MAX_DIMENSION;

  private LuceneDocs() {}

  static Document document(String id, long row, float[] vector, IndexInfo info, List<String> meta) {
    Document doc = new Document();
    doc.add(new StringField(Docs.ID, id, Field.Store.YES));
    doc.add(new StoredField(Docs.ROW, row));
    // Also as a doc value: the tie-break reads it per hit, and stored fields decompress a whole block per read.
    doc.add(new NumericDocValuesField(Docs.ROW, row));
    doc.add(new KnnFloatVectorField(Docs.VECTOR, indexed(vector, info.metric()), similarity(info.metric())));
    ByteBuffer raw = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(vector);
    doc.add(new StoredField(RAW, raw.array()));
    for (int c = 0; c < info.columns().size() && meta != null; c++) {
      if (meta.get(c) != null) doc.add(new StoredField(Docs.META + "." + info.columns().get(c), meta.get(c)));
    }
    return doc;
  }

  static float[] raw(Document doc) {
    BytesRef raw = doc.getBinaryValue(RAW);
    float[] v = new float[raw.length / Float.BYTES];
    rawInto(doc, v, 0);
    return v;
  }

  static void rawInto(Document doc, float[] into, int offset) {
    BytesRef raw = doc.getBinaryValue(RAW);
    ByteBuffer.wrap(raw.bytes, raw.offset, raw.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
        .get(into, offset, raw.length / Float.BYTES);
  }

  static long row(IndexReader reader, int doc) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    var rows = leaf.reader().getNumericDocValues(Docs.ROW);
    if (rows == null || !rows.advanceExact(doc - leaf.docBase)) {
      return leaf.reader().storedFields().document(doc - leaf.docBase, Set.of(Docs.ROW)).getField(Docs.ROW).numericValue().longValue();
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

  /** Lucene's default HNSW settings: M (max connections per node) and ef_construction (beam width while building). */
  static final int DEFAULT_M = Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN;
  static final int DEFAULT_EF_CONSTRUCTION = Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH;

  static final Lucene103Codec CODEC = codec(DEFAULT_M, DEFAULT_EF_CONSTRUCTION);

  /** Lucene's default codec with room for vectors wider than 1024 and the given HNSW settings; the on-disk format is the default one. */
  static Lucene103Codec codec(int m, int efConstruction) {
    KnnVectorsFormat hnsw = new Lucene99HnswVectorsFormat(m, efConstruction);
    KnnVectorsFormat wide = new KnnVectorsFormat(hnsw.getName()) {
      @Override
      public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return hnsw.fieldsWriter(state);
      }

      @Override
      public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return hnsw.fieldsReader(state);
      }

      @Override
      public int getMaxDimensions(String field) {
        return MAX_DIMENSIONS;
      }
    };
    return new Lucene103Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return wide;
      }
    };
  }
}
