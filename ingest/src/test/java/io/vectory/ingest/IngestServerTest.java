package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.ingest.http.IngestServer;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP ingest against an in-process broker: each body shape publishes, each bad input is a 400/413 with its reason. */
class IngestServerTest {

  @TempDir static Path dir;
  static LocalIngest ingest;
  static IngestServer server;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    ingest = LocalIngest.start(dir);
    server = ingest.serve(256 * 1024, null);
    base = LocalIngest.base(server);
  }

  @AfterAll
  static void stop() {
    if (ingest != null) ingest.close();
  }

  private static AssembledCheckpoint read(String checkpoint) {
    return CheckpointReader.read(ingest.bootstrap(), Map.of(), EventSerdes.singleObject(), Topics.defaults().spaceEvents, checkpoint, Duration.ofSeconds(30)).checkpoint();
  }

  @Test
  void npyBodyPublishesWithRowNumbersAsIds() throws Exception {
    float[][] v = Data.vectors(50, 8, 1);
    HttpResponse<String> r = Http.post(base + "npy-exp/checkpoints/5?space=head&param.lr=0.01", Http.npy(v), "application/octet-stream");
    assertEquals(202, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"checkpoint\":\"npy-exp/head@5\""), r.body());
    AssembledCheckpoint got = read("npy-exp/head@5");
    Data.assertBitForBit(v, Data.ids(50, ""), got);
    assertEquals("row", got.registered().getIdField());
    assertEquals("0.01", got.registered().getParams().get("lr"));
  }

  @Test
  void npzBodyCarriesIds() throws Exception {
    float[][] v = Data.vectors(40, 4, 2);
    List<String> ids = Data.ids(40, "doc-é-");
    HttpResponse<String> r = Http.post(base + "npz-exp/checkpoints/1", Http.npz(v, ids), "application/x-npz");
    assertEquals(202, r.statusCode(), r.body());
    assertTrue(r.body().contains("npz-exp/default@1"), r.body());
    Data.assertBitForBit(v, ids, read("npz-exp/default@1"));
  }

  @Test
  void multipartWithIdsPart() throws Exception {
    float[][] v = Data.vectors(3, 2, 3);
    HttpResponse<String> r = Http.multipart(base + "mp-exp/checkpoints/2", Http.npy(v), "x\ny\nz");
    assertEquals(202, r.statusCode(), r.body());
    Data.assertBitForBit(v, List.of("x", "y", "z"), read("mp-exp/default@2"));
  }

  @Test
  void corruptNpyIs400() throws Exception {
    byte[] npy = Http.npy(Data.vectors(10, 4, 4));
    byte[] truncated = Arrays.copyOf(npy, npy.length - 7);
    HttpResponse<String> r = Http.post(base + "bad/checkpoints/1", truncated, "application/octet-stream");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("request body"), r.body());
    HttpResponse<String> junk = Http.post(base + "bad/checkpoints/1", "hello".getBytes(), "application/octet-stream");
    assertEquals(400, junk.statusCode());
    assertTrue(junk.body().contains("not a NumPy .npy") && junk.body().contains("first byte is 0x68"), junk.body());
  }

  @Test
  void duplicateIdsAre400() throws Exception {
    HttpResponse<String> r = Http.multipart(base + "bad/checkpoints/1", Http.npy(Data.vectors(3, 2, 5)), "a\nb\na");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("duplicate id 'a' at rows 0 and 2"), r.body());
  }

  @Test
  void nanIs400NamingTheRow() throws Exception {
    float[][] v = Data.vectors(4, 3, 6);
    v[2][1] = Float.NaN;
    HttpResponse<String> r = Http.post(base + "bad/checkpoints/1", Http.npy(v), "application/octet-stream");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("row 2") && r.body().contains("NaN"), r.body());
  }

  @Test
  void badStepIs400AndTooLargeIs413() throws Exception {
    HttpResponse<String> step = Http.post(base + "e/checkpoints/last", Http.npy(Data.vectors(2, 2, 7)), "application/octet-stream");
    assertEquals(400, step.statusCode());
    assertTrue(step.body().contains("step 'last' is not a whole number"), step.body());
    HttpResponse<String> big = Http.post(base + "e/checkpoints/1", Http.npy(Data.vectors(1000, 128, 8)), "application/octet-stream");
    assertEquals(413, big.statusCode(), big.body());
    assertTrue(big.body().contains("above the limit of 262144 bytes"), big.body());
  }
}
