package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Metric;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CheckpointProtocolTest {
  private static final CheckpointKey KEY = new CheckpointKey("exp", "head", 7L);

  private static SpaceRegistered registered(int rows, int dim, List<String> columns) {
    return SpaceRegistered.newBuilder().setCheckpoint(KEY).setDataset("d").setModel("m").setDimension(dim).setRows(rows)
        .setMetric(Metric.COSINE).setMetadataColumns(columns).setRegisteredAt(Instant.ofEpochMilli(1)).build();
  }

  private static float[][] vectors(int rows, int dim) {
    float[][] v = new float[rows][dim];
    for (int r = 0; r < rows; r++) for (int c = 0; c < dim; c++) v[r][c] = r * 0.5f - c * 0.25f;
    v[0][0] = -0.0f;
    v[rows - 1][dim - 1] = Float.MIN_VALUE;
    return v;
  }

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add("p" + i);
    return ids;
  }

  private static List<String> validate(List<SpaceEvent> events) {
    var v = new CheckpointProtocol.Validation((SpaceRegistered) events.get(0).getEvent(), List.of());
    for (SpaceEvent e : events.subList(1, events.size() - 1)) v.accept((EmbeddingChunk) e.getEvent());
    return v.finish((CheckpointCompleted) events.get(events.size() - 1).getEvent());
  }

  @Test
  void chunksAreNumberedContiguousLittleEndianAndSummedInSequenceOrder() {
    float[][] v = vectors(10, 3);
    List<SpaceEvent> events = CheckpointProtocol.events(registered(10, 3, List.of()), ids(10), v, List.of(), 4, Instant.ofEpochMilli(2));
    assertEquals(5, events.size()); // register, chunks of 4, 4, 2, completion
    ByteBuffer all = ByteBuffer.allocate(10 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : v) for (float f : row) all.putFloat(f);
    all.flip();
    CRC32C crc = new CRC32C();
    crc.update(all);
    CheckpointCompleted done = (CheckpointCompleted) events.get(4).getEvent();
    assertEquals(crc.getValue(), done.getChecksum());
    assertEquals(3, done.getChunks());
    assertEquals(10, done.getRows());
    EmbeddingChunk third = (EmbeddingChunk) events.get(3).getEvent();
    assertEquals(2, third.getSequence());
    assertEquals(8, third.getFirstRow());
    assertEquals(Float.floatToRawIntBits(Float.MIN_VALUE), third.getVectors().order(ByteOrder.LITTLE_ENDIAN).getInt(2 * 3 * 4 - 4));
    assertEquals(List.of(), validate(events));
    CheckpointProtocol.Assembled a = CheckpointProtocol.assemble((SpaceRegistered) events.get(0).getEvent(),
        events.subList(1, 4).stream().map(e -> (EmbeddingChunk) e.getEvent()).toList());
    assertEquals(ids(10), a.ids());
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(a.vectors()[0]));
    assertEquals(v[9][1], a.vectors()[9 * 3 + 1]);
  }

  @Test
  void rawRecordsWithHostileNamesAreRefusedWithTheReason() {
    SpaceRegistered r = registered(4, 2, List.of());
    r.setCheckpoint(new CheckpointKey("evil\nexp", "head", 7L));
    r.setModel("\u001b[31m");
    List<String> problems = validate(CheckpointProtocol.events(r, ids(4), vectors(4, 2), List.of(), 4, Instant.ofEpochMilli(2)));
    assertTrue(problems.contains("experiment: experiment name 'evil\\u000Aexp' holds the non-printable character U+000A at position 4"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("model: model name '\\u001B[31m'")), problems.toString());
  }

  @Test
  void aZeroVectorIsRefusedUnderCosineOnlyNamingItsRow() {
    float[][] v = vectors(6, 3);
    v[3] = new float[] {0f, -0.0f, 0f};
    v[5] = new float[3];
    List<String> problems = validate(CheckpointProtocol.events(registered(6, 3, List.of()), ids(6), v, List.of(), 2, Instant.ofEpochMilli(2)));
    assertEquals(List.of("vectors: 2 zero vectors, first at row 3; a zero vector has no direction under the cosine metric, expected non-zero rows"
        + " (or another metric)"), problems);
    SpaceRegistered euclidean = registered(6, 3, List.of());
    euclidean.setMetric(Metric.EUCLIDEAN);
    assertEquals(List.of(), validate(CheckpointProtocol.events(euclidean, ids(6), v, List.of(), 2, Instant.ofEpochMilli(2))));
  }

  @Test
  void validationNamesTheFieldThatIsWrong() {
    List<SpaceEvent> events = CheckpointProtocol.events(registered(6, 2, List.of("label")), ids(6), vectors(6, 2),
        List.of(List.of("a"), List.of("a"), List.of("b"), List.of("b"), List.of("c"), List.of("c")), 2, Instant.ofEpochMilli(2));
    ((EmbeddingChunk) events.get(2).getEvent()).getVectors().order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN);
    events.remove(3);
    List<String> problems = validate(events);
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("checksum: CRC-32C")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("chunks: CheckpointCompleted.chunks is 3; received 2")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("first at row 2 component 0")), problems.toString());
  }

  @Test
  void rangesKeepEachChunkUnderTheBudgetAndRefuseARowThatCannotFit() {
    int dim = 100; // 400 bytes + id: 7 rows per 4096 - 1024 byte budget
    List<CheckpointProtocol.RowRange> r = CheckpointProtocol.chunkRanges("exp/head@7", ids(20), dim, List.of(), 4096);
    assertEquals(new CheckpointProtocol.RowRange(0, 7), r.get(0));
    assertEquals(new CheckpointProtocol.RowRange(14, 20), r.get(2));
    String m = assertThrows(CheckpointProtocol.RowTooLargeException.class,
        () -> CheckpointProtocol.chunkRanges("exp/head@7", ids(1), CheckpointProtocol.maxDimension(4096) + 1, List.of(), 4096)).getMessage();
    assertTrue(m.contains("row 0 (id 'p0') alone needs"), m);
    assertEquals(1, CheckpointProtocol.chunkRanges("x", List.of("a"), CheckpointProtocol.maxDimension(4096), List.of(), 4096).size());
  }

  @Test
  void sizeLimitIsRowsTimesDimension() {
    assertEquals("", CheckpointProtocol.checkSize(1_000_000, 2000));
    assertTrue(CheckpointProtocol.checkSize(2_000_000, 2000).contains("above the limit"));
    assertEquals("dimension 100000 is above the limit of 4096 components per vector (the stores' k-NN index limit)",
        CheckpointProtocol.checkSize(1, 100_000));
    assertEquals("1 row: a space needs at least 2 points to have neighbours", CheckpointProtocol.checkSize(1, 8));
  }
}
