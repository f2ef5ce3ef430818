package io.vectory.sink;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.SpaceEvent;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.RegistryClient;
import io.vectory.schemas.TopicSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch per {@link #put}: space events in order (an index per checkpoint, one bulk request per
 * chunk), then the batch's comparison results, alerts and the pipeline's dead letters (its rejections, into
 * vectory-dead-letters) as one bulk request each. A record it can never
 * write (undecodable, wrong shape, refused by the mapping) goes to Connect's dead letter queue through the
 * errant record reporter while the others pass. When OpenSearch is unreachable it asks Connect to wait
 * {@code retry.backoff.ms} and redeliver the whole batch; writes are idempotent by natural id, so the
 * redelivery neither doubles nor loses anything.
 *
 * <p>Values are read by the schemas module's serde, the one the publisher and the Streams app use: Avro
 * single-object encoding, or the Confluent wire format with writer schemas from the registry (with the
 * same basic auth and TLS settings). An unreachable registry is retried like an unreachable OpenSearch;
 * a registry refusing the credentials fails the task, naming the setting to fix.
 */
public final class OpenSearchSinkTask extends SinkTask {

  private static final Logger log = LoggerFactory.getLogger(OpenSearchSinkTask.class);

  private final Function<SinkConfig, SpaceSink> storeFactory;
  private SinkConfig config;
  private SpaceSink store;
  private SpaceWriter writer;
  private Deserializer<SpaceEvent> spaceEvents;
  private Deserializer<ComparisonResult> comparisonResults;
  private Deserializer<DriftAlert> driftAlerts;
  private Deserializer<DeadLetter> deadLetterRecords;
  private String spacesTopic, comparisonsTopic, alertsTopic, deadLettersTopic;

  public OpenSearchSinkTask() {
    this(c -> new OpenSearchSpaceSink(c.openSearch(), new IndexNames(c.getString(SinkConfig.INDEX_PREFIX))));
  }

  OpenSearchSinkTask(Function<SinkConfig, SpaceSink> storeFactory) {
    this.storeFactory = storeFactory;
  }

  @Override
  public String version() {
    return OpenSearchSinkConnector.Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new SinkConfig(props);
    store = storeFactory.apply(config);
    writer = new SpaceWriter(store);
    spacesTopic = config.getString(SinkConfig.TOPIC_INDEXED_SPACES);
    comparisonsTopic = config.getString(SinkConfig.TOPIC_COMPARISONS);
    alertsTopic = config.getString(SinkConfig.TOPIC_ALERTS);
    deadLettersTopic = config.getString(SinkConfig.TOPIC_DEAD_LETTERS);
    EventSerdes serdes = EventSerdes.fromConfig(config.registry());
    spaceEvents = new TopicSpec<>(spacesTopic, SpaceEvent.class).valueSerde(serdes).deserializer();
    comparisonResults = new TopicSpec<>(comparisonsTopic, ComparisonResult.class).valueSerde(serdes).deserializer();
    driftAlerts = new TopicSpec<>(alertsTopic, DriftAlert.class).valueSerde(serdes).deserializer();
    deadLetterRecords = new TopicSpec<>(deadLettersTopic, DeadLetter.class).valueSerde(serdes).deserializer();
    log.info("Vectory sink writing to {}: spaces from {}, comparisons from {}, alerts from {}, the pipeline's rejections from {}",
        store.location(), spacesTopic, comparisonsTopic, alertsTopic, deadLettersTopic);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    List<ComparisonResult> comparisons = new ArrayList<>();
    List<SinkRecord> comparisonRecords = new ArrayList<>();
    List<DriftAlert> alerts = new ArrayList<>();
    List<SinkRecord> alertRecords = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    List<SinkRecord> deadLetterRecordsOfBatch = new ArrayList<>();
    try {
      for (SinkRecord r : records) {
        try {
          byte[] value = bytes(r);
          if (r.topic().equals(spacesTopic)) {
            writer.apply(decode(spaceEvents, r.topic(), value));
          } else if (r.topic().equals(comparisonsTopic)) {
            ComparisonResult c = decode(comparisonResults, r.topic(), value);
            Docs.comparisonDoc(c); // checks the shape before it joins the bulk request
            comparisons.add(c);
            comparisonRecords.add(r);
          } else if (r.topic().equals(alertsTopic)) {
            alerts.add(decode(driftAlerts, r.topic(), value));
            alertRecords.add(r);
          } else if (r.topic().equals(deadLettersTopic)) {
            deadLetters.add(decode(deadLetterRecords, r.topic(), value));
            deadLetterRecordsOfBatch.add(r);
          } else {
            throw new IllegalArgumentException("topic " + r.topic() + " is none of " + spacesTopic + ", " + comparisonsTopic + ", " + alertsTopic
                + ", " + deadLettersTopic + " (set " + SinkConfig.TOPIC_INDEXED_SPACES + ", " + SinkConfig.TOPIC_COMPARISONS + ", "
                + SinkConfig.TOPIC_ALERTS + ", " + SinkConfig.TOPIC_DEAD_LETTERS + ")");
          }
        } catch (IllegalArgumentException e) {
          reject(r, e);
        }
      }
      writeBatch(comparisons, comparisonRecords, writer::comparisons);
      writeBatch(alerts, alertRecords, writer::alerts);
      writeBatch(deadLetters, deadLetterRecordsOfBatch, writer::deadLetters);
    } catch (StoreUnavailableException e) {
      long backoff = config.getLong(SinkConfig.RETRY_BACKOFF_MS);
      log.warn("OpenSearch or the schema registry unavailable, redelivering {} records in {} ms: {}", records.size(), backoff, e.getMessage());
      context.timeout(backoff);
      throw new RetriableException(e.getMessage(), e);
    }
  }

