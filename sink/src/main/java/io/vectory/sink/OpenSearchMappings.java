package io.vectory.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.json.stream.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.JsonpDeserializer;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.opensearch._types.mapping.DynamicMapping;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch.indices.IndexSettings;

/**
 * The explicit mappings of every index Vectory writes. The result indices (vectory-comparisons,
 * vectory-alerts, vectory-dead-letters: the pipeline's rejections) come from the mapping files in {@code io/vectory/sink/opensearch/}, the contract with
 * the dashboards; a space's k-NN index is built here, always HNSW on the {@code lucene} engine (never
 * faiss: the OpenSearch build here has no native libraries, and a faiss index kills the server).
 */
public final class OpenSearchMappings {

  private OpenSearchMappings() {}

  /** The key under the mapping's {@code _meta} that holds an index's {@link IndexInfo}. */
  public static final String META_KEY = "vectory";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Settings and mappings of one index, ready for a create-index request. */
  public record IndexBody(IndexSettings settings, TypeMapping mappings) {}

  /** A result index's mapping file (e.g. {@code vectory-comparisons.json}), read into the client's types. */
  public static IndexBody resultIndex(String file, JsonpMapper mapper) {
    JsonNode body;
    try {
      body = JSON.readTree(mappingResource(file));
    } catch (IOException e) {
      throw new UncheckedIOException("mapping file io/vectory/sink/opensearch/" + file + ": " + e.getMessage(), e);
    }
    return new IndexBody(read(body.path("settings"), IndexSettings._DESERIALIZER, mapper),
        read(body.path("mappings"), TypeMapping._DESERIALIZER, mapper));
  }

  /** The mapping file (the contract with the dashboards), as text. */
  public static String mappingResource(String file) {
    try (InputStream in = OpenSearchMappings.class.getResourceAsStream("opensearch/" + file)) {
      if (in == null) throw new IllegalStateException("missing resource io/vectory/sink/opensearch/" + file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(JsonNode node, JsonpDeserializer<T> deserializer, JsonpMapper mapper) {
    try (JsonParser p = mapper.jsonProvider().createParser(new StringReader(node.toString()))) {
      return deserializer.deserialize(p, mapper);
    }
  }

  /**
   * A space's k-NN index: one shard, no replicas (a single node stays green), {@code knn} on; strict
   * mapping with the point id as keyword, its row as long, the vector as {@code knn_vector} (HNSW, lucene,
   * the metric's space type), every metadata column as keyword under {@code meta}, the entry in {@code _meta}.
   */
  public static IndexBody spaceIndex(IndexInfo info) {
    IndexSettings settings = IndexSettings.of(s -> s.knn(true).numberOfShards(1).numberOfReplicas(0));
    Map<String, Property> columns = new LinkedHashMap<>();
    for (String c : info.columns()) columns.put(c, Property.of(p -> p.keyword(k -> k)));
    TypeMapping mappings = TypeMapping.of(m -> m
        .dynamic(DynamicMapping.Strict)
        .meta(META_KEY, JsonData.of(info.toMap()))
        .properties(Docs.ID, p -> p.keyword(k -> k))
        .properties(Docs.ROW, p -> p.long_(l -> l))
        .properties(Docs.VECTOR, p -> p.knnVector(k -> k
            .dimension(info.dimension())
            .method(h -> h.name("hnsw").engine("lucene").spaceType(Docs.spaceType(info.metric()))
                .parameters("m", JsonData.of(16))
                .parameters("ef_construction", JsonData.of(100)))))
        .properties(Docs.META, p -> p.object(o -> o.properties(columns))));
    return new IndexBody(settings, mappings);
  }

  /**
   * The store's catalogue ({@link IndexNames#catalogue}): one document per registered dataset or experiment,
   * {@code _id} {@code <kind>:<name>}; {@code kind} and {@code name} searchable, the entry and a dataset's CSV
   * (kept byte for byte, so a reuse parses exactly what was registered) stored only.
   */
  public static IndexBody catalogueIndex() {
    IndexSettings settings = IndexSettings.of(s -> s.numberOfShards(1).numberOfReplicas(0));
    TypeMapping mappings = TypeMapping.of(m -> m
        .dynamic(DynamicMapping.Strict)
        .properties("kind", p -> p.keyword(k -> k))
        .properties("name", p -> p.keyword(k -> k))
        .properties("entry", p -> p.object(o -> o.enabled(false)))
        .properties("csv", p -> p.text(t -> t.index(false))));
    return new IndexBody(settings, mappings);
  }

  /**
   * Kept exact k-NN lists ({@link IndexNames#knnLists}): one document per index, metric and self rule, {@code _id}
   * {@code <physical>:<metric>:<self|noself>}, holding the largest k computed so far, the index's creation time
   * and row count (lists of an index since rewritten are not used), and the n·k row indexes as little-endian
   * int32 ({@code binary}, stored only).
   */
  public static IndexBody knnListsIndex() {
    IndexSettings settings = IndexSettings.of(s -> s.numberOfShards(1).numberOfReplicas(0));
    TypeMapping mappings = TypeMapping.of(m -> m
        .dynamic(DynamicMapping.Strict)
        .properties("index", p -> p.keyword(k -> k))
        .properties("metric", p -> p.keyword(k -> k))
        .properties("include_self", p -> p.boolean_(b -> b))
        .properties("n", p -> p.integer(n -> n))
        .properties("k", p -> p.integer(n -> n))
        .properties("created_at", p -> p.long_(l -> l))
        .properties("rows", p -> p.long_(l -> l))
        .properties("neighbours", p -> p.binary(b -> b)));
    return new IndexBody(settings, mappings);
  }
}
