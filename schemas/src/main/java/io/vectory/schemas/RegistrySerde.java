package io.vectory.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The Confluent wire format for one topic: magic byte 0, the 4-byte big-endian schema id, then Avro
 * binary. The schema is registered under the subject {@code <topic>-value} (TopicNameStrategy).
 * The deserializer also reads Avro single-object encoding (C3 01), the embedded default, so a
 * consumer reads topics written either way; anything else is refused naming the topic and first byte.
 */
final class RegistrySerde<V extends SpecificRecord> implements Serde<V> {

  static final byte MAGIC = 0;
  private static final ThreadLocal<ByteArrayOutputStream> BUFFER = ThreadLocal.withInitial(() -> new ByteArrayOutputStream(64 * 1024));

  private final TopicSpec<V> topic;
  private final RegistryClient client;
  private final boolean autoRegister;
  private final SpecificData model;
  private final Schema readerSchema;
  private final SpecificDatumWriter<V> writer;
  private final Map<Integer, SpecificDatumReader<V>> readers = new ConcurrentHashMap<>();
  private final Deserializer<V> singleObject;

  RegistrySerde(TopicSpec<V> topic, RegistryClient client, boolean autoRegister) {
    this.topic = topic;
    this.client = client;
    this.autoRegister = autoRegister;
    this.model = SpecificData.getForClass(topic.valueType());
    this.readerSchema = model.getSchema(topic.valueType());
    this.writer = new SpecificDatumWriter<>(readerSchema, model);
    this.singleObject = new SingleObjectSerde<>(topic).deserializer();
  }

  static String subject(String topicName) {
    return topicName + "-value";
  }

  @Override
  public Serializer<V> serializer() {
    return (t, value) -> {
      if (value == null) return null;
      String subject = subject(t);
      int id = autoRegister ? client.register(subject, readerSchema) : client.lookup(subject, readerSchema);
      // One reusable buffer per thread: a 900 KB chunk is then copied once, not regrown from 1 KB.
      ByteArrayOutputStream out = BUFFER.get();
      out.reset();
      out.write(MAGIC);
      out.write(id >>> 24);
      out.write(id >>> 16);
      out.write(id >>> 8);
      out.write(id);
      try {
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(value, enc);
        enc.flush();
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("topic " + t + ": cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
      }
      byte[] bytes = out.toByteArray();
      if (out.size() > 4 << 20) BUFFER.remove(); // don't keep an outsized buffer alive
      return bytes;
    };
  }

  @Override
  public Deserializer<V> deserializer() {
    return (t, data) -> {
      if (data == null) return null;
      if (data.length >= 2 && (data[0] & 0xff) == 0xC3 && data[1] == 0x01) return singleObject.deserialize(t, data);
      if (data.length < 5 || data[0] != MAGIC) {
        throw new SerializationException("topic " + t + ": cannot read " + topic.valueType().getSimpleName() + ": "
            + (data.length == 0 ? "the value is empty" : data.length < 5 && data[0] == MAGIC ? "the value is only " + data.length + " bytes"
                : String.format("first byte is 0x%02X", data[0] & 0xff))
            + "; expected the Confluent wire format (magic byte 0x00 + 4-byte schema id) or Avro single-object encoding (C3 01)");
      }
      int id = ByteBuffer.wrap(data, 1, 4).getInt();
      SpecificDatumReader<V> reader;
      try {
        reader = readers.computeIfAbsent(id, k -> new SpecificDatumReader<>(client.schemaById(k), readerSchema, model));
      } catch (SerializationException e) {
        String msg = "topic " + t + ": cannot read " + topic.valueType().getSimpleName() + " written with schema id " + id + ": " + e.getMessage();
        if (e instanceof SerdeMisconfiguredException) throw new SerdeMisconfiguredException(msg, e);
        throw new SerializationException(msg, e);
      }
      try {
        return reader.read(null, DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null));
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("topic " + t + ": cannot decode " + topic.valueType().getSimpleName() + " (schema id " + id + "): " + e, e);
      }
    };
  }
}