  private <T> void writeBatch(List<T> items, List<SinkRecord> from, java.util.function.Consumer<List<T>> write) {
    if (items.isEmpty()) return;
    try {
      write.accept(items);
    } catch (RejectedItemsException e) {
      e.reasons().forEach((i, why) -> reject(from.get(i), new IllegalArgumentException(why, e)));
    } catch (IllegalArgumentException e) {
      for (SinkRecord r : from) reject(r, e);
    }
  }

  /**
   * One value through the serde. A value that cannot be read is the record's fault (dead letter queue); a
   * registry that cannot be reached is not (retry); a registry refusing the credentials stops the task.
   */
  private static <V extends SpecificRecord> V decode(Deserializer<V> d, String topic, byte[] value) {
    try {
      return d.deserialize(topic, value);
    } catch (SerializationException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof RegistryClient.RegistryException re && (re.status() == 401 || re.status() == 403)) {
          throw new ConnectException(e.getMessage(), e);
        }
        if (c instanceof RegistryClient.RegistryException re && (re.status() >= 500 || re.status() == 429)) {
          throw new StoreUnavailableException(e.getMessage(), e);
        }
        if (c instanceof IOException) throw new StoreUnavailableException(e.getMessage(), e);
      }
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("topic " + topic + ": cannot read the value: " + e, e);
    }
  }

  private static byte[] bytes(SinkRecord r) {
    Object v = r.value();
    if (v instanceof byte[] b) return b;
    if (v instanceof ByteBuffer bb) {
      byte[] b = new byte[bb.remaining()];
      bb.duplicate().get(b);
      return b;
    }
    throw new IllegalArgumentException("topic " + r.topic() + " offset " + r.kafkaOffset() + ": value is "
        + (v == null ? "null" : "a " + v.getClass().getSimpleName()) + ", expected bytes (set value.converter=org.apache.kafka.connect.converters.ByteArrayConverter)");
  }

  private void reject(SinkRecord r, Exception e) {
    ErrantRecordReporter reporter = context.errantRecordReporter();
    log.warn("Rejected {}-{}@{}: {}", r.topic(), r.kafkaPartition(), r.kafkaOffset(), e.getMessage());
    if (reporter == null) {
      throw new ConnectException("record " + r.topic() + "-" + r.kafkaPartition() + "@" + r.kafkaOffset() + " cannot be written and no dead letter queue is set "
          + "(errors.tolerance=all, errors.deadletterqueue.topic.name): " + e.getMessage(), e);
    }
    reporter.report(r, e);
  }

  @Override
  public void stop() {
    if (store != null) store.close();
  }
}
