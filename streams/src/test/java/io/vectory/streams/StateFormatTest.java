package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Metric;
import io.vectory.avro.SpaceRegistered;
import io.vectory.avro.StoredCheckpoint;
import io.vectory.avro.StoredKnnLists;
import io.vectory.avro.StoredPins;
import io.vectory.avro.StoredSpace;
import io.vectory.core.compare.KnnLists;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * The state stores' values are versioned: bytes written by this release's schemas (kept in
 * src/test/resources/state-format/v1.properties, one hex value per store) must be read back by every later
 * release, and today's writer must still write exactly them. A changed store schema fails here until its old
 * version is readable. Values the app cannot read fail loudly, naming the store and the fingerprints.
 */
final class StateFormatTest {
  private static final CheckpointKey KEY = StoreKeys.checkpointKey("fortunes-demo", "head", 3);
  /** 5 rows, queries 0, 2 and 4 sampled, 2 neighbours each. */
  private static final KnnLists SAMPLED_LISTS = new KnnLists(5, 2, io.vectory.core.compare.Metric.EUCLIDEAN, false, new int[] {0, 2, 4},
      new int[] {1, 2, 1, 3, 3, 2});

  /** The value written to each store's golden entry (what the app stores, with every field set). */
  static Map<String, SpecificRecord> samples() {
    SpaceRegistered registered = SpaceRegistered.newBuilder()
        .setCheckpoint(KEY).setDataset("fortunes").setModel("minilm-head").setEpoch(3).setDimension(2).setRows(2)
        .setMetric(Metric.COSINE).setParams(Map.of("lr", "0.005")).setIdField("id").setMetadataColumns(List.of("label"))
        .setRegisteredAt(Instant.ofEpochMilli(1_764_700_000_000L)).build();
    ByteBuffer vectors = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(0f).putFloat(0.5f).putFloat(-2f).flip();
    Map<String, SpecificRecord> m = new LinkedHashMap<>();
    m.put(ComparisonTopology.CHECKPOINT_STORE, new CheckpointState(KEY, false, registered, 1, 1_764_700_000_123L, 2, 42L,
        List.of("sequence: chunk 1 received twice; expected each sequence once")).stored());
    m.put(ComparisonTopology.CHUNK_STORE, EmbeddingChunk.newBuilder().setCheckpoint(KEY).setSequence(0).setFirstRow(0).setDimension(2)
        .setIds(List.of("f0000", "f0001")).setVectors(vectors).setMetadata(List.of(List.of("love"), List.of("work"))).build());
    m.put(ComparisonTopology.SPACE_STORE, new SpaceState(1, 3, new double[] {0.461, 0.561}).stored());
    m.put(ComparisonTopology.PIN_STORE, new StoredPins(List.of(StoreKeys.checkpointKey("fortunes-demo", "head", 1))));
    m.put(ComparisonTopology.KNN_STORE, KnnListsState.stored(SAMPLED_LISTS));
    return m;
  }

  static Class<? extends SpecificRecord> type(String store) {
    return switch (store) {
      case ComparisonTopology.CHECKPOINT_STORE -> StoredCheckpoint.class;
      case ComparisonTopology.CHUNK_STORE -> EmbeddingChunk.class;
      case ComparisonTopology.SPACE_STORE -> StoredSpace.class;
      case ComparisonTopology.PIN_STORE -> StoredPins.class;
      case ComparisonTopology.KNN_STORE -> StoredKnnLists.class;
      default -> throw new IllegalArgumentException(store);
    };
  }

  @SuppressWarnings("unchecked")
  static Serde<SpecificRecord> serde(String store) {
    return (Serde<SpecificRecord>) StateSerde.of(store, type(store));
  }

  static Properties golden() throws IOException {
    Properties p = new Properties();
    try (InputStream in = StateFormatTest.class.getResourceAsStream("/state-format/v1.properties")) {
      if (in == null) throw new IllegalStateException("missing test resource /state-format/v1.properties");
      p.load(in);
    }
    return p;
  }

