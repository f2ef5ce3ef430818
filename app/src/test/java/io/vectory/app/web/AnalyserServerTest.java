package io.vectory.app.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.projection.Projections;
import io.vectory.core.projection.UmapOptions;
import io.vectory.core.space.Space;
import io.vectory.store.EmbeddedSpaceStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyser's JSON API over HTTP, against an embedded store holding two real checkpoints: the 600 fortunes
 * embedded by MiniLM (step 1) and by its quantised twin (step 2), with the fortunes' labels and texts.
 */
class AnalyserServerTest {
  static final String A = "fortunes/minilm@1";
  static final String B = "fortunes/minilm@2";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static EmbeddedSpaceStore store;
  static AnalyserServer server;
  static Space a;
  static Space b;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    a = StoreFixtures.realMiniLm("minilm.npy");
    b = StoreFixtures.realMiniLm("minilm-q.npy");
    store = new EmbeddedSpaceStore(dir.resolve("data"));
    StoreFixtures.storeCheckpoint(store, "fortunes", "minilm", 1, a, Metric.COSINE);
    StoreFixtures.storeCheckpoint(store, "fortunes", "minilm", 2, b, Metric.COSINE);
    server = AnalyserServer.start(store, "127.0.0.1", 0, UmapOptions.defaults());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  record Reply(int status, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  static Reply get(String pathAndQuery) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery.substring(1))).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void listsTheStoredSpaces() throws Exception {
    JsonNode j = get("/api/spaces").json();
    assertEquals(2, j.size());
    assertEquals(A, j.get(0).get("name").asText());
    assertEquals(B, j.get(1).get("name").asText());
    assertEquals(600, j.get(0).get("rows").asInt());
    assertEquals("cosine", j.get(0).get("metric").asText());
    assertTrue(j.get(0).get("columns").toString().contains("label"));
  }

  @Test
  void projectionsHaveEveryPointWithFiniteCoordinatesAndEqualTheCoreProjection() throws Exception {
    for (Projections.Method m : Projections.Method.values()) {
      Reply r = get("/api/projection?space=" + enc(A) + "&method=" + enc(m.label()));
      assertEquals(200, r.status(), r.body());
      JsonNode j = r.json();
      assertEquals(600, j.get("n").asInt());
      assertEquals(600, j.get("x").size());
      assertEquals(600, j.get("y").size());
      assertEquals(a.ids().get(17), j.get("ids").get(17).asText());
      assertEquals(a.columns().get("label").get(17), j.get("columns").get("label").get(17).asText());
      var want = Projections.project(a.vectors(), Metric.COSINE, m, UmapOptions.defaults(), (s, d, t) -> {}).xy();
      for (int i = 0; i < 600; i++) {
        double x = j.get("x").get(i).asDouble(), y = j.get("y").get(i).asDouble();
        assertTrue(Double.isFinite(x) && Double.isFinite(y), m + " row " + i);
        assertEquals(want.get(i, 0), x, 0.0, m + " x of row " + i);
        assertEquals(want.get(i, 1), y, 0.0, m + " y of row " + i);
      }
      assertFalse(j.get("description").asText().isBlank());
      // Cached: asking again is immediate and the same answer.
      assertEquals(r.body(), get("/api/projection?space=" + enc(A) + "&method=" + enc(m.label())).body());
      assertEquals("done", get("/api/progress?space=" + enc(A) + "&method=" + enc(m.label())).json().get("stage").asText());
    }
  }

  @Test
  void coincidenceColoursAreTheEnginesPerPointJaccard() throws Exception {
    JsonNode j = get("/api/coincidence?a=" + enc(A) + "&b=" + enc(B) + "&k=10").json();
    ComparisonOutcome o = SpaceComparator.compare(a.vectors(), b.vectors(), CompareOptions.defaults().withK(10), ProgressListener.NONE);
    assertEquals(10, j.get("k").asInt());
    assertEquals("cosine", j.get("metric_a").asText());
    assertFalse(j.get("include_self").asBoolean());
    assertEquals(o.meanJaccard(), j.get("mean_jaccard").asDouble(), 0.0);
    for (int i = 0; i < 600; i++) {
      assertEquals(a.ids().get(i), j.get("ids").get(i).asText());
      assertEquals(o.perPoint()[i], j.get("jaccard").get(i).asDouble(), 0.0, "row " + i);
    }
    // Not a trivial answer: the quantised model moves some neighbourhoods.
    assertTrue(o.meanJaccard() > 0.3 && o.meanJaccard() < 0.99, "mean " + o.meanJaccard());
  }

  @Test
  void neighboursSideBySideMatchExactKnn() throws Exception {
    int k = 10;
    int[] na = ExactKnn.search(a.vectors(), Metric.COSINE, k, false);
    int[] nb = ExactKnn.search(b.vectors(), Metric.COSINE, k, false);
    for (int i = 0; i < 600; i += 13) {
      String id = a.ids().get(i);
      JsonNode j = get("/api/neighbours?a=" + enc(A) + "&b=" + enc(B) + "&id=" + enc(id) + "&k=" + k).json();
      List<String> gotA = ids(j.get("a").get("neighbours"));
      List<String> gotB = ids(j.get("b").get("neighbours"));
      List<String> wantA = new ArrayList<>(), wantB = new ArrayList<>();
      for (int s = 0; s < k; s++) {
        wantA.add(a.ids().get(na[i * k + s]));
        wantB.add(b.ids().get(nb[i * k + s]));
      }
      assertEquals(wantA, gotA, "neighbours of " + id + " in A");
      assertEquals(wantB, gotB, "neighbours of " + id + " in B");
      Set<String> both = new HashSet<>(wantA);
      both.retainAll(new HashSet<>(wantB));
      for (JsonNode n : j.get("a").get("neighbours")) assertEquals(both.contains(n.get("id").asText()), n.get("in_both").asBoolean());
      for (JsonNode n : j.get("b").get("neighbours")) assertEquals(both.contains(n.get("id").asText()), n.get("in_both").asBoolean());
      assertEquals(both.size(), j.get("in_both").asInt());
      assertEquals(a.columns().get("label").get(na[i * k]), j.get("a").get("neighbours").get(0).get("metadata").get("label").asText());
    }
  }

  @Test
  void badRequestsSayWhatWasExpected() throws Exception {
    Reply r = get("/api/projection?space=nope/x@1&method=pca");
    assertEquals(400, r.status());
    assertTrue(r.json().get("error").asText().contains("nope/x@1"), r.body());
    r = get("/api/projection?space=" + enc(A) + "&method=tsne");
    assertEquals(400, r.status());
    assertTrue(r.json().get("error").asText().contains("expected pca, umap or pca+umap"), r.body());
    r = get("/api/neighbours?a=" + enc(A) + "&b=" + enc(B) + "&id=no-such-id");
    assertEquals(400, r.status());
    assertTrue(r.json().get("error").asText().contains("no-such-id"), r.body());
    r = get("/api/coincidence?a=" + enc(A) + "&b=" + enc(B) + "&k=ten");
    assertEquals(400, r.status());
    assertEquals(404, get("/nothing-here").status());
  }

  @Test
  void thePageNeedsNothingFromTheInternet() throws Exception {
    Reply r = get("/");
    assertEquals(200, r.status());
    assertTrue(r.body().contains("<canvas"));
    assertFalse(r.body().matches("(?s).*(src|href)\\s*=\\s*[\"']?(https?:)?//.*"), "external resource in the page");
  }

  static List<String> ids(JsonNode arr) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : arr) out.add(n.get("id").asText());
    return out;
  }
}
