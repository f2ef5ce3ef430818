package io.vectory.sink;

import io.vectory.schemas.RegistryClient;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the OpenSearch sink connector (besides Connect's own: topics, errors.*, converters). The
 * schema registry keys are the ones the publisher and the Streams app pass to the same client
 * ({@link RegistryClient}, Confluent's names), so one set of registry settings serves the whole pipeline.
 */
public final class SinkConfig extends AbstractConfig {

  public static final String OPENSEARCH_URL = "opensearch.url";
  public static final String OPENSEARCH_USERNAME = "opensearch.username";
  public static final String OPENSEARCH_PASSWORD = "opensearch.password";
  public static final String OPENSEARCH_TRUSTSTORE = "opensearch.ssl.truststore.location";
  public static final String OPENSEARCH_TRUSTSTORE_PASSWORD = "opensearch.ssl.truststore.password";
  public static final String OPENSEARCH_TRUSTSTORE_TYPE = "opensearch.ssl.truststore.type";
  public static final String INDEX_PREFIX = "index.prefix";
  public static final String TOPIC_INDEXED_SPACES = "topic.indexed-spaces";
  public static final String TOPIC_COMPARISONS = "topic.comparisons";
  public static final String TOPIC_ALERTS = "topic.alerts";
  public static final String TOPIC_DEAD_LETTERS = "topic.dead-letters";
  public static final String SCHEMA_REGISTRY_URL = RegistryClient.URL;
  public static final String REGISTRY_AUTH_SOURCE = RegistryClient.AUTH_SOURCE;
  public static final String REGISTRY_USER_INFO = RegistryClient.USER_INFO;
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
  public static final String REQUEST_TIMEOUT_MS = "opensearch.request.timeout.ms";

  /** The registry's TLS settings: schema.registry.ssl.* as the publisher and the Streams app read them. */
  private static final String[] REGISTRY_SSL_PASSWORDS = {"truststore.password", "keystore.password", "key.password"};
  private static final String[] REGISTRY_SSL_STRINGS = {"truststore.location", "truststore.type", "keystore.location", "keystore.type", "protocol"};

  public static final ConfigDef DEF = define();

  private static ConfigDef define() {
    ConfigDef d = new ConfigDef()
        .define(OPENSEARCH_URL, Type.STRING, "http://127.0.0.1:9200", Importance.HIGH, "OpenSearch base URL (with the k-NN plugin).")
        .define(OPENSEARCH_USERNAME, Type.STRING, null, Importance.MEDIUM, "OpenSearch basic auth user (unset: no auth, or user:password@ in the URL).")
        .define(OPENSEARCH_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "OpenSearch basic auth password.")
        .define(OPENSEARCH_TRUSTSTORE, Type.STRING, null, Importance.LOW, "Trust store for an https OpenSearch (unset: the JVM's default trust).")
        .define(OPENSEARCH_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Password of the OpenSearch trust store.")
        .define(OPENSEARCH_TRUSTSTORE_TYPE, Type.STRING, null, Importance.LOW, "Type of the OpenSearch trust store (PKCS12, JKS; unset: the JVM's default).")
        .define(INDEX_PREFIX, Type.STRING, IndexNames.DEFAULT_PREFIX, Importance.MEDIUM,
            "Prefix of every index written: <prefix>space-..., <prefix>comparisons, <prefix>alerts, <prefix>dead-letters.")
        .define(TOPIC_INDEXED_SPACES, Type.STRING, Topics.defaults().indexedSpaces.name(), Importance.MEDIUM,
            "Topic of validated checkpoints (SpaceEvent: register, chunks, completion), each indexed into its own k-NN index.")
        .define(TOPIC_COMPARISONS, Type.STRING, Topics.defaults().comparisons.name(), Importance.MEDIUM, "Topic of ComparisonResult records.")
        .define(TOPIC_ALERTS, Type.STRING, Topics.defaults().alerts.name(), Importance.MEDIUM, "Topic of DriftAlert records.")
        .define(TOPIC_DEAD_LETTERS, Type.STRING, Topics.defaults().deadLetters.name(), Importance.MEDIUM,
            "Topic of the Streams app's DeadLetter records (checkpoints it rejected, with the reason), indexed into <prefix>dead-letters.")
        .define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.MEDIUM,
            "Confluent-compatible registry URL for values in the Confluent wire format (e.g. http://127.0.0.1:8081/apis/ccompat/v7); "
                + "empty when values use Avro single-object encoding.")
        .define(REGISTRY_AUTH_SOURCE, Type.STRING, "USER_INFO", Importance.LOW,
            "Where the registry's basic auth credentials come from: USER_INFO (" + REGISTRY_USER_INFO + ") or URL (user:password@ in the URL).")
        .define(REGISTRY_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM, "Registry basic auth credentials, user:password.")
        .define(RETRY_BACKOFF_MS, Type.LONG, 5000L, Importance.LOW, "How long Connect waits before redelivering a batch when OpenSearch is unreachable.")
        .define(REQUEST_TIMEOUT_MS, Type.LONG, 60000L, Importance.LOW, "Timeout of one OpenSearch request.");
    for (String k : REGISTRY_SSL_STRINGS) d.define(RegistryClient.SSL + k, Type.STRING, null, Importance.LOW, "Schema registry TLS: " + k + ".");
    for (String k : REGISTRY_SSL_PASSWORDS) d.define(RegistryClient.SSL + k, Type.PASSWORD, null, Importance.LOW, "Schema registry TLS: " + k + ".");
    return d;
  }

  public SinkConfig(Map<?, ?> props) {
    super(DEF, props);
  }

  /** How to reach OpenSearch. */
  public OpenSearchClients.Settings openSearch() {
    OpenSearchClients.Settings s = OpenSearchClients.Settings.of(getString(OPENSEARCH_URL), Duration.ofMillis(getLong(REQUEST_TIMEOUT_MS)));
    if (getString(OPENSEARCH_USERNAME) != null) s = s.withBasicAuth(getString(OPENSEARCH_USERNAME), value(getPassword(OPENSEARCH_PASSWORD)));
    if (getString(OPENSEARCH_TRUSTSTORE) != null) {
      s = s.withTruststore(Path.of(getString(OPENSEARCH_TRUSTSTORE)), value(getPassword(OPENSEARCH_TRUSTSTORE_PASSWORD)), getString(OPENSEARCH_TRUSTSTORE_TYPE));
    }
    return s;
  }

  /** The settings for the registry client ({@link io.vectory.schemas.EventSerdes#fromConfig}), unset keys left out. */
  public Map<String, Object> registry() {
    Map<String, Object> m = new HashMap<>();
    m.put(SCHEMA_REGISTRY_URL, getString(SCHEMA_REGISTRY_URL));
    m.put(REGISTRY_AUTH_SOURCE, getString(REGISTRY_AUTH_SOURCE));
    if (getPassword(REGISTRY_USER_INFO) != null) m.put(REGISTRY_USER_INFO, value(getPassword(REGISTRY_USER_INFO)));
    for (String k : REGISTRY_SSL_STRINGS) if (getString(RegistryClient.SSL + k) != null) m.put(RegistryClient.SSL + k, getString(RegistryClient.SSL + k));
    for (String k : REGISTRY_SSL_PASSWORDS) if (getPassword(RegistryClient.SSL + k) != null) m.put(RegistryClient.SSL + k, value(getPassword(RegistryClient.SSL + k)));
    return m;
  }

  private static String value(Password p) {
    return p == null ? null : p.value();
  }
}
