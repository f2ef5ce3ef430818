package io.vectory.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where to publish: Kafka bootstrap servers and the optional schema registry, from (first wins) a
 * flag, the environment ({@code VECTORY_BOOTSTRAP_SERVERS}, {@code VECTORY_SCHEMA_REGISTRY}), or
 * {@code ~/.vectory/config.properties} (or the file named by {@code VECTORY_CONFIG}) with keys
 * {@code bootstrap.servers} and {@code schema.registry.url}. Other keys of the file (e.g.
 * {@code basic.auth.user.info}, {@code schema.registry.ssl.*}, {@code security.protocol}) pass
 * through to the serde and the producer. No registry means Avro single-object encoding.
 */
public record IngestSettings(String bootstrapServers, String schemaRegistry, Map<String, String> extra, String source) {

  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

  public static IngestSettings resolve(String bootstrapFlag, String registryFlag) {
    return resolve(bootstrapFlag, registryFlag, System.getenv(), configFile(System.getenv()));
  }

  static Path configFile(Map<String, String> env) {
    String f = env.get("VECTORY_CONFIG");
    return f != null && !f.isBlank() ? Path.of(f) : Path.of(System.getProperty("user.home"), ".vectory", "config.properties");
  }

  static IngestSettings resolve(String bootstrapFlag, String registryFlag, Map<String, String> env, Path file) {
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
      }
    }
    Map<String, String> extra = new HashMap<>();
    for (String k : p.stringPropertyNames()) extra.put(k, p.getProperty(k).trim());
    // The HTTP ingest's own keys (read by ingestToken and the Python client) are not client settings.
    extra.keySet().removeIf(k -> k.startsWith("ingest."));
    String fileBootstrap = extra.remove("bootstrap.servers");
    String fileRegistry = extra.remove("schema.registry.url");
    String bootstrap = first(bootstrapFlag, env.get("VECTORY_BOOTSTRAP_SERVERS"), fileBootstrap, DEFAULT_BOOTSTRAP);
    String registry = first(registryFlag, env.get("VECTORY_SCHEMA_REGISTRY"), fileRegistry, null);
    // A blank flag or variable configures nothing (as for the value itself).
    String source = first(bootstrapFlag) != null ? "flag" : first(env.get("VECTORY_BOOTSTRAP_SERVERS")) != null ? "env"
        : first(fileBootstrap) != null ? file.toString() : "default";
    return new IngestSettings(bootstrap, registry == null || registry.isBlank() || registry.equalsIgnoreCase("none") ? null : registry, Map.copyOf(extra), source);
  }

  /**
   * The bearer token serve-ingest asks for and clients send: the flag, else {@code VECTORY_INGEST_TOKEN}, else
   * {@code ingest.token} in the config file; null when none is set (no token asked).
   */
  public static String ingestToken(String flag) {
    return ingestToken(flag, System.getenv(), configFile(System.getenv()));
  }

  static String ingestToken(String flag, Map<String, String> env, Path file) {
    String fromFile = null;
    if (Files.isRegularFile(file)) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
      }
      fromFile = p.getProperty("ingest.token");
    }
    return first(flag, env.get("VECTORY_INGEST_TOKEN"), fromFile);
  }

  private static String first(String... v) {
    for (String s : v) if (s != null && !s.isBlank()) return s.trim();
    return null;
  }

  /** Settings for {@link io.vectory.schemas.EventSerdes#fromConfig}: the registry URL plus pass-through keys. */
  public Map<String, Object> serdeConfig() {
    Map<String, Object> m = new HashMap<>(extra);
    if (schemaRegistry != null) m.put("schema.registry.url", schemaRegistry);
    return m;
  }

  /** Pass-through keys that are Kafka client settings (not registry ones). */
  public Map<String, Object> clientConfig() {
    Map<String, Object> m = new HashMap<>();
    extra.forEach((k, v) -> {
      if (!k.startsWith("schema.registry.") && !k.startsWith("basic.auth.") && !k.equals("value.serializer")
          && !k.equals("value.deserializer") && !k.equals("auto.register.schemas")) {
        m.put(k, v);
      }
    });
    return m;
  }

  public CheckpointPublisher.Builder publisher() {
    return CheckpointPublisher.builder(bootstrapServers)
        .serdes(io.vectory.schemas.EventSerdes.fromConfig(serdeConfig()))
        .producerConfig(clientConfig());
  }

  public String describe() {
    // Banners are printed and logged: never the registry's credentials.
    return "Kafka " + bootstrapServers + ", " + (schemaRegistry == null ? "no schema registry (Avro single-object encoding)"
        : "schema registry " + io.vectory.schemas.RegistryClient.withoutUserInfo(schemaRegistry));
  }
}
