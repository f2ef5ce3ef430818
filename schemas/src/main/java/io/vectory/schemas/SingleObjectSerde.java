package io.vectory.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Avro single-object encoding (marker C3 01, 8-byte schema fingerprint, Avro binary) for one topic. */
final class SingleObjectSerde<V extends SpecificRecord> implements Serde<V> {

  private final TopicSpec<V> topic;
  private final BinaryMessageEncoder<V> encoder;
  private final BinaryMessageDecoder<V> decoder;

  SingleObjectSerde(TopicSpec<V> topic) {
    this.topic = topic;
    SpecificData model = SpecificData.getForClass(topic.valueType());
    org.apache.avro.Schema schema = model.getSchema(topic.valueType());
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
  }

  @Override
  public Serializer<V> serializer() {
    return (t, value) -> {
      if (value == null) return null;
      try {
        ByteBuffer buf = encoder.encode(value);
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
      } catch (IOException e) {
        throw new SerializationException("topic " + t + ": cannot encode " + value.getClass().getSimpleName(), e);
      }
    };
  }

  @Override
  public Deserializer<V> deserializer() {
    return (t, data) -> {
      if (data == null) return null;
      if (data.length >= 5 && data[0] == RegistrySerde.MAGIC) {
        throw new SerdeMisconfiguredException("topic " + t + ": the value is in the Confluent wire format (magic byte 0x00, schema id "
            + ByteBuffer.wrap(data, 1, 4).getInt() + "), but no schema registry is configured; set --schema-registry (schema.registry.url) to read it", null);
      }
      if (data.length < 10 || (data[0] & 0xff) != 0xC3 || data[1] != 0x01) {
        throw new SerializationException("topic " + t + ": expected Avro single-object encoding (first bytes C3 01) for "
            + topic.valueType().getSimpleName() + ", got " + (data.length == 0 ? "an empty value" : String.format("first byte 0x%02X", data[0] & 0xff)));
      }
      try {
        return decoder.decode(data);
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("topic " + t + ": cannot decode " + topic.valueType().getSimpleName() + ": " + e.getMessage(), e);
      }
    };
  }
}
