package io.vectory.sink;

import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;

/**
 * This build's sink connector in an in-process standalone Connect worker (the stack's worker runs the plugin of
 * another build), for the ITs that need the sink: the worker's settings, the connector's for a run's topics and
 * indices, and starting both. The caller stops the worker ({@code stop(); awaitStop()}) and sets Kafka's exit
 * procedure (a failed start calls exit).
 */
public final class TestConnect {

  private TestConnect() {}

  /** The connector's settings for these topics, into the indices of {@code names}, reading from the start. */
  public static Map<String, String> connector(String name, Topics topics, String opensearch, IndexNames names) {
    Map<String, String> cfg = new HashMap<>();
    cfg.put("name", name);
    cfg.put("connector.class", OpenSearchSinkConnector.class.getName());
    cfg.put("tasks.max", "1");
    cfg.put("topics", String.join(",", topics.indexedSpaces.name(), topics.comparisons.name(), topics.alerts.name()));
    cfg.put(SinkConfig.TOPIC_INDEXED_SPACES, topics.indexedSpaces.name());
    cfg.put(SinkConfig.TOPIC_COMPARISONS, topics.comparisons.name());
    cfg.put(SinkConfig.TOPIC_ALERTS, topics.alerts.name());
    cfg.put(SinkConfig.OPENSEARCH_URL, opensearch);
    cfg.put(SinkConfig.INDEX_PREFIX, names.prefix());
    cfg.put("consumer.override.auto.offset.reset", "earliest");
    return cfg;
  }

  /** A standalone worker on a free port (offsets in {@code offsets}) running the connector {@code cfg}. */
  public static Connect<StandaloneHerder> start(String bootstrap, Path offsets, Map<String, String> cfg) throws Exception {
    Map<String, String> worker = new HashMap<>();
    worker.put("bootstrap.servers", bootstrap);
    worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.put("offset.storage.file.filename", offsets.toString());
    worker.put("listeners", "http://127.0.0.1:0");
    worker.put("plugin.discovery", "service_load");
    worker.put("offset.flush.interval.ms", "1000");
    Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(worker);
    try {
      CompletableFuture<Object> created = new CompletableFuture<>();
      connect.herder().putConnectorConfig(cfg.get("name"), cfg, true, (err, info) -> {
        if (err != null) created.completeExceptionally(err);
        else created.complete(info);
      });
      created.get(30, TimeUnit.SECONDS);
      return connect;
    } catch (Exception e) {
      connect.stop();
      connect.awaitStop();
      throw e;
    }
  }
}
