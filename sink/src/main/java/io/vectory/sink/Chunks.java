package io.vectory.sink;

import io.vectory.schemas.CheckpointNames;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.Metric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Checks an EmbeddingChunk against its index and unpacks its little-endian float32 vectors. */
public final class Chunks {

  private Chunks() {}


  public static IndexInfo info(SpaceRegistered r, IndexNames names) {
    CheckpointKey k = r.getCheckpoint();
    if (r.getDimension() <= 0) throw new IllegalArgumentException("SpaceRegistered " + CheckpointNames.of(k) + ": field dimension is " + r.getDimension() + ", expected > 0");
    return new IndexInfo(CheckpointNames.of(k), names.space(k.getExperiment(), k.getSpace(), k.getStep()), IndexInfo.CHECKPOINT,
        k.getExperiment(), k.getSpace(), k.getStep(), r.getDataset(), r.getModel(), Metric.valueOf(r.getMetric().name()), "hnsw",
        r.getDimension(), r.getRows(), r.getMetadataColumns(), false, r.getRegisteredAt().toEpochMilli(), null);
  }

  /** The chunk's vectors, row-major; throws naming the field when the chunk does not fit its index. */
  public static float[] vectors(EmbeddingChunk c, IndexInfo info) {
    String what = "EmbeddingChunk " + CheckpointNames.of(c.getCheckpoint()) + " #" + c.getSequence();
    int n = c.getIds().size();
    if (c.getDimension() != info.dimension()) {
      throw new IllegalArgumentException(what + ": field dimension is " + c.getDimension() + ", the registered space has " + info.dimension());
    }
    ByteBuffer b = c.getVectors().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long expected = (long) n * c.getDimension() * Float.BYTES;
    if (b.remaining() != expected) {
      throw new IllegalArgumentException(what + ": field vectors has " + b.remaining() + " bytes, expected ids (" + n + ") x dimension ("
          + c.getDimension() + ") x 4 = " + expected);
    }
    List<List<String>> meta = c.getMetadata();
    if (!meta.isEmpty() && meta.size() != n) {
      throw new IllegalArgumentException(what + ": field metadata has " + meta.size() + " rows, expected " + n + " (one per id) or none");
    }
    for (int i = 0; i < meta.size(); i++) {
      if (meta.get(i).size() != info.columns().size()) {
        throw new IllegalArgumentException(what + ": metadata row " + i + " has " + meta.get(i).size() + " values, expected "
            + info.columns().size() + " (" + String.join(", ", info.columns()) + ")");
      }
    }
    float[] v = new float[n * c.getDimension()];
    b.asFloatBuffer().get(v);
    return v;
  }
}
