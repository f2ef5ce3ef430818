package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client's Kafka transport (python/vectory) and the Java publisher write the same events: through the
 * shared registry, Java's deserializer reads what Python wrote (bit for bit, chunked the Java way, CRC-32C
 * checked), and Python's Avro reader reads what Java wrote.
 */
class PythonKafkaInteropIT {

  private static final String PYTHON = "/usr/bin/python3";
  private static final Path PACKAGE = Path.of("../python").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pythonAndJavaReadEachOthersRecords(@TempDir Path dir) throws Exception {
    assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is absent");
    assumeTrue(run(List.of(PYTHON, "-c", "import confluent_kafka, avro, numpy"), dir).exit == 0,
        PYTHON + " lacks python3-confluent-kafka / python3-avro / python3-numpy (apt-get install them)");
    String prefix = "interop-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = Topics.withPrefix(prefix);
    EventSerdes serdes = EventSerdes.registry(Map.of("schema.registry.url", Stack.registry()));

    // Python writes (rows 0..1199 of a seeded float32 matrix, 2 KiB chunks so there are several); Java reads.
    String py = String.join("\n",
        "import sys, numpy as np, vectory",
        "from vectory import _kafka",
        "v = np.random.default_rng(7).normal(size=(1200, 24)).astype('<f4')",
        "t = _kafka.KafkaTransport(sys.argv[1], sys.argv[2], sys.argv[3])",
        "t.max_chunk_bytes = 8192",
        "ck = vectory.prepare('py', 'head', 3, v, [f'p{i}' for i in range(1200)], {'label': [str(i % 4) for i in range(1200)]})",
        "t.producer(); t.max_chunk_bytes = 8192",
        "print(t.publish(ck, {'dataset': 'd', 'model': 'm', 'metric': 'cosine', 'params': {'lr': '0.1'}}))");
    againstTheStack(py, prefix, dir);
    AssembledCheckpoint got = CheckpointReader.read(Stack.bootstrap(), Map.of(), serdes, topics.spaceEvents, "py/head@3", Duration.ofSeconds(60))
        .checkpoint();
    float[][] expected = new float[1200][];
    String npy = run(List.of(PYTHON, "-c", "import numpy as np, sys; sys.stdout.write(np.random.default_rng(7).normal(size=(1200, 24))"
        + ".astype('<f4').tobytes().hex())"), dir).out.strip();
    ByteBuffer b = ByteBuffer.wrap(java.util.HexFormat.of().parseHex(npy)).order(ByteOrder.LITTLE_ENDIAN);
    List<String> ids = new ArrayList<>();
    for (int r = 0; r < 1200; r++) {
      expected[r] = new float[24];
      for (int c = 0; c < 24; c++) expected[r][c] = b.getFloat();
      ids.add("p" + r);
    }
    Data.assertBitForBit(expected, ids, got);
    assertEquals("0.1", got.registered().getParams().get("lr"));
    assertEquals(List.of("label"), got.registered().getMetadataColumns());
    // The same checkpoint from the Java publisher at the same chunk size: the same chunks and checksum.
    Map<String, List<String>> pyCols = Map.of("label", ids.stream().map(i -> String.valueOf(Integer.parseInt(i.substring(1)) % 4)).toList());
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).serdes(serdes).topics(topics).maxChunkBytes(8192).build()) {
      p.publish("twin", "head", 3, ids, expected, SpaceDescription.of("d", "m").withColumns(pyCols));
    }
    AssembledCheckpoint twin = CheckpointReader.read(Stack.bootstrap(), Map.of(), serdes, topics.spaceEvents, "twin/head@3", Duration.ofSeconds(60))
        .checkpoint();
    assertEquals(twin.chunks(), got.chunks(), "Python chunks as the Java publisher does");
    assertEquals(twin.checksum(), got.checksum());
    assertEquals(twin.metadata(), got.metadata());

    // Java writes; Python reads every event back with its Avro reader through the registry.
    float[][] v = Data.vectors(700, 16, 5);
    List<String> jids = Data.ids(700, "j-");
    Map<String, List<String>> cols = new LinkedHashMap<>();
    cols.put("label", jids.stream().map(s -> s.substring(s.length() - 1)).toList());
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).serdes(serdes).topics(topics).maxChunkBytes(8192).build()) {
      p.publish("java", "head", 9, jids, v, SpaceDescription.of("d", "m").withColumns(cols));
    }
    String read = String.join("\n",
        "import sys, json, confluent_kafka, numpy as np",
        "from vectory import _avro, _kafka",
        "reg = _avro.Registry(sys.argv[2]); schema = _avro.schemas()['SpaceEvent']",
        "c = confluent_kafka.Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'interop-' + sys.argv[3], 'isolation.level': 'read_committed',"
            + " 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})",
        "c.assign([confluent_kafka.TopicPartition(sys.argv[3] + 'vectory.space-events', 0, 0)])",
        "events = []",
        "while True:",
        "    ms = c.consume(100, 5)",
        "    if not ms: break",
        "    events += [reg.decode(m.topic(), schema, m.value())['event'] for m in ms if not m.error()]",
        "java = [e for e in events if e['checkpoint']['experiment'] == 'java']",
        "chunks = [e for e in java if 'sequence' in e]",
        "vec = b''.join(e['vectors'] for e in chunks)",
        "print(json.dumps({'kinds': ['registered' if 'dataset' in e else 'chunk' if 'sequence' in e else 'completed' for e in java],",
        "  'ids': [i for e in chunks for i in e['ids']], 'labels': [r[0] for e in chunks for r in e['metadata']],",
        "  'crc': _kafka.crc32c(vec), 'checksum': java[-1]['checksum'], 'vectors': vec.hex()}))");
    Result r = againstTheStack(read, prefix, dir);
    JsonNode j = JSON.readTree(r.out.lines().reduce((a, c) -> c).orElseThrow());
    List<String> kinds = new ArrayList<>();
    j.get("kinds").forEach(n -> kinds.add(n.asText()));
    assertEquals("registered", kinds.get(0));
    assertEquals("completed", kinds.get(kinds.size() - 1));
    assertEquals(kinds.size() - 2, kinds.stream().filter("chunk"::equals).count());
    List<String> pyIds = new ArrayList<>();
    j.get("ids").forEach(n -> pyIds.add(n.asText()));
    assertEquals(jids, pyIds);
    List<String> labels = new ArrayList<>();
    j.get("labels").forEach(n -> labels.add(n.asText()));
    assertEquals(cols.get("label"), labels);
    ByteBuffer expectedBytes = ByteBuffer.allocate(700 * 16 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : v) for (float f : row) expectedBytes.putFloat(f);
    assertEquals(java.util.HexFormat.of().formatHex(expectedBytes.array()), j.get("vectors").asText());
    CRC32C crc = new CRC32C();
    crc.update(expectedBytes.array());
    assertEquals(crc.getValue(), j.get("crc").asLong(), "Python's CRC-32C of the vector bytes");
    assertEquals(crc.getValue(), j.get("checksum").asLong());
  }

  record Result(int exit, String out) {}

  /** Runs a Python script with the stack's broker, registry and the topic prefix as arguments; it must succeed. */
  private static Result againstTheStack(String script, String prefix, Path dir) throws Exception {
    Result r = run(List.of(PYTHON, "-c", script, Stack.bootstrap(), Stack.registry(), prefix), dir);
    assertEquals(0, r.exit, r.out);
    return r;
  }

  private static Result run(List<String> cmd, Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false);
    pb.environment().put("PYTHONPATH", PACKAGE.toString());
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd.get(0));
    }
    return new Result(p.exitValue(), out);
  }
}
