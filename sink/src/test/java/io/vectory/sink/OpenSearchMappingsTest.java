package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.core.compare.Metric;
import java.util.List;
import org.junit.jupiter.api.Test;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import org.opensearch.client.json.JsonpSerializable;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;

/** What the client sends to create each index, read back as JSON. */
class OpenSearchMappingsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JacksonJsonpMapper MAPPER = new JacksonJsonpMapper(JSON);

  /** As the transport writes it: with the Jackson mapper. */
  private static JsonNode json(JsonpSerializable value) throws Exception {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = MAPPER.jsonProvider().createGenerator(out)) {
      value.serialize(g, MAPPER);
    }
    return JSON.readTree(out.toString());
  }

  @Test
  void spaceIndexUsesLuceneHnswWithTheMetricsSpaceType() throws Exception {
    IndexInfo info = new IndexInfo("e/head@1", "vectory-space-e-head-1", IndexInfo.CHECKPOINT, "e", "head", 1, "fortunes", "m",
        Metric.DOT, "hnsw", 384, 10, List.of("label", "split"), false, 0, null);
    OpenSearchMappings.IndexBody body = OpenSearchMappings.spaceIndex(info);
    JsonNode mappings = json(body.mappings());
    JsonNode settings = json(body.settings());
    JsonNode vec = mappings.path("properties").path("vector");
    assertEquals("knn_vector", vec.path("type").asText());
    assertEquals(384, vec.path("dimension").asInt());
    assertEquals("lucene", vec.path("method").path("engine").asText());
    assertEquals("hnsw", vec.path("method").path("name").asText());
    assertEquals("innerproduct", vec.path("method").path("space_type").asText());
    assertEquals(16, vec.path("method").path("parameters").path("m").asInt());
    assertEquals("strict", mappings.path("dynamic").asText());
    assertTrue(settings.path("knn").asBoolean(), settings.toString());
    assertEquals(1, settings.path("number_of_shards").asInt());
    assertEquals(0, settings.path("number_of_replicas").asInt());
    assertEquals("keyword", mappings.path("properties").path("id").path("type").asText());
    assertEquals("long", mappings.path("properties").path("row").path("type").asText());
    assertEquals("keyword", mappings.path("properties").path("meta").path("properties").path("split").path("type").asText());
    assertEquals("e/head@1", mappings.path("_meta").path("vectory").path("name").asText());
    assertEquals("cosinesimil", Docs.spaceType(Metric.COSINE));
    assertEquals("l2", Docs.spaceType(Metric.EUCLIDEAN));
  }

  /** The typed request carries every field of the mapping files, with its type and options: nothing is lost on the way. */
  @Test
  void resultIndicesAreSentExactlyAsTheirMappingFilesSay() throws Exception {
    for (String file : List.of("vectory-comparisons.json", "vectory-alerts.json", "vectory-dead-letters.json")) {
      JsonNode want = JSON.readTree(OpenSearchMappings.mappingResource(file));
      OpenSearchMappings.IndexBody body = OpenSearchMappings.resultIndex(file, MAPPER);
      JsonNode mappings = json(body.mappings());
      // The client writes an object's "dynamic" as the string "true", which OpenSearch reads as the boolean.
      JsonNode wantProperties = JSON.readTree(want.path("mappings").path("properties").toString().replace("\"dynamic\":true", "\"dynamic\":\"true\""));
      assertEquals(wantProperties, mappings.path("properties"), file);
      assertEquals(want.path("mappings").path("dynamic"), mappings.path("dynamic"), file);
      assertEquals(want.path("mappings").path("_meta"), mappings.path("_meta"), file);
      JsonNode settings = json(body.settings());
      assertEquals(want.path("settings"), settings, file);
    }
  }
}
