package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.SpaceEvent;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** Decoding paths that need no registry: single-object bytes, foreign bytes, registry bytes without a registry. */
class RegistrySerdeTest {

  // Nothing listens there: these paths must never reach the registry.
  private final Serde<SpaceEvent> registry = Topics.defaults().spaceEvents.valueSerde(
      EventSerdes.registry(Map.of(RegistryClient.URL, "http://127.0.0.1:1/apis/ccompat/v7")));
  private final Serde<SpaceEvent> single = Topics.defaults().spaceEvents.valueSerde(EventSerdes.singleObject());

  @Test
  void registryDeserializerReadsSingleObjectEncoding() {
    SpaceEvent e = TestEvents.chunk("exp", 1f, 2f, 3f, 4f);
    byte[] bytes = single.serializer().serialize("t", e);
    assertEquals(0xC3, bytes[0] & 0xff);
    assertEquals(e, registry.deserializer().deserialize("t", bytes));
  }

  @Test
  void foreignMagicByteIsRefusedNamingTopicAndByte() {
    byte[] bytes = {0x7B, 0x22, 0x61, 0x22, 0x3A, 0x31, 0x7D}; // {"a":1} — JSON, not Avro
    SerializationException ex = assertThrows(SerializationException.class, () -> registry.deserializer().deserialize("vectory.space-events", bytes));
    assertTrue(ex.getMessage().contains("topic vectory.space-events"), ex.getMessage());
    assertTrue(ex.getMessage().contains("first byte is 0x7B"), ex.getMessage());
    assertTrue(ex.getMessage().contains("magic byte 0x00") && ex.getMessage().contains("C3 01"), ex.getMessage());
  }

  @Test
  void emptyValueIsRefused() {
    SerializationException ex = assertThrows(SerializationException.class, () -> registry.deserializer().deserialize("t", new byte[0]));
    assertTrue(ex.getMessage().contains("the value is empty"), ex.getMessage());
  }

  @Test
  void registryBytesWithoutRegistrySayWhatToConfigure() {
    byte[] bytes = {0, 0, 0, 0, 42, 2, 4, 6};
    SerializationException ex = assertThrows(SerializationException.class, () -> single.deserializer().deserialize("t", bytes));
    assertTrue(ex.getMessage().contains("schema id 42"), ex.getMessage());
    assertTrue(ex.getMessage().contains("--schema-registry"), ex.getMessage());
  }

  @Test
  void missingUrlIsAClearError() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> EventSerdes.registry(Map.of()));
    assertTrue(ex.getMessage().contains("schema.registry.url"), ex.getMessage());
  }

  @Test
  void pluggedSerializerClassIsUsed() {
    Serde<SpaceEvent> s = Topics.defaults().spaceEvents.valueSerde(EventSerdes.registry(Map.of(
        RegistryClient.URL, "http://127.0.0.1:1", EventSerdes.VALUE_SERIALIZER, FixedSerializer.class.getName())));
    assertEquals("fixed", new String(s.serializer().serialize("t", TestEvents.chunk("x", 1f, 2f))));
  }

  public static final class FixedSerializer implements org.apache.kafka.common.serialization.Serializer<Object> {
    @Override
    public byte[] serialize(String topic, Object data) {
      return "fixed".getBytes();
    }
  }
}
