package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.Relation;
import io.vectory.core.compare.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode mapping(String file) throws Exception {
    return JSON.readTree(OpenSearchMappings.mappingResource(file)).path("mappings");
  }

  /** Every field of a document exists in the strict mapping with a type that can hold its value. */
  private static void assertFits(Map<String, Object> doc, JsonNode mapping) {
    assertEquals("strict", mapping.path("dynamic").asText());
    for (var e : doc.entrySet()) {
      JsonNode p = mapping.path("properties").path(e.getKey());
      assertTrue(p.isObject(), "field " + e.getKey() + " is not in the mapping");
      String type = p.path("type").asText();
      Object v = e.getValue();
      if (v == null) continue;
      switch (type) {
        case "keyword", "text" -> assertTrue(v instanceof String, e.getKey() + " should be a string: " + v);
        case "long", "integer" -> assertTrue(v instanceof Integer || v instanceof Long, e.getKey() + " should be integral: " + v);
        case "double" -> assertTrue(v instanceof Double, e.getKey() + " should be a double: " + v);
        case "boolean" -> assertTrue(v instanceof Boolean, e.getKey());
        case "date" -> assertTrue(v instanceof Long, e.getKey() + " should be epoch millis");
        case "object" -> assertTrue(v instanceof Map, e.getKey());
        default -> throw new AssertionError("unexpected type " + type);
      }
    }
  }

  @Test
  void comparisonDocumentFitsTheDashboardsMappingAndRoundTrips() throws Exception {
    ComparisonResult r = TestData.comparison("fortunes-triplet", 300, 200, Relation.PREVIOUS, 0.42, 1_700_000_000_123L);
    Map<String, Object> d = Docs.comparisonDoc(r);
    assertFits(d, mapping("vectory-comparisons.json"));
    assertEquals("fortunes-triplet|head|300|previous|head|200", Docs.comparisonId(r));
    assertEquals("previous", d.get("relation"));
    assertEquals("cosine", d.get("metric_a"));
    assertEquals(1_700_000_000_123L, d.get("@timestamp"));
    assertEquals(1252L, d.get("hist_9"));
    assertEquals(1L, d.get("hist_0"));
    assertEquals(0.42, d.get("mean_jaccard"));
    // stored documents come back as JSON: numbers may be Integer, so round-trip through JSON
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.readValue(JSON.writeValueAsString(d), Map.class);
    assertEquals(r, Docs.comparisonFromDoc(json));
  }

  @Test
  void everyRelationAndMetricIsLowercase() {
    for (Relation rel : Relation.values()) {
      ComparisonResult r = TestData.comparison("e", 2, 1, rel, 0.5, 1L);
      assertEquals(rel.name().toLowerCase(), Docs.comparisonDoc(r).get("relation"));
    }
  }

  @Test
  void aHistogramWithoutTenBinsIsRefusedNamingTheField() {
    ComparisonResult r = TestData.comparison("e", 2, 1, Relation.FIRST, 0.5, 1L);
    r.setHistogram(new ArrayList<>(List.of(1L, 2L)));
    var e = assertThrows(IllegalArgumentException.class, () -> Docs.comparisonDoc(r));
    assertTrue(e.getMessage().contains("histogram has 2 bins, expected 10"), e.getMessage());
  }

  @Test
  void alertDocumentFitsTheMappingAndRoundTrips() throws Exception {
    DriftAlert a = TestData.alert("exp", 5, 4, 0.12);
    Map<String, Object> d = Docs.alertDoc(a);
    assertFits(d, mapping("vectory-alerts.json"));
    assertEquals("exp|head|5|jaccard_floor", Docs.alertId(a));
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.readValue(JSON.writeValueAsString(d), Map.class);
    assertEquals(a, Docs.alertFromDoc(json));
  }

  @Test
  void deadLetterDocumentFitsTheMappingNamesItsCheckpointAndRoundTrips() throws Exception {
    io.vectory.avro.DeadLetter dl = io.vectory.avro.DeadLetter.newBuilder().setSourceTopic("vectory.space-events").setPartition(0).setOffset(41)
        .setKey("exp").setCheckpoint("exp/head@3").setReason("checkpoint exp/head@3 rejected: step: 3 is not after the previous accepted checkpoint")
        .setPayload(null).setFailedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).build();
    Map<String, Object> d = Docs.deadLetterDoc(dl);
    assertFits(d, mapping("vectory-dead-letters.json"));
    assertEquals("exp", d.get("experiment"));
    assertEquals("head", d.get("space"));
    assertEquals(3L, d.get("step"));
    assertTrue(Docs.deadLetterId(dl).startsWith("vectory.space-events|0|41|"), Docs.deadLetterId(dl));
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.readValue(JSON.writeValueAsString(d), Map.class);
    assertEquals(dl, Docs.deadLetterFromDoc(json));
    // An undecodable record: no checkpoint, the key names the experiment; another reason is another document.
    io.vectory.avro.DeadLetter raw = io.vectory.avro.DeadLetter.newBuilder(dl).setCheckpoint(null).setReason("cannot decode")
        .setPayload(java.nio.ByteBuffer.wrap(new byte[7])).build();
    assertEquals("exp", Docs.deadLetterDoc(raw).get("experiment"));
    assertEquals(null, Docs.deadLetterDoc(raw).get("step"));
    assertEquals(7, Docs.deadLetterDoc(raw).get("payload_bytes"));
    assertTrue(!Docs.deadLetterId(raw).equals(Docs.deadLetterId(dl)));
  }

  @Test
  void scoresTurnBackIntoTheMetricsValue() {
    assertEquals(0.6, Docs.metricValue(Metric.COSINE, (1 + 0.6) / 2), 1e-12);
    assertEquals(3.0, Docs.metricValue(Metric.EUCLIDEAN, 1 / (1 + 9.0)), 1e-12);
    assertEquals(2.5, Docs.metricValue(Metric.DOT, 2.5 + 1), 1e-12);
    assertEquals(-4.0, Docs.metricValue(Metric.DOT, 1 / (1 + 4.0)), 1e-12);
  }
}
