package io.vectory.ingest;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Endpoints of the shared dev stack (the test command starts it); ITs fail loudly when it is absent. Shared with the
 * streams module's tests through this module's test jar.
 */
public final class Stack {
  private Stack() {}

  public static String bootstrap() {
    return env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  }

  public static String registry() {
    return env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
  }

  public static Map<String, Object> registryConfig() {
    return Map.of("schema.registry.url", registry());
  }

  /** Throws, naming the address, when no broker answers. */
  public static void requireKafka() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    try (Admin a = Admin.create(p)) {
      a.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("no Kafka broker at " + bootstrap() + " (VECTORY_BOOTSTRAP_SERVERS); start the stack with bin/stack up", e);
    }
  }

  /** Deletes the shared broker's topics whose names start with {@code prefix} (a test class's own, changelogs included). */
  public static void deleteTopics(String prefix) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    try (Admin admin = Admin.create(p)) {
      var mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(n -> n.startsWith(prefix)).toList();
      admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
    }
  }

  /** Settings of a consumer that reads what was committed, from the beginning, on {@code bootstrap}; it commits nothing. */
  public static Properties committedReader(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("max.partition.fetch.bytes", String.valueOf(16 << 20));
    return p;
  }

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }
}
