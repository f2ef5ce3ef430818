package io.vectory.schemas;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The checkpoint protocol, in one place: how a checkpoint is cut into {@link EmbeddingChunk}s (row ranges under a
 * byte budget, vectors as little-endian float32, sequence 0..chunks-1 with contiguous {@code first_row}), the
 * CRC-32C of the vector bytes in sequence order that {@link CheckpointCompleted} carries, the limits, and the
 * checks a consumer runs before it accepts a checkpoint. The publisher, the Streams app and every test fixture
 * use it, so they cannot disagree; the Python example client mirrors it byte for byte.
 */
public final class CheckpointProtocol {
  /** Largest record value the publisher builds by default; the broker's default max.message.bytes is 1 MiB. */
  public static final int DEFAULT_MAX_CHUNK_BYTES = 900 * 1024;
  /** Smallest chunk budget a publisher may be configured with. */
  public static final int MIN_MAX_CHUNK_BYTES = 4096;
  /** Room kept in each chunk for the envelope, checkpoint key, counters and the wire-format header. */
  public static final int CHUNK_OVERHEAD_BYTES = 1024;
  /** Most values (rows × dimension) in one checkpoint: a consumer assembles it into one float array. */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;
  /**
   * Most components per vector. The embedded store's Lucene HNSW codec is set to 4,096 (OpenSearch's lucene engine
   * allows 16,000): the pipeline takes the smaller, so a checkpoint accepted at publish time can be stored in
   * either store; the stores read this constant.
   */
  public static final int MAX_DIMENSION = 4096;
  /** Fewest points of a space: a point needs at least one other point to have a neighbour. */
  public static final int MIN_ROWS = 2;

  private CheckpointProtocol() {}

  /** Largest dimension whose single row (with a one-byte id, no metadata) fits in a chunk of {@code maxChunkBytes}. */
  public static int maxDimension(int maxChunkBytes) {
    return (maxChunkBytes - CHUNK_OVERHEAD_BYTES - 1 - 5) / Float.BYTES;
  }

  /** The limit on rows × dimension, as a problem ("" when within it). */
  public static String checkSize(long rows, int dimension) {
    if (dimension <= 0) return "dimension must be positive, got " + dimension;
    if (dimension > MAX_DIMENSION) {
      return "dimension " + dimension + " is above the limit of " + MAX_DIMENSION + " components per vector (the stores' k-NN index limit)";
    }
    if (rows < MIN_ROWS) return rows + " row" + (rows == 1 ? "" : "s") + ": a space needs at least " + MIN_ROWS + " points to have neighbours";
    if (rows * dimension > MAX_VALUES) {
      return rows + " rows × dimension " + dimension + " = " + rows * dimension + " values, above the limit of " + MAX_VALUES + " per checkpoint";
    }
    return "";
  }

  /** One chunk's rows, [from, to). */
  public record RowRange(int from, int to) {}

  /** A row that cannot fit in any chunk. */
  public static final class RowTooLargeException extends IllegalArgumentException {
    public RowTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * Cuts rows into ranges whose ids, metadata and vectors stay under {@code maxChunkBytes} (less the overhead).
   * {@code columns} are the metadata columns, each one value per row (null counts as empty).
   */
  public static List<RowRange> chunkRanges(String checkpoint, List<String> ids, int dimension, List<List<String>> columns, int maxChunkBytes) {
    int budget = maxChunkBytes - CHUNK_OVERHEAD_BYTES;
    List<RowRange> out = new ArrayList<>();
    int from = 0;
    long size = 0;
    for (int r = 0; r < ids.size(); r++) {
      // Avro: a string is its UTF-8 bytes plus a length of up to 5 bytes; a float32 is 4.
      long rowBytes = 4L * dimension + ids.get(r).getBytes(StandardCharsets.UTF_8).length + 5;
      if (!columns.isEmpty()) {
        rowBytes += 5;
        for (List<String> c : columns) rowBytes += (c.get(r) == null ? 0 : c.get(r).getBytes(StandardCharsets.UTF_8).length) + 5;
      }
      if (rowBytes > budget) {
        throw new RowTooLargeException(checkpoint + ": row " + r + " (id '" + ids.get(r) + "') alone needs " + rowBytes
            + " bytes, above the chunk limit of " + budget + " bytes (dimension " + dimension + ")");
      }
      if (size + rowBytes > budget) {
        out.add(new RowRange(from, r));
        from = r;
        size = 0;
      }
      size += rowBytes;
    }
    out.add(new RowRange(from, ids.size()));
    return out;
  }