  @Test
  void valuesWrittenByVersionOneAreReadBackAndStillWritten() throws IOException {
    Properties golden = golden();
    HexFormat hex = HexFormat.of();
    StringBuilder missing = new StringBuilder();
    for (Map.Entry<String, SpecificRecord> e : samples().entrySet()) {
      if (golden.getProperty(e.getKey()) == null) {
        missing.append(e.getKey()).append('=').append(hex.formatHex(serde(e.getKey()).serializer().serialize("t", e.getValue()))).append('\n');
      }
    }
    assertEquals("", missing.toString(), "stores with no golden value (today's bytes, for v1.properties)");
    for (Map.Entry<String, SpecificRecord> e : samples().entrySet()) {
      String store = e.getKey();
      String stored = golden.getProperty(store);
      byte[] today = serde(store).serializer().serialize(store + "-changelog", e.getValue());
      SpecificRecord read = serde(store).deserializer().deserialize(store + "-changelog", hex.parseHex(stored));
      assertEquals(e.getValue(), read, "store " + store + ": the version-1 value read back");
      assertEquals(stored, hex.formatHex(today), "store " + store + ": today's writer changed the stored format; keep reading version 1");
    }
    // The app's own view of the values survives the round trip too.
    CheckpointState s = CheckpointState.of((StoredCheckpoint) serde(ComparisonTopology.CHECKPOINT_STORE).deserializer()
        .deserialize("t", hex.parseHex(golden.getProperty(ComparisonTopology.CHECKPOINT_STORE))));
    assertEquals(KEY, s.key());
    assertEquals(List.of("sequence: chunk 1 received twice; expected each sequence once"), s.problems());
    SpaceState sp = SpaceState.of((StoredSpace) serde(ComparisonTopology.SPACE_STORE).deserializer()
        .deserialize("t", hex.parseHex(golden.getProperty(ComparisonTopology.SPACE_STORE))));
    assertArrayEquals(new double[] {0.461, 0.561}, sp.trailing());
    assertEquals(3, sp.previousStep());
    KnnLists kept = KnnListsState.of((StoredKnnLists) serde(ComparisonTopology.KNN_STORE).deserializer()
        .deserialize("t", hex.parseHex(golden.getProperty(ComparisonTopology.KNN_STORE))));
    assertEquals(List.of(5, 2, io.vectory.core.compare.Metric.EUCLIDEAN, false), List.of(kept.n(), kept.k(), kept.metric(), kept.includeSelf()));
    assertArrayEquals(SAMPLED_LISTS.queryRows(), kept.queryRows());
    assertArrayEquals(SAMPLED_LISTS.neighbours(), kept.neighbours());
    KnnLists exact = new KnnLists(3, 1, io.vectory.core.compare.Metric.COSINE, true, null, new int[] {0, 1, 2});
    KnnLists back = KnnListsState.of(KnnListsState.stored(exact));
    assertNull(back.queryRows(), "exact lists stay exact");
    assertArrayEquals(exact.neighbours(), back.neighbours());
  }

  @Test
  void aValueOfAnUnknownSchemaFailsNamingTheStoreAndFingerprints() throws IOException {
    byte[] b = HexFormat.of().parseHex(golden().getProperty(ComparisonTopology.SPACE_STORE));
    b[2] ^= 0x5a; // another schema's fingerprint
    var e = assertThrows(SerializationException.class, () -> serde(ComparisonTopology.SPACE_STORE).deserializer().deserialize("t", b));
    assertTrue(e.getMessage().startsWith("state store vectory-spaces: cannot read a stored StoredSpace (the value was written with schema fingerprint "),
        e.getMessage());
    assertTrue(e.getMessage().contains("this release reads fingerprint "), e.getMessage());
  }

  @Test
  void aCorruptValueFailsAndSoDoesTheOldUnversionedEncoding() throws IOException {
    byte[] good = HexFormat.of().parseHex(golden().getProperty(ComparisonTopology.CHECKPOINT_STORE));
    byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
    var e = assertThrows(SerializationException.class, () -> serde(ComparisonTopology.CHECKPOINT_STORE).deserializer().deserialize("t", truncated));
    assertTrue(e.getMessage().startsWith("state store vectory-checkpoints: cannot read a stored StoredCheckpoint"), e.getMessage());

    // What releases before typed state wrote for a space: firstStep, previousStep, count, doubles, no header.
    byte[] old = ByteBuffer.allocate(28).putLong(1).putLong(3).putInt(1).putDouble(0.5).array();
    var o = assertThrows(SerializationException.class, () -> serde(ComparisonTopology.SPACE_STORE).deserializer().deserialize("t", old));
    assertTrue(o.getMessage().contains("the value has no single-object header, 28 bytes"), o.getMessage());
    assertTrue(o.getMessage().contains("kafka-streams-application-reset"), o.getMessage());
  }
}
