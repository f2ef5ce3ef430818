package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceLocation;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.CheckpointProtocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an accepted checkpoint back from where its events are ({@link SpaceLocation}): the compare workers' one way to
 * its vectors, so the Streams app keeps no copy of them in its state.
 */
interface SpaceReader {

  /** The checkpoint's rows, ids and metadata columns, as it was accepted. */
  Space read(CheckpointKey checkpoint, SpaceLocation location);

  /** The space of a checkpoint's SpaceRegistered and its chunks (any order; each sequence once). */
  static Space assemble(CheckpointKey ck, SpaceRegistered r, Collection<EmbeddingChunk> chunks) {
    List<EmbeddingChunk> sorted = new ArrayList<>(chunks);
    sorted.sort(java.util.Comparator.comparingInt(EmbeddingChunk::getSequence));
    if (r == null) throw new IllegalStateException("no SpaceRegistered of " + CheckpointNames.of(ck) + " in its events");
    CheckpointProtocol.Assembled a = CheckpointProtocol.assemble(r, sorted);
    if (a.ids().size() != r.getRows()) {
      throw new IllegalStateException(CheckpointNames.of(ck) + ": " + a.ids().size() + " rows read back from its events; it was accepted with "
          + r.getRows());
    }
    List<String> colNames = r.getMetadataColumns();
    Map<String, List<String>> columns = new LinkedHashMap<>();
    for (int j = 0; j < colNames.size(); j++) {
      List<String> col = new ArrayList<>(a.ids().size());
      for (List<String> row : a.metadata()) col.add(row.get(j));
      columns.put(colNames.get(j), col);
    }
    return new Space(CheckpointNames.of(ck), a.ids(), FloatMatrix.wrap(a.ids().size(), a.dimension(), a.vectors()), columns);
  }
}
