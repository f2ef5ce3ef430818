package io.vectory.app.web;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.Metric;
import io.vectory.datasets.Fortunes;
import io.vectory.core.npy.Npy;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.SpaceStore;
import io.vectory.sink.SpaceWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Test data for the store-backed verbs: the real MiniLM pair of core's test resources (600 fortunes embedded by
 * all-minilm-l6-v2 and its quantised twin) with the fortunes' labels and texts, and a way to store a space as a
 * checkpoint the same way the pipeline does (register, chunks, completion through {@link SpaceWriter}).
 */
public final class StoreFixtures {

  /** core/src/test/resources/real, seen from the app module (surefire runs in the module's folder). */
  public static final Path REAL = Path.of("..", "core", "src", "test", "resources", "real");

  private StoreFixtures() {}

  /** minilm.npy or minilm-q.npy with ids and label/text columns from the fortunes corpus (same row order). */
  public static Space realMiniLm(String file) throws IOException {
    FloatMatrix m = Npy.readMatrix(REAL.resolve(file), null);
    List<String> ids = Files.readAllLines(REAL.resolve("ids.txt")).stream().filter(s -> !s.isBlank()).toList();
    Map<String, Fortunes.Fortune> byId = new HashMap<>();
    for (Fortunes.Fortune f : Fortunes.load()) byId.put(f.id(), f);
    List<String> labels = new ArrayList<>(), texts = new ArrayList<>();
    for (String id : ids) {
      labels.add(byId.get(id).label());
      texts.add(byId.get(id).text());
    }
    return new Space(file, ids, m, Map.of("label", labels, "text", texts));
  }

  /** Stores {@code space} as checkpoint experiment/spaceName@step, as the pipeline's sink would. */
  public static void storeCheckpoint(SpaceStore store, String experiment, String spaceName, long step, Space space,
      Metric metric) {
    SpaceWriter w = new SpaceWriter(store);
    for (SpaceEvent e : checkpoint(experiment, spaceName, step, space, metric, 250)) w.apply(e);
  }

  static List<SpaceEvent> checkpoint(String experiment, String spaceName, long step, Space space, Metric metric, int chunkRows) {
    CheckpointKey key = new CheckpointKey(experiment, spaceName, step);
    FloatMatrix m = space.vectors();
    List<String> cols = new ArrayList<>(new TreeSet<>(space.columns().keySet()));
    List<SpaceEvent> out = new ArrayList<>();
    out.add(new SpaceEvent(SpaceRegistered.newBuilder().setCheckpoint(key).setDataset("fortunes").setModel("test")
        .setDimension(m.cols()).setRows(m.rows()).setMetric(io.vectory.avro.Metric.valueOf(metric.name()))
        .setMetadataColumns(cols).setRegisteredAt(Instant.ofEpochMilli(1_700_000_000_000L + step)).build()));
    CRC32C crc = new CRC32C();
    int seq = 0;
    for (int first = 0; first < m.rows(); first += chunkRows, seq++) {
      int n = Math.min(chunkRows, m.rows() - first);
      ByteBuffer b = ByteBuffer.allocate(n * m.cols() * 4).order(ByteOrder.LITTLE_ENDIAN);
      float[] row = new float[m.cols()];
      List<List<String>> meta = new ArrayList<>();
      for (int r = first; r < first + n; r++) {
        m.row(r, row);
        for (float x : row) b.putFloat(x);
        List<String> vals = new ArrayList<>();
        for (String c : cols) vals.add(space.columns().get(c).get(r));
        meta.add(vals);
      }
      b.flip();
      crc.update(b.duplicate());
      out.add(new SpaceEvent(EmbeddingChunk.newBuilder().setCheckpoint(key).setSequence(seq).setFirstRow(first)
          .setDimension(m.cols()).setIds(new ArrayList<>(space.ids().subList(first, first + n))).setVectors(b)
          .setMetadata(cols.isEmpty() ? List.of() : meta).build()));
    }
    out.add(new SpaceEvent(CheckpointCompleted.newBuilder().setCheckpoint(key).setRows(m.rows()).setChunks(seq)
        .setChecksum(crc.getValue()).setCompletedAt(Instant.ofEpochMilli(1_700_000_000_500L + step)).build()));
    return out;
  }
}
