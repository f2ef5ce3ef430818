package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.http.IngestServer;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input over HTTP (docs/bad-input.md, surface "HTTP"): a real serve-ingest server on an in-process broker; each
 * case posts a request and asserts the status and that the JSON error names the part, row or field and what was
 * expected; after every case the server still publishes a good checkpoint. The case ids are the doc table's.
 */
class BadInputHttpTest {

  @TempDir static Path dir;
  static LocalIngest ingest;
  static IngestServer server;
  static String base;
  static final int LIMIT = 256 * 1024;

  /** One request: method, path after /v1/experiments/ (raw, already percent-encoded), content type and body. */
  record Request(String method, String path, String contentType, Supplier<byte[]> body) {}

  record Case(String id, String input, Request request, int status, List<String> parts) {
    @Override
    public String toString() {
      return id + " " + input;
    }
  }

  static Case c(String id, String input, Request r, int status, String... parts) {
    return new Case(id, input, r, status, List.of(parts));
  }

  static Request npy(String path, Supplier<byte[]> body) {
    return new Request("POST", path, "application/octet-stream", body);
  }

  static Request multipart(String path, Map<String, byte[]> parts) {
    return new Request("POST", path, "multipart/form-data; boundary=" + BOUNDARY, () -> multipartBody(parts));
  }

