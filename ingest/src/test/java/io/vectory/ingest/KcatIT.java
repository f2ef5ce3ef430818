package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectory.avro.SpaceEvent;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party client, kcat, consuming the topic sees records whose first byte is 0 and whose schema
 * id resolves at {@code /schemas/ids/{id}} of the registry.
 */
class KcatIT {

  @Test
  void kcatSeesMagicZeroAndAResolvableSchemaId(@TempDir Path dir) throws Exception {
    String kcat = List.of("/usr/bin/kcat", "/usr/local/bin/kcat", "/usr/bin/kafkacat").stream().filter(p -> new File(p).canExecute()).findFirst().orElse(null);
    assumeTrue(kcat != null, "kcat is absent (apt-get install kcat)");
    // A topic of its own, so kcat reads only this run's records.
    Topics topics = Topics.withPrefix("it-kcat-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap())
        .serdes(EventSerdes.registry(Map.of("schema.registry.url", Stack.registry())))
        .topics(topics)
        .build()) {
      p.publish("kcat-exp", "head", 1, Data.ids(100, "k"), Data.vectors(100, 32, 5), SpaceDescription.of("d", "m"));
    }
    String topic = topics.spaceEvents.name();
    Path out = dir.resolve("values.bin");
    // -f '%S %R%s': value length, then the raw value (binary-safe); read_committed like any consumer.
    Process k = new ProcessBuilder(kcat, "-b", Stack.bootstrap(), "-C", "-t", topic, "-o", "beginning", "-e", "-q",
        "-X", "isolation.level=read_committed", "-f", "%S\n%s")
        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    assertTrue(k.waitFor(60, TimeUnit.SECONDS), "kcat timed out");
    assertEquals(0, k.exitValue());
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out));
    int records = 0;
    int schemaId = -1;
    while (b.hasRemaining()) {
      StringBuilder len = new StringBuilder();
      for (byte c; (c = b.get()) != '\n'; ) len.append((char) c);
      byte[] value = new byte[Integer.parseInt(len.toString())];
      b.get(value);
      records++;
      assertEquals(0, value[0], "first byte of record " + records);
      int id = ByteBuffer.wrap(value, 1, 4).getInt();
      if (schemaId < 0) schemaId = id;
      assertEquals(schemaId, id, "every record of the topic carries the same schema id");
    }
    assertEquals(1 + 1 + 1, records, "SpaceRegistered, one chunk, CheckpointCompleted");
    HttpResponse<String> r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(Stack.registry() + "/schemas/ids/" + schemaId)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    String schemaText = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("schema").asText();
    assertEquals(SpaceEvent.getClassSchema(), new Schema.Parser().parse(schemaText));
  }
}
