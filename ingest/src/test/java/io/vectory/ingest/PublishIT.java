package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.ingest.http.IngestServer;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Against the shared stack (Kafka + Apicurio): a 10,000 × 512 checkpoint published through the library
 * and through HTTP, in the registry encoding, comes back bit for bit from a plain read_committed consumer.
 */
class PublishIT {

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, Object> registry = Map.of("schema.registry.url", Stack.registry());

  @Test
  void libraryPublishesTenThousandBy512BitForBit() {
    float[][] v = Data.vectors(10_000, 512, 11);
    List<String> ids = Data.ids(10_000, "img-");
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < v.length; i++) labels.add("class-" + (i % 10));
    List<long[]> progress = new ArrayList<>();
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).serdes(EventSerdes.registry(registry)).build()) {
      PublishResult r = p.publish("lib-" + run, "head", 300, ids, v,
          SpaceDescription.of("cifar-val", "resnet").withEpoch(3).withParams(Map.of("lr", "0.1")).withColumns(Map.of("label", labels)),
          (acked, total, bytes) -> progress.add(new long[] {acked, total}));
      assertEquals(10_000 * 512 * 4L, r.vectorBytes());
      assertTrue(r.chunks() >= 23, "20.5 MB in chunks under 900 KiB: " + r.chunks());
      assertEquals(r.chunks(), progress.get(progress.size() - 1)[0], "last progress report says every chunk was acknowledged");

      CheckpointReader.Read read = CheckpointReader.read(Stack.bootstrap(), Map.of(), EventSerdes.registry(registry),
          Topics.defaults().spaceEvents, "lib-" + run + "/head@300", Duration.ofSeconds(120));
      AssembledCheckpoint got = read.checkpoint();
      Data.assertBitForBit(v, ids, got);
      assertEquals(0, read.duplicateChunks());
      assertEquals(r.checksum(), got.checksum());
      assertEquals(List.of("label"), got.registered().getMetadataColumns());
      assertEquals(List.of("class-7"), got.metadata().get(9_997));
      assertEquals(3, got.registered().getEpoch());
      assertEquals("0.1", got.registered().getParams().get("lr"));
    }
  }

  @Test
  void httpPublishesTenThousandBy512BitForBit() throws Exception {
    float[][] v = Data.vectors(10_000, 512, 12);
    List<String> ids = Data.ids(10_000, "tok-");
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).serdes(EventSerdes.registry(registry)).build();
        IngestServer server = IngestServer.start(new InetSocketAddress("127.0.0.1", 0), p, 64L << 20, SpaceDescription.of("ds", "m"))) {
      HttpResponse<String> r = Http.post("http://127.0.0.1:" + server.port() + "/v1/experiments/http-" + run + "/checkpoints/12?space=enc",
          Http.npz(v, ids), "application/x-npz");
      assertEquals(202, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"checkpoint\":\"http-" + run + "/enc@12\""), r.body());
    }
    AssembledCheckpoint got = CheckpointReader.read(Stack.bootstrap(), Map.of(), EventSerdes.registry(registry),
        Topics.defaults().spaceEvents, "http-" + run + "/enc@12", Duration.ofSeconds(120)).checkpoint();
    Data.assertBitForBit(v, ids, got);
  }

  @Test
  void floatBufferInputWithSingleObjectEncoding() {
    float[] flat = new float[300 * 16];
    for (int i = 0; i < flat.length; i++) flat[i] = i * 0.25f - 7;
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).build()) {
      p.publish("buf-" + run, "s", 1, Data.ids(300, ""), FloatBuffer.wrap(flat), 16, SpaceDescription.of("d", "m"), PublishProgress.NONE);
    }
    // The registry deserializer reads single-object encoding too.
    AssembledCheckpoint got = CheckpointReader.read(Stack.bootstrap(), Map.of(), EventSerdes.registry(registry),
        Topics.defaults().spaceEvents, "buf-" + run + "/s@1", Duration.ofSeconds(60)).checkpoint();
    for (int i = 0; i < flat.length; i++) assertEquals(Float.floatToRawIntBits(flat[i]), Float.floatToRawIntBits(got.vectors()[i]));
  }
}
