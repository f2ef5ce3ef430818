package io.vectory.streams;

import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The serde of one state store's values: the project's Avro single-object encoding ({@link EventSerdes#singleObject}),
 * whose 8-byte schema fingerprint in every value is the version of the stored format. A value this release cannot
 * read (another fingerprint, corrupt bytes, the unversioned encoding of releases before typed state) fails with the
 * store's name and both fingerprints, never as a silently wrong value.
 */
final class StateSerde {
  private StateSerde() {}

  static <V extends SpecificRecord> Serde<V> of(String store, Class<V> type) {
    Serde<V> inner = EventSerdes.singleObject().forValue(new TopicSpec<>(store, type));
    long expected = SchemaNormalization.parsingFingerprint64(SpecificData.getForClass(type).getSchema(type));
    Deserializer<V> reader = inner.deserializer();
    Deserializer<V> checked = (topic, data) -> {
      try {
        return reader.deserialize(topic, data);
      } catch (SerializationException e) {
        throw new SerializationException("state store " + store + ": cannot read a stored " + type.getSimpleName() + " (" + written(data)
            + "; this release reads fingerprint " + hex(expected) + "): " + e.getMessage()
            + ". A store written by a release before typed state stores, or by a newer schema, cannot be read by this one:"
            + " reset the application (kafka-streams-application-reset) and delete its state directory, or run the release that wrote it", e);
      }
    };
    return Serdes.serdeFrom(inner.serializer(), checked);
  }

  /** The fingerprint a single-object value says it was written with, if it has the header. */
  private static String written(byte[] data) {
    if (data == null || data.length < 10 || (data[0] & 0xff) != 0xC3 || data[1] != 0x01) {
      return "the value has no single-object header, " + (data == null ? 0 : data.length) + " bytes";
    }
    return "the value was written with schema fingerprint " + hex(ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
  }

  private static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }
}
