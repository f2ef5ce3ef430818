package io.vectory.ingest;

import io.vectory.avro.SpaceRegistered;
import java.util.List;

/**
 * A whole checkpoint read back from its events: ids and row-major vectors in publish order, the
 * per-row metadata, and its registration. {@code vectors.length == ids.size() * dimension}.
 */
public record AssembledCheckpoint(String checkpoint, SpaceRegistered registered, List<String> ids, int dimension,
    float[] vectors, List<List<String>> metadata, int chunks, long checksum) {

  public int rows() {
    return ids.size();
  }
}
