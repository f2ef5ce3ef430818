package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.RegistryClient;
import io.vectory.schemas.Topics;
import io.vectory.store.EmbeddedSpaceStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink task reads Confluent-wire-format records whose schemas live in a registry that demands basic
 * auth: the shared Apicurio (VECTORY_SCHEMA_REGISTRY) behind a loopback proxy that answers 401 unless the
 * request carries the right {@code Authorization} header. The records are written by the schemas module's
 * serde, as the publisher and the Streams app write them.
 */
class SinkRegistryAuthIT {

  static final String REGISTRY = System.getenv().getOrDefault("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7").replaceAll("/+$", "");
  static final String USER_INFO = "vectory-sink:s3cret pass";

  @TempDir Path dir;
  HttpServer proxy;
  String proxyUrl;
  final AtomicInteger denied = new AtomicInteger();
  final AtomicInteger forwarded = new AtomicInteger();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startProxy() throws IOException {
    URI upstream = URI.create(REGISTRY);
    String expected = "Basic " + Base64.getEncoder().encodeToString(USER_INFO.getBytes(StandardCharsets.UTF_8));
    proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext("/", ex -> {
      try (ex) {
        if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          denied.incrementAndGet();
          ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
          reply(ex, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
          return;
        }
        forwarded.incrementAndGet();
        forward(ex, upstream);
      }
    });
    proxy.start();
    proxyUrl = "http://127.0.0.1:" + proxy.getAddress().getPort() + upstream.getRawPath();
  }

  private void forward(HttpExchange ex, URI upstream) throws IOException {
    URI target = URI.create(upstream.getScheme() + "://" + upstream.getRawAuthority() + ex.getRequestURI());
    byte[] body = ex.getRequestBody().readAllBytes();
    HttpRequest.Builder b = HttpRequest.newBuilder(target).method(ex.getRequestMethod(),
        body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String h : List.of("Content-Type", "Accept")) {
      String v = ex.getRequestHeaders().getFirst(h);
      if (v != null) b.header(h, v);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      reply(ex, r.statusCode(), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(ex, 502, "{\"message\":\"interrupted\"}");
    }
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    byte[] out = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
    if (out.length > 0) ex.getResponseBody().write(out);
  }

  @AfterEach
  void stopProxy() {
    proxy.stop(0);
  }

  private static OpenSearchSinkTask start(EmbeddedSpaceStore store, OpenSearchSinkTaskTest.Context ctx, Map<String, String> props) {
    OpenSearchSinkTask task = new OpenSearchSinkTask(cfg -> store);
    task.initialize(ctx);
    task.start(props);
    return task;
  }

  @Test
  void theSinkReadsFromASecuredRegistryOnlyWithTheCredentials() {
    Topics topics = Topics.withPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    // Written as the publisher writes: the registry serde, straight to Apicurio (which registers the schemas).
    EventSerdes writer = EventSerdes.registry(Map.of(RegistryClient.URL, REGISTRY));
    Space space = TestData.fortunes(16);
    List<SinkRecord> batch = new ArrayList<>();
    long offset = 0;
    var spaces = topics.indexedSpaces.valueSerde(writer).serializer();
    for (SpaceEvent e : TestData.checkpoint("exp", "head", 3, space, Metric.COSINE, 500)) {
      byte[] v = spaces.serialize(topics.indexedSpaces.name(), e);
      assertEquals(0, v[0], "Confluent wire format (magic byte 0)");
      batch.add(new SinkRecord(topics.indexedSpaces.name(), 0, null, "exp", null, v, offset++));
    }
    ComparisonResult c = TestData.comparison("exp", 3, 2, Relation.PREVIOUS, 0.6, 1_700_000_000_000L);
    batch.add(new SinkRecord(topics.comparisons.name(), 0, null, "exp", null,
        topics.comparisons.valueSerde(writer).serializer().serialize(topics.comparisons.name(), c), offset++));

    Map<String, String> props = new HashMap<>();
    props.put(SinkConfig.TOPIC_INDEXED_SPACES, topics.indexedSpaces.name());
    props.put(SinkConfig.TOPIC_COMPARISONS, topics.comparisons.name());
    props.put(SinkConfig.TOPIC_ALERTS, topics.alerts.name());
    props.put(SinkConfig.SCHEMA_REGISTRY_URL, proxyUrl);

    // Without credentials: the task stops with the registry's refusal and the setting to fix; nothing is
    // written and nothing is blamed on the records.
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir.resolve("without"))) {
      OpenSearchSinkTaskTest.Context ctx = new OpenSearchSinkTaskTest.Context();
      OpenSearchSinkTask task = start(store, ctx, props);
      ConnectException e = assertThrows(ConnectException.class, () -> task.put(batch));
      assertTrue(e.getMessage().contains("denied access (HTTP 401)") && e.getMessage().contains(SinkConfig.REGISTRY_USER_INFO), e.getMessage());
      assertTrue(e.getMessage().contains(topics.indexedSpaces.name()), e.getMessage());
      assertTrue(ctx.reported.isEmpty(), "no record goes to the dead letter queue for the sink's own credentials: " + ctx.reasons);
      assertTrue(store.indices().isEmpty());
      task.stop();
    }
    assertTrue(denied.get() > 0, "the proxy refused the request");
    assertEquals(0, forwarded.get());

    // With them: every record is read and written.
    props.put(SinkConfig.REGISTRY_USER_INFO, USER_INFO);
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir.resolve("with"))) {
      OpenSearchSinkTaskTest.Context ctx = new OpenSearchSinkTaskTest.Context();
      OpenSearchSinkTask task = start(store, ctx, props);
      task.put(batch);
      assertTrue(ctx.reported.isEmpty(), "rejected: " + ctx.reasons);
      assertEquals(space.ids().size(), store.resolve("exp/head@3").rows());
      assertEquals(space.ids(), store.loadSpace("exp/head@3").ids());
      assertEquals(List.of(c), store.comparisons("exp"));
      task.stop();
    }
    assertTrue(forwarded.get() >= 2, "schemas fetched through the proxy: " + forwarded.get());
  }
}
