package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.ingest.http.IngestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may post to the HTTP ingest (against an in-process broker): a page of another origin is refused (403), a
 * body that is not .npy/.npz/multipart is refused (415), and with a token every request but /health needs it (401).
 * A refused checkpoint is not published: the same checkpoint posted properly afterwards is "published", not
 * "already-published".
 */
class IngestSecurityTest {
  @TempDir static Path dir;
  static LocalIngest ingest;
  static IngestServer open, guarded;
  static final String TOKEN = "s3cret-token-for-the-test";
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    ingest = LocalIngest.start(dir);
    open = ingest.serve(1 << 20, null);
    guarded = ingest.serve(1 << 20, TOKEN);
  }

  @AfterAll
  static void stop() {
    if (ingest != null) ingest.close();
  }

  static String url(IngestServer s, String experiment, int step) {
    return "http://127.0.0.1:" + s.port() + "/v1/experiments/" + experiment + "/checkpoints/" + step;
  }

  static HttpResponse<String> post(String url, String contentType, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(Http.npy(Data.vectors(10, 4, 7))));
    if (contentType != null) b.header("Content-Type", contentType);
    headers.forEach(b::header);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertPublishedNow(String url) throws Exception {
    HttpResponse<String> r = post(url, "application/x-npy", Map.of());
    assertEquals(202, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"status\":\"published\""), "the refused request published nothing: " + r.body());
  }

  @Test
  void aForeignOriginIsRefusedWith403AndNothingIsPublished() throws Exception {
    String u = url(open, "xorigin", 1);
    HttpResponse<String> r = post(u, "application/octet-stream", Map.of("Origin", "http://evil.example"));
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("cross-origin request refused: Origin 'http://evil.example' is not this server's own origin"), r.body());
    // text/plain from a foreign page: the origin decides first
    r = post(u, "text/plain", Map.of("Origin", "http://127.0.0.1:1"));
    assertEquals(403, r.statusCode(), r.body());
    r = post(u, "application/octet-stream", Map.of("Sec-Fetch-Site", "cross-site"));
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("Sec-Fetch-Site is 'cross-site'"), r.body());
    assertPublishedNow(u);
  }

  @Test
  void theServersOwnOriginIsAccepted() throws Exception {
    HttpResponse<String> r = post(url(open, "sameorigin", 1), "application/octet-stream",
        Map.of("Origin", "http://localhost:" + open.port(), "Sec-Fetch-Site", "same-origin"));
    assertEquals(202, r.statusCode(), r.body());
  }

  @Test
  void bodiesThatAreNotNpyNpzOrMultipartAreRefusedWith415() throws Exception {
    String u = url(open, "ctype", 1);
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/json", null}) {
      HttpResponse<String> r = post(u, type, Map.of());
      assertEquals(415, r.statusCode(), type + ": " + r.body());
      assertTrue(r.body().contains("Content-Type " + (type == null ? "missing" : "'" + type + "'") + " is not accepted; expected an .npy or .npz body"),
          r.body());
    }
    assertPublishedNow(u);
  }

  @Test
  void withATokenEveryRequestButHealthNeedsItComparedAsAWhole() throws Exception {
    String u = url(guarded, "tok", 1);
    HttpResponse<String> r = post(u, "application/octet-stream", Map.of());
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(r.body().contains("this server asks for a token: send the header 'Authorization: Bearer <token>'"), r.body());
    assertEquals("Bearer realm=\"vectory-ingest\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
    for (String wrong : new String[] {"Bearer " + TOKEN.substring(0, TOKEN.length() - 1), "Bearer " + TOKEN + "x", "Basic " + TOKEN, TOKEN}) {
      r = post(u, "application/octet-stream", Map.of("Authorization", wrong));
      assertEquals(401, r.statusCode(), wrong + ": " + r.body());
    }
    HttpResponse<String> verdict = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/verdict")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, verdict.statusCode(), verdict.body());
    HttpResponse<String> health = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guarded.port() + "/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    r = post(u, "application/octet-stream", Map.of("Authorization", "Bearer " + TOKEN));
    assertEquals(202, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"status\":\"published\""), r.body());
  }
}
