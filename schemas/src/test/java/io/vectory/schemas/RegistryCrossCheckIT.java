package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks the wire format with an independent client, npm @kafkajs/confluent-schema-registry
 * (avsc underneath), against the real registry: Java-written bytes decoded by node, node-written
 * bytes decoded by Java. Needs node 20 + npm; installs the locked dependencies with {@code npm ci}.
 */
class RegistryCrossCheckIT {

  private static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String url = TestEvents.registryUrl();

  @BeforeAll
  static void installNodeClient() throws Exception {
    if (!Files.isDirectory(NODE_DIR.resolve("node_modules/@kafkajs/confluent-schema-registry"))) {
      String out = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", NODE_DIR.toString()));
      assertTrue(Files.isDirectory(NODE_DIR.resolve("node_modules/@kafkajs/confluent-schema-registry")), "npm ci did not install the client: " + out);
    }
  }

  @Test
  void nodeDecodesJavaWrittenBytes() throws Exception {
    String topic = "it-cross-java-" + UUID.randomUUID();
    Serde<SpaceEvent> serde = new TopicSpec<>(topic, SpaceEvent.class).valueSerde(EventSerdes.registry(Map.of(RegistryClient.URL, url)));
    float[] values = {0.5f, -1.25f, 3.0e-7f, 1e30f};
    byte[] bytes = serde.serializer().serialize(topic, TestEvents.chunk("java-exp", values));
    Path hex = Files.createTempFile("vectory-cross", ".hex");
    Files.writeString(hex, HexFormat.of().formatHex(bytes));

    JsonNode out = JSON.readTree(run(List.of("node", NODE_DIR.resolve("crosscheck.js").toString(), "decode", url, hex.toString())));
    assertEquals(0, out.get("magic").asInt());
    assertEquals(ByteBuffer.wrap(bytes, 1, 4).getInt(), out.get("schemaId").asInt());
    assertEquals("io.vectory.avro.EmbeddingChunk", out.get("type").asText());
    assertEquals("java-exp", out.at("/checkpoint/experiment").asText());
    assertEquals(List.of("a", "b"), List.of(out.get("ids").get(0).asText(), out.get("ids").get(1).asText()));
    for (int i = 0; i < values.length; i++) {
      assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits((float) out.get("vectors").get(i).asDouble()), "vector component " + i);
    }
  }

  @Test
  void javaDecodesNodeWrittenBytes() throws Exception {
    String subject = "it-cross-node-" + UUID.randomUUID() + "-value";
    Path avsc = Files.createTempFile("vectory-space-event", ".avsc");
    Files.writeString(avsc, SpaceEvent.getClassSchema().toString());
    JsonNode out = JSON.readTree(run(List.of("node", NODE_DIR.resolve("crosscheck.js").toString(), "encode", url, subject, avsc.toString())));
    byte[] bytes = HexFormat.of().parseHex(out.get("hex").asText());
    assertEquals(0, bytes[0]);
    assertEquals(out.get("id").asInt(), ByteBuffer.wrap(bytes, 1, 4).getInt());

    Serde<SpaceEvent> serde = Topics.defaults().spaceEvents.valueSerde(EventSerdes.registry(Map.of(RegistryClient.URL, url)));
    EmbeddingChunk chunk = (EmbeddingChunk) serde.deserializer().deserialize("vectory.space-events", bytes).getEvent();
    assertEquals("node-exp", chunk.getCheckpoint().getExperiment());
    assertEquals(7L, chunk.getCheckpoint().getStep());
    assertEquals(List.of("n-1", "n-2"), chunk.getIds());
    assertEquals(List.of(List.of("a"), List.of("b")), chunk.getMetadata());
    ByteBuffer v = chunk.getVectors().order(ByteOrder.LITTLE_ENDIAN);
    float[] expected = {0.5f, -1.25f, 3.0e-7f, 1e30f, -0.0f, 42.0f};
    for (float f : expected) assertEquals(Float.floatToIntBits(f), Float.floatToIntBits(v.getFloat()));
    assertEquals(0, v.remaining());
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + cmd.get(0) + " (this test needs node 20 and npm on PATH): " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " timed out");
    }
    if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
    // npm/node may print warnings before the JSON line: keep the last line.
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }
}
