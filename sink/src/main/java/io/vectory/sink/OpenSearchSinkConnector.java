package io.vectory.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink: validated checkpoints into per-space OpenSearch k-NN indices, comparison results
 * into vectory-comparisons, drift alerts into vectory-alerts, the Streams app's dead letters (the checkpoints it
 * rejected, with the reason) into vectory-dead-letters. Retries, offsets, scaling and the sink's own dead
 * letter queue are Connect's; every write is idempotent by natural id.
 */
public final class OpenSearchSinkConnector extends SinkConnector {

  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    new SinkConfig(props); // fail fast on a bad setting
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return OpenSearchSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> out = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) out.add(props);
    return out;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return SinkConfig.DEF;
  }

  @Override
  public String version() {
    return Version.get();
  }

  static final class Version {
    static String get() {
      String v = OpenSearchSinkConnector.class.getPackage().getImplementationVersion();
      return v == null ? "0.1.0-SNAPSHOT" : v;
    }
  }
}