  static Map<String, byte[]> parts(Object... kv) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1] instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) kv[i + 1]);
    return m;
  }

  static Stream<Case> cases() {
    byte[] ok = Http.npy(Data.vectors(10, 4, 1));
    byte[] three = Http.npy(Data.vectors(3, 2, 2));
    return Stream.of(
        c("H01", "a .npy body cut short", npy("h01/checkpoints/1", () -> Arrays.copyOf(ok, ok.length - 7)), 400,
            "request body: truncated: shape (10, 4) of '<f4' needs 160 data bytes, the file has 153"),
        c("H02", "a .npy header claiming 50 rows, holding 10", npy("h02/checkpoints/1", () -> Http.replace(ok, "(10, 4)", "(50, 4)")), 400,
            "request body: truncated: shape (50, 4) of '<f4' needs 800 data bytes", "(complete rows: 10 of 50)"),
        c("H03", "a PNG body (foreign magic bytes)", npy("h03/checkpoints/1", () -> Http.concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, new byte[40])), 400,
            "request body: not a NumPy .npy (expected magic \\\\x93NUMPY) or .npz (zip) body", "first byte is 0x89"),
        c("H04", "an empty body", npy("h04/checkpoints/1", () -> new byte[0]), 400,
            "request body: not a NumPy .npy (expected magic \\\\x93NUMPY) or .npz (zip) body; the body is empty"),
        c("H05", "an int32 .npy", npy("h05/checkpoints/1", () -> Http.concat(Npy.header("<i4", false, new long[] {5, 4}, 1), new byte[80])), 400,
            "request body: unsupported dtype '<i4' (integers); expected floating point vectors"),
        c("H06", "a 1-D .npy", npy("h06/checkpoints/1", () -> Http.concat(Npy.header("<f4", false, new long[] {4}, 1), new byte[16])), 400,
            "request body: expected a 2-D array (rows, dimensions), found shape (4,)"),
        c("H07", "a NaN in the vectors", npy("h07/checkpoints/1", () -> withValue(4, 3, 2, 1, Float.NaN)), 400, "row 2 (column 1) is NaN"),
        c("H08", "-Inf in the vectors", npy("h08/checkpoints/1", () -> withValue(4, 3, 0, 2, Float.NEGATIVE_INFINITY)), 400, "row 0 (column 2) is -Inf"),
        c("H09", "a zero vector under cosine", npy("h09/checkpoints/1", () -> zeroRow(4, 3, 1)), 400,
            "h09/default@1: row 1 (id '1') is the zero vector, which has no direction under the cosine metric"),
        c("H10", "0 rows", npy("h10/checkpoints/1", () -> Npy.toBytes(FloatMatrix.wrap(0, 4, new float[0]))), 400, "h10/default@1: no vectors (0 rows)"),
        c("H11", "one row", npy("h11/checkpoints/1", () -> Http.npy(Data.vectors(1, 4, 3))), 400,
            "h11/default@1: 1 row: a space needs at least 2 points to have neighbours"),
        c("H12", "dimension 5,000", npy("h12/checkpoints/1", () -> Http.npy(Data.vectors(2, 5000, 4))), 400,
            "h12/default@1: dimension 5000 is above the limit of 4096 components per vector"),
        c("H13", "multipart: a duplicate id", multipart("h13/checkpoints/1", parts("vectors", three, "ids", "a\nb\na")), 400,
            "h13/default@1: duplicate id 'a' at rows 0 and 2; ids must be unique"),
        c("H14", "multipart: fewer ids than vectors", multipart("h14/checkpoints/1", parts("vectors", three, "ids", "a\nb")), 400,
            "h14/default@1: 2 ids for 3 vectors; expected one id per row"),
        c("H15", "multipart: no 'vectors' part", multipart("h15/checkpoints/1", parts("ids", "a\nb\nc")), 400,
            "multipart body has no part named 'vectors' (parts: [ids])"),
        c("H16", "multipart: no boundary in the Content-Type", new Request("POST", "h16/checkpoints/1", "multipart/form-data", () -> three), 400,
            "multipart Content-Type without a boundary: multipart/form-data"),
        c("H17", "multipart: a Latin-1 metadata CSV", multipart("h17/checkpoints/1",
            parts("vectors", three, "metadata", "id,t\na,caf\u00e9\nb,x\nc,y\n".getBytes(StandardCharsets.ISO_8859_1))), 400,
            "part 'metadata': line 2: byte 0xe9 at offset 10 is not UTF-8; expected a UTF-8 CSV"),
        c("H33", "multipart: Latin-1 ids", multipart("h33/checkpoints/1", parts("vectors", three, "ids", "a\ncaf\u00e9\nc".getBytes(StandardCharsets.ISO_8859_1))), 400,
            "part 'ids': line 2: byte 0xe9 at offset 5 is not UTF-8; expected UTF-8 text, one id per line or a JSON array of strings"),
        c("H18", "multipart: a CSV shorter than the vectors", multipart("h18/checkpoints/1", parts("vectors", three, "metadata", "id,t\na,1\nb,2\n")), 400,
            "part 'metadata': 2 data rows, but part 'vectors' has 3 vectors; expected one CSV row per vector"),
        c("H19", "multipart: a CSV with a duplicate id", multipart("h19/checkpoints/1?id_field=id", parts("vectors", three, "metadata", "id,t\na,1\nb,2\na,3\n")), 400,
            "part 'metadata': duplicate id 'a' in field 'id' on lines 2 and 4"),
        c("H20", "multipart: a CSV row missing a field", multipart("h20/checkpoints/1", parts("vectors", three, "metadata", "id,t\na,1\nb\nc,3\n")), 400,
            "part 'metadata': line 3 has 1 fields, the header has 2"),
        c("H21", "multipart: CSV with quoted commas and newlines (accepted)", multipart("h21/checkpoints/1?id_field=id",
            parts("vectors", three, "metadata", "id,t\na,\"x, y\"\nb,\"line1\nline2\"\nc,3\n")), 202,
            "\"checkpoint\":\"h21/default@1\"", "\"rows\":3", "\"metadata_columns\":[\"t\"]"),
        c("H22", "a step that is not a number", npy("h22/checkpoints/last", () -> three), 400, "step 'last' is not a whole number"),
        c("H23", "a negative step", npy("h23/checkpoints/-1", () -> three), 400, "h23/default@-1: step must be >= 0, got -1"),
        c("H24", "a body over the limit", npy("h24/checkpoints/1", () -> Http.npy(Data.vectors(1000, 128, 5))), 413, "above the limit of 262144 bytes"),
        c("H25", "experiment '..%2F..%2Fetc' in the path", npy("..%2F..%2Fetc/checkpoints/1", () -> three), 400,
            "experiment name '../../etc' holds '/' (it separates experiment/space@step)"),
        c("H26", "an experiment name of 300 characters", npy("x".repeat(300) + "/checkpoints/1", () -> three), 400,
            "experiment name is 300 characters long; at most 200 are allowed"),
        c("H27", "an experiment name with an ANSI escape (%1B)", npy("a%1B%5B31mb/checkpoints/1", () -> three), 400,
            "holds the non-printable character U+001B at position 1"),
        c("H28", "a unicode experiment name (accepted)", npy(enc("Ünïcödé-実験") + "/checkpoints/1", () -> three), 202,
            "\"checkpoint\":\"Ünïcödé-実験/default@1\""),
        c("H29", "a space name with '/'", npy("h29/checkpoints/1?space=a%2Fb", () -> three), 400, "space name 'a/b' holds '/'"),
        c("H30", "an unknown metric", npy("h30/checkpoints/1?metric=hamming", () -> three), 400,
            "unknown metric 'hamming'; expected cosine, euclidean (l2) or dot"),
        c("H31", "a path with an extra segment", npy("a/b/checkpoints/1", () -> three), 404,
            "no such endpoint /v1/experiments/a/b/checkpoints/1; POST /v1/experiments/{experiment}/checkpoints/{step}"),
        c("H32", "GET on the checkpoint route", new Request("GET", "h32/checkpoints/1", null, null), 405, "GET is not allowed; use POST"));
  }

  @BeforeAll
  static void start() throws Exception {
    ingest = LocalIngest.start(dir);
    server = ingest.serve(LIMIT, null);
    base = LocalIngest.base(server);
  }

  @AfterAll
  static void stop() {
    if (ingest != null) ingest.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachBadRequestIsRefusedWithItsReason(Case c) throws Exception {
    HttpResponse<String> r = send(c.request());
    String got = r.statusCode() + " " + r.body();
    assertEquals(c.status(), r.statusCode(), got);
    for (String part : c.parts()) assertTrue(r.body().contains(part), () -> c.id() + ": expected '" + part + "' in " + got);
    assertFalse(r.body().contains("Exception") || r.body().contains("java."), got);
    // The server keeps running: a good checkpoint right after is published.
    HttpResponse<String> good = Http.post(base + "after-" + c.id().toLowerCase() + "/checkpoints/1", Http.npy(Data.vectors(10, 4, 9)), "application/octet-stream");
    assertEquals(202, good.statusCode(), good.body());
  }

  @Test
  void nothingOfARefusedRequestReachesTheTopicAndAGoodOneAfterItDoes() throws Exception {
    float[][] v = Data.vectors(12, 4, 11);
    HttpResponse<String> bad = Http.post(base + "later/checkpoints/2", withValue(12, 4, 5, 0, Float.NaN), "application/octet-stream");
    assertEquals(400, bad.statusCode(), bad.body());
    HttpResponse<String> good = Http.post(base + "later/checkpoints/3", Http.npy(v), "application/octet-stream");
    assertEquals(202, good.statusCode(), good.body());
    AssembledCheckpoint got = CheckpointReader.read(ingest.bootstrap(), Map.of(), EventSerdes.singleObject(), Topics.defaults().spaceEvents,
        "later/default@3", Duration.ofSeconds(30)).checkpoint();
    Data.assertBitForBit(v, Data.ids(12, ""), got);
  }

  /** The case ids of this suite, for the doc table's test (app's BadInputDocTest reads them from this file). */
  static List<String> ids() {
    return cases().map(Case::id).toList();
  }

  static final String BOUNDARY = "vectory-bad-input-boundary";

  static byte[] multipartBody(Map<String, byte[]> parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (var e : parts.entrySet()) {
      String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\""
          + (e.getKey().equals("vectors") ? "; filename=\"v.npy\"\r\nContent-Type: application/octet-stream" : "") + "\r\n\r\n";
      b.writeBytes(head.getBytes(StandardCharsets.UTF_8));
      b.writeBytes(e.getValue());
      b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    b.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  static HttpResponse<String> send(Request r) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + r.path()));
    if (r.contentType() != null) b.header("Content-Type", r.contentType());
    if (r.method().equals("GET")) b.GET();
    else b.POST(HttpRequest.BodyPublishers.ofByteArray(r.body().get()));
    return Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static byte[] withValue(int n, int d, int row, int col, float value) {
    float[][] v = Data.vectors(n, d, 7);
    v[row][col] = value;
    return Http.npy(v);
  }

  static byte[] zeroRow(int n, int d, int row) {
    float[][] v = Data.vectors(n, d, 8);
    v[row] = new float[d];
    return Http.npy(v);
  }

}
