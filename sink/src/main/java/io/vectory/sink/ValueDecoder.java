package io.vectory.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a record value in either encoding the pipeline writes: Avro single-object (C3 01 + fingerprint,
 * the embedded default) or the Confluent wire format (00 + 4-byte schema id, with a schema registry),
 * whose writer schema is fetched once per id from the registry's Confluent-compatible API and resolved
 * against Vectory's own schema.
 */
final class ValueDecoder {

  private final String registryUrl;
  private final Map<Class<?>, Deserializer<?>> singleObject = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();
  private HttpClient http;

  /** @param registryUrl Confluent-compatible base URL (e.g. http://127.0.0.1:8081/apis/ccompat/v7), or null */
  ValueDecoder(String registryUrl) {
    this.registryUrl = registryUrl == null || registryUrl.isBlank() ? null
        : registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
  }

  @SuppressWarnings("unchecked")
  <V extends SpecificRecord> V decode(String topic, byte[] value, Class<V> type) {
    if (value == null || value.length == 0) {
      throw new IllegalArgumentException("topic " + topic + ": empty value, expected an Avro " + type.getSimpleName());
    }
    if (value.length >= 10 && (value[0] & 0xff) == 0xC3 && value[1] == 0x01) {
      Deserializer<V> d = (Deserializer<V>) singleObject.computeIfAbsent(type,
          t -> EventSerdes.singleObject().forValue(new TopicSpec<>(topic, type)).deserializer());
      try {
        return d.deserialize(topic, value);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    if (value.length >= 5 && value[0] == 0) {
      int id = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
      Schema writer = writerSchema(id, topic);
      Schema reader = SpecificData.get().getSchema(type);
      try {
        SpecificDatumReader<V> r = new SpecificDatumReader<>(writer, reader);
        return r.read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("topic " + topic + ": cannot decode " + type.getSimpleName() + " written with schema id " + id + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException("topic " + topic + ": value of " + value.length + " bytes starting with " + String.format("0x%02X", value[0] & 0xff)
        + " is neither Avro single-object encoding (C3 01 ...) nor the Confluent wire format (00 + schema id), expected an Avro " + type.getSimpleName());
  }

  private Schema writerSchema(int id, String topic) {
    Schema s = writerSchemas.get(id);
    if (s != null) return s;
    if (registryUrl == null) {
      throw new IllegalArgumentException("topic " + topic + ": value uses schema id " + id + " of a schema registry, but no schema.registry.url is set");
    }
    try {
      if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id)).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) throw new IllegalArgumentException("topic " + topic + ": schema id " + id + " is unknown to the registry at " + registryUrl);
      if (r.statusCode() != 200) throw new StoreUnavailableException("schema registry at " + registryUrl + " answered " + r.statusCode() + " for schema id " + id);
      JsonNode body = new ObjectMapper().readTree(r.body());
      s = new Schema.Parser().parse(body.path("schema").asText());
    } catch (IOException e) {
      throw new StoreUnavailableException("schema registry at " + registryUrl + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while fetching schema id " + id, e);
    }
    writerSchemas.put(id, s);
    return s;
  }
}
