package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.SpaceEvent;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** Against the real schema registry (Apicurio 3.3.3's Confluent API; VECTORY_SCHEMA_REGISTRY). */
class RegistrySerdeIT {

  private final String url = TestEvents.registryUrl();
  private final Map<String, Object> conf = Map.of(RegistryClient.URL, url);

  @Test
  void roundTripsInTheConfluentWireFormatAndTheIdResolves() {
    String topic = "it-roundtrip-" + UUID.randomUUID();
    Serde<SpaceEvent> serde = new TopicSpec<>(topic, SpaceEvent.class).valueSerde(EventSerdes.registry(conf));
    SpaceEvent e = TestEvents.chunk("exp-rt", 0.5f, -1f, Float.MIN_VALUE, 7f);
    byte[] bytes = serde.serializer().serialize(topic, e);
    assertEquals(0, bytes[0]);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertEquals(SpaceEvent.getClassSchema(), new RegistryClient(conf).schemaById(id));
    // A fresh deserializer (empty cache) fetches the writer schema by id.
    Serde<SpaceEvent> fresh = new TopicSpec<>(topic, SpaceEvent.class).valueSerde(EventSerdes.registry(conf));
    assertEquals(e, fresh.deserializer().deserialize(topic, bytes));
  }

  @Test
  void unknownSchemaIdIsAClearError() {
    Serde<SpaceEvent> serde = Topics.defaults().spaceEvents.valueSerde(EventSerdes.registry(conf));
    byte[] bytes = {0, 0x3A, (byte) 0xDE, 0x68, (byte) 0xB1, 2, 4}; // id 987654321
    SerializationException ex = assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("vectory.space-events", bytes));
    assertTrue(ex.getMessage().contains("topic vectory.space-events"), ex.getMessage());
    assertTrue(ex.getMessage().contains("does not know schema id 987654321"), ex.getMessage());
  }

  @Test
  void backwardCompatibilityAcceptsAFieldWithDefaultAndRefusesOneWithout() {
    String subject = "it-compat-" + UUID.randomUUID() + "-value";
    RegistryClient client = new RegistryClient(conf);
    Schema v1 = SchemaBuilder.record("Probe").namespace("io.vectory.it").fields().requiredString("name").requiredLong("step").endRecord();
    int id1 = client.register(subject, v1);
    client.setCompatibility(subject, "BACKWARD");

    Schema v2 = SchemaBuilder.record("Probe").namespace("io.vectory.it").fields().requiredString("name").requiredLong("step")
        .name("epoch").type().intType().intDefault(0).endRecord();
    int id2 = client.register(subject, v2);
    assertTrue(id2 != id1, "a new version gets a new id");

    Schema noDefault = SchemaBuilder.record("Probe").namespace("io.vectory.it").fields().requiredString("name").requiredLong("step")
        .name("epoch").type().intType().intDefault(0).requiredString("loss").endRecord();
    RegistryClient.RegistryException ex = assertThrows(RegistryClient.RegistryException.class, () -> client.register(subject, noDefault));
    assertEquals(409, ex.status());
    assertTrue(ex.getMessage().contains("subject '" + subject + "'"), ex.getMessage());
    assertTrue(ex.getMessage().contains("incompatible"), ex.getMessage());

    Schema typeChange = SchemaBuilder.record("Probe").namespace("io.vectory.it").fields().requiredString("name").requiredString("step")
        .name("epoch").type().intType().intDefault(0).endRecord();
    RegistryClient.RegistryException ex2 = assertThrows(RegistryClient.RegistryException.class, () -> client.register(subject, typeChange));
    assertEquals(409, ex2.status());
  }

  @Test
  void theProjectsOwnEnvelopeEvolvesBackward() {
    // The rule as applied to SpaceEvent itself: a SpaceRegistered field added with a default is accepted.
    String subject = "it-envelope-" + UUID.randomUUID() + "-value";
    RegistryClient client = new RegistryClient(conf);
    client.register(subject, SpaceEvent.getClassSchema());
    client.setCompatibility(subject, "BACKWARD");
    String evolved = SpaceEvent.getClassSchema().toString().replace(
        "{\"name\":\"registered_at\"", "{\"name\":\"note\",\"type\":\"string\",\"default\":\"\"},{\"name\":\"registered_at\"");
    assertTrue(client.isCompatible(subject, new Schema.Parser().parse(evolved)));
    String broken = SpaceEvent.getClassSchema().toString().replace(
        "{\"name\":\"registered_at\"", "{\"name\":\"note\",\"type\":\"string\"},{\"name\":\"registered_at\"");
    assertTrue(!client.isCompatible(subject, new Schema.Parser().parse(broken)));
  }
}
