package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vectory.avro.SpaceEvent;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the client sends over HTTP: basic auth, one registration per subject and schema (cached),
 * and how error statuses read. A scripted local server records requests; the real registry is in the ITs.
 */
class RegistryClientTest {

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer = "{\"id\":17}";

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
      byte[] b = answer.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7/";
  }

  @Test
  void printableUrlsCarryNoCredentials() {
    assertEquals("http://registry:8081/apis/ccompat/v7", RegistryClient.withoutUserInfo("http://alice:s3cr%40t@registry:8081/apis/ccompat/v7"));
    assertEquals("https://r.example/x", RegistryClient.withoutUserInfo("https://r.example/x"));
    assertEquals("http://h/", RegistryClient.withoutUserInfo("http://bob:p w@h/"));
  }

  @Test
  void sendsBasicAuthAndRegistersOncePerSubject() {
    Serde<SpaceEvent> serde = new TopicSpec<>("events", SpaceEvent.class).valueSerde(EventSerdes.registry(Map.of(
        RegistryClient.URL, url(), RegistryClient.AUTH_SOURCE, "USER_INFO", RegistryClient.USER_INFO, "alice:s3cret")));
    byte[] a = serde.serializer().serialize("events", TestEvents.chunk("e", 1f, 2f));
    serde.serializer().serialize("events", TestEvents.chunk("e", 3f, 4f));
    assertEquals(1, requests.size(), requests.toString());
    String expectedAuth = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    assertEquals("POST /apis/ccompat/v7/subjects/events-value/versions auth=" + expectedAuth, requests.get(0));
    assertEquals(0, a[0]);
    assertEquals(17, a[4]);
  }

  @Test
  void credentialsInTheUrlAreSentAsBasicAuthNotInThePath() {
    RegistryClient c = new RegistryClient(Map.of(RegistryClient.URL, url().replace("http://", "http://bob:pw@"), RegistryClient.AUTH_SOURCE, "URL"));
    assertTrue(!c.url().contains("bob"), c.url());
    c.register("s-value", SpaceEvent.getClassSchema());
    assertTrue(requests.get(0).endsWith("auth=Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8))), requests.toString());
  }

  @Test
  void unauthorizedSaysWhichSettingToCheck() {
    status = 401;
    answer = "{\"error_code\":40101,\"message\":\"Unauthorized\"}";
    RegistryClient c = new RegistryClient(Map.of(RegistryClient.URL, url()));
    RegistryClient.RegistryException e = assertThrows(RegistryClient.RegistryException.class, () -> c.register("s-value", SpaceEvent.getClassSchema()));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("denied access (HTTP 401)") && e.getMessage().contains("basic.auth.user.info"), e.getMessage());
  }

  @Test
  void conflictNamesTheSubject() {
    status = 409;
    answer = "{\"error_code\":409,\"message\":\"Incompatible schema\"}";
    RegistryClient c = new RegistryClient(Map.of(RegistryClient.URL, url()));
    RegistryClient.RegistryException e = assertThrows(RegistryClient.RegistryException.class, () -> c.register("vectory.space-events-value", SpaceEvent.getClassSchema()));
    assertTrue(e.getMessage().contains("refused the schema of subject 'vectory.space-events-value' as incompatible"), e.getMessage());
    assertTrue(e.getMessage().contains("Incompatible schema (error_code 409)"), e.getMessage());
  }

  @Test
  void unreachableRegistryIsNamed() {
    RegistryClient c = new RegistryClient(Map.of(RegistryClient.URL, "http://127.0.0.1:1/apis/ccompat/v7"));
    Exception e = assertThrows(org.apache.kafka.common.errors.SerializationException.class, () -> c.schemaById(3));
    assertTrue(e.getMessage().contains("http://127.0.0.1:1/apis/ccompat/v7 is unreachable"), e.getMessage());
  }

  @Test
  void badTruststoreIsAClearSettingsError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RegistryClient(Map.of(
        RegistryClient.URL, url(), "schema.registry.ssl.truststore.location", "/nonexistent/truststore.p12",
        "schema.registry.ssl.truststore.password", "x", "schema.registry.ssl.truststore.type", "PKCS12")));
    assertTrue(e.getMessage().contains("schema registry TLS settings") && e.getMessage().contains("/nonexistent/truststore.p12"), e.getMessage());
  }
}