  /** A buffer for {@code rows} vectors of {@code dimension} float32 values in the wire's byte order. */
  public static ByteBuffer vectorBuffer(int rows, int dimension) {
    return ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(rows, dimension), Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The float32 values of a chunk's vector bytes (a view; the chunk is not changed). */
  public static FloatBuffer floats(EmbeddingChunk chunk) {
    return chunk.getVectors().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  /**
   * Numbers a checkpoint's chunks as they are sent and sums their checksum: {@link #next} gives chunk 0, 1, ...
   * with contiguous first rows; {@link #completed} the CheckpointCompleted that closes them. One per publish attempt.
   */
  public static final class ChunkWriter {
    private final CheckpointKey key;
    private final int dimension;
    private final CRC32C crc = new CRC32C();
    private int sequence;
    private long rows;

    public ChunkWriter(CheckpointKey key, int dimension) {
      this.key = key;
      this.dimension = dimension;
    }

    /** The next chunk: {@code vectors} holds ids.size() × dimension little-endian float32 from its position; {@code metadata} one row per id, or empty. */
    public EmbeddingChunk next(List<String> ids, ByteBuffer vectors, List<List<String>> metadata) {
      crc.update(vectors.duplicate());
      EmbeddingChunk c = EmbeddingChunk.newBuilder().setCheckpoint(key).setSequence(sequence++).setFirstRow(rows).setDimension(dimension)
          .setIds(ids).setVectors(vectors).setMetadata(metadata).build();
      rows += ids.size();
      return c;
    }

    /** CRC-32C of the vector bytes of the chunks so far, in sequence order. */
    public long checksum() {
      return crc.getValue();
    }

    public int chunks() {
      return sequence;
    }

    public CheckpointCompleted completed(Instant at) {
      return CheckpointCompleted.newBuilder().setCheckpoint(key).setRows(rows).setChunks(sequence).setChecksum(checksum()).setCompletedAt(at).build();
    }
  }

  /**
   * Every event of a checkpoint held whole in memory (tools and test fixtures): the registration, chunks of
   * {@code chunkRows} rows, the completion. {@code metadata} is one row of values per id, or empty. The list is mutable.
   */
  public static List<SpaceEvent> events(SpaceRegistered registered, List<String> ids, float[][] vectors, List<List<String>> metadata,
      int chunkRows, Instant completedAt) {
    int dim = registered.getDimension();
    float[] rowMajor = new float[Math.multiplyExact(vectors.length, dim)];
    for (int r = 0; r < vectors.length; r++) System.arraycopy(vectors[r], 0, rowMajor, r * dim, dim);
    return events(registered, ids, rowMajor, metadata, chunkRows, completedAt);
  }

  /** {@link #events(SpaceRegistered, List, float[][], List, int, Instant)} of ids.size() × dimension row-major values. */
  public static List<SpaceEvent> events(SpaceRegistered registered, List<String> ids, float[] rowMajor, List<List<String>> metadata,
      int chunkRows, Instant completedAt) {
    int dim = registered.getDimension();
    ChunkWriter w = new ChunkWriter(registered.getCheckpoint(), dim);
    List<SpaceEvent> out = new ArrayList<>();
    out.add(new SpaceEvent(registered));
    for (int from = 0; from < ids.size(); from += chunkRows) {
      int to = Math.min(ids.size(), from + chunkRows);
      ByteBuffer b = vectorBuffer(to - from, dim);
      b.asFloatBuffer().put(rowMajor, from * dim, (to - from) * dim);
      out.add(new SpaceEvent(w.next(new ArrayList<>(ids.subList(from, to)), b,
          metadata.isEmpty() ? new ArrayList<>() : new ArrayList<>(metadata.subList(from, to)))));
    }
    out.add(new SpaceEvent(w.completed(completedAt)));
    return out;
  }

  /**
   * Checks one checkpoint chunk by chunk, in sequence order, without holding its vectors: feed every chunk to
   * {@link #accept}, then {@link #finish} returns what is wrong (empty when it is good). Each problem names the
   * field and what was expected.
   */
  public static final class Validation {
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
    private long zeroVectors;
    private long firstZeroRow = -1;
    private int expectedSequence;
    private int chunks;
    private long rows;

    /** @param earlierProblems what the consumer already saw wrong while the events arrived (kept first) */
    public Validation(SpaceRegistered registered, List<String> earlierProblems) {
      this.registered = registered;
      problems.addAll(earlierProblems);
      if (registered == null) {
        problems.add("SpaceRegistered: none received before CheckpointCompleted; expected one per checkpoint");
      } else {
        // Raw records can come from any producer: the names a user will see are checked here too.
        nameProblem("experiment", registered.getCheckpoint().getExperiment(), true);
        nameProblem("space", registered.getCheckpoint().getSpace(), true);
        nameProblem("dataset", registered.getDataset(), false);
        nameProblem("model", registered.getModel(), false);
      }
    }

    private void nameProblem(String what, String name, boolean strict) {
      try {
        if (strict) CheckpointNames.requireValid(what, name);
        else CheckpointNames.requirePrintable(what, name);
      } catch (IllegalArgumentException e) {
        problems.add(what + ": " + e.getMessage());
      }
    }

    public void accept(EmbeddingChunk c) {
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
        boolean cosine = registered != null && registered.getMetric() == io.vectory.avro.Metric.COSINE;
        boolean zero = true;
        for (int i = 0, len = f.remaining(); i < len; i++) {
          float v = f.get(i);
          if (!Float.isFinite(v) && nonFinite++ == 0) {
            firstNonFiniteRow = rows + i / dim;
            firstNonFiniteComponent = i % dim;
          }
          zero &= v == 0;
          if (i % dim == dim - 1) {
            // A zero vector has no direction: under cosine its distances are undefined (NaN), so it is refused.
            if (zero && cosine && zeroVectors++ == 0) firstZeroRow = rows + i / dim;
            zero = true;
          }
        }
      }
      rows += n;
    }

    public List<String> finish(CheckpointCompleted done) {
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
      if (registered != null && rows > 0) {
        String size = checkSize(rows, registered.getDimension());
        if (!size.isEmpty()) problems.add("rows: " + size);
      }
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
      if (zeroVectors > 0) {
        problems.add("vectors: " + zeroVectors + " zero vector" + (zeroVectors > 1 ? "s" : "") + ", first at row " + firstZeroRow
            + "; a zero vector has no direction under the cosine metric, expected non-zero rows (or another metric)");
      }
      return problems;
    }
  }

  /** A validated checkpoint's rows in one place: ids, row-major vectors, per-row metadata, in chunk order. */
  public record Assembled(List<String> ids, int dimension, float[] vectors, List<List<String>> metadata) {}

  /**
   * Concatenates the chunks of a checkpoint that {@link Validation} accepted, fed in sequence order one at a time
   * (so a consumer reading them from a store never holds them all), into {@link #result}.
   */
  public static final class Assembly {
    private final int dimension;
    private final float[] vectors;
    private final List<String> ids;
    private final List<List<String>> metadata;

    public Assembly(SpaceRegistered registered) {
      int rows = Math.toIntExact(registered.getRows());
      this.dimension = registered.getDimension();
      this.vectors = new float[Math.multiplyExact(rows, dimension)];
      this.ids = new ArrayList<>(rows);
      this.metadata = new ArrayList<>(registered.getMetadataColumns().isEmpty() ? 0 : rows);
    }

    public void add(EmbeddingChunk c) {
      floats(c).get(vectors, ids.size() * dimension, c.getIds().size() * dimension);
      ids.addAll(c.getIds());
      metadata.addAll(c.getMetadata());
    }

    public Assembled result() {
      return new Assembled(ids, dimension, vectors, metadata);
    }
  }

  /** {@link Assembly} over chunks already in memory, in sequence order. */
  public static Assembled assemble(SpaceRegistered registered, Iterable<EmbeddingChunk> chunks) {
    Assembly a = new Assembly(registered);
    chunks.forEach(a::add);
    return a.result();
  }
}
