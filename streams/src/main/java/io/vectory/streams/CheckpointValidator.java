package io.vectory.streams;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceRegistered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Checks one checkpoint chunk by chunk, in sequence order, without holding its vectors: feed every
 * stored chunk to {@link #accept}, then {@link #finish} returns what is wrong (empty when it is good).
 * Each problem names the field and what was expected.
 */
final class CheckpointValidator {
  private static final int MAX_EXAMPLES = 3;

  private final SpaceRegistered registered;
  private final List<String> problems = new ArrayList<>();
  private final CRC32C crc = new CRC32C();
  private final Set<String> ids = new HashSet<>();
  private final List<String> duplicateExamples = new ArrayList<>();
  private long duplicates;
  private long nonFinite;
  private long firstNonFiniteRow = -1;
  private int firstNonFiniteComponent = -1;
  private int expectedSequence;
  private int chunks;
  private long rows;

  CheckpointValidator(SpaceRegistered registered, List<String> earlierProblems) {
    this.registered = registered;
    problems.addAll(earlierProblems);
    if (registered == null) problems.add("SpaceRegistered: none received before CheckpointCompleted; expected one per checkpoint");
  }

  void accept(EmbeddingChunk c) {
    int seq = c.getSequence();
    if (seq != expectedSequence) {
      problems.add(seq > expectedSequence
          ? "sequence: chunk " + seq + " follows chunk " + (expectedSequence - 1) + "; expected " + expectedSequence
              + " (missing chunk" + (seq - expectedSequence > 1 ? "s " + expectedSequence + ".." + (seq - 1) : " " + expectedSequence) + ")"
          : "sequence: chunk " + seq + " out of order; expected " + expectedSequence);
    }
    expectedSequence = seq + 1;
    chunks++;
    int n = c.getIds().size();
    int dim = c.getDimension();
    if (registered != null && dim != registered.getDimension()) {
      problems.add("dimension: chunk " + seq + " has dimension " + dim + "; expected " + registered.getDimension() + " (SpaceRegistered.dimension)");
    }
    ByteBuffer vectors = c.getVectors().duplicate();
    long expectedBytes = (long) n * dim * Float.BYTES;
    if (vectors.remaining() != expectedBytes) {
      problems.add("vectors: chunk " + seq + " holds " + vectors.remaining() + " bytes; expected ids (" + n + ") × dimension (" + dim
          + ") × 4 = " + expectedBytes);
    }
    if (c.getFirstRow() != rows) {
      problems.add("first_row: chunk " + seq + " starts at row " + c.getFirstRow() + "; expected " + rows + " (rows of chunks 0.." + (seq - 1) + ")");
    }
    int columns = registered == null ? 0 : registered.getMetadataColumns().size();
    List<List<String>> meta = c.getMetadata();
    if (columns > 0 && meta.size() != n) {
      problems.add("metadata: chunk " + seq + " has " + meta.size() + " rows; expected " + n + " (one per id, with "
          + columns + " values: " + registered.getMetadataColumns() + ")");
    } else if (columns > 0) {
      for (int i = 0; i < meta.size(); i++) {
        if (meta.get(i).size() != columns) {
          problems.add("metadata: chunk " + seq + " row " + i + " has " + meta.get(i).size() + " values; expected " + columns + " " + registered.getMetadataColumns());
          break;
        }
      }
    } else if (!meta.isEmpty()) {
      problems.add("metadata: chunk " + seq + " has " + meta.size() + " rows but SpaceRegistered.metadata_columns is empty; expected none");
    }
    for (String id : c.getIds()) {
      if (!ids.add(id)) {
        duplicates++;
        if (duplicateExamples.size() < MAX_EXAMPLES) duplicateExamples.add("'" + id + "'");
      }
    }
    crc.update(vectors.duplicate());
    if (dim > 0) {
      FloatBuffer f = vectors.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (int i = 0, len = f.remaining(); i < len; i++) {
        if (!Float.isFinite(f.get(i))) {
          if (nonFinite++ == 0) {
            firstNonFiniteRow = rows + i / dim;
            firstNonFiniteComponent = i % dim;
          }
        }
      }
    }
    rows += n;
  }

  List<String> finish(CheckpointCompleted done) {
    if (done.getChunks() != chunks) {
      problems.add("chunks: CheckpointCompleted.chunks is " + done.getChunks() + "; received " + chunks
          + (chunks < done.getChunks() ? " (missing chunks; expected sequence 0.." + (done.getChunks() - 1) + ")" : ""));
    }
    if (done.getRows() != rows) {
      problems.add("rows: CheckpointCompleted.rows is " + done.getRows() + "; the chunks hold " + rows);
    }
    if (registered != null && registered.getRows() != rows) {
      problems.add("rows: SpaceRegistered.rows is " + registered.getRows() + "; the chunks hold " + rows);
    }
    if (rows == 0) problems.add("rows: the checkpoint has no vectors; expected at least one");
    long sum = crc.getValue();
    if (sum != done.getChecksum()) {
      problems.add("checksum: CRC-32C of the vectors bytes in sequence order is " + sum + "; CheckpointCompleted.checksum is " + done.getChecksum());
    }
    if (duplicates > 0) {
      problems.add("ids: " + duplicates + " duplicate id" + (duplicates > 1 ? "s" : "") + " (e.g. " + String.join(", ", duplicateExamples)
          + "); expected ids unique within a checkpoint");
    }
    if (nonFinite > 0) {
      problems.add("vectors: " + nonFinite + " non-finite value" + (nonFinite > 1 ? "s" : "") + " (NaN or ±Infinity), first at row "
          + firstNonFiniteRow + " component " + firstNonFiniteComponent + "; expected finite float32");
    }
    return problems;
  }
}
