package io.vectory.sink;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.SpaceEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch per {@link #put}: space events in order (an index per checkpoint, one bulk request per
 * chunk), then the batch's comparison results and alerts as one bulk request each. A record it can never
 * write (undecodable, wrong shape, refused by the mapping) goes to Connect's dead letter queue through the
 * errant record reporter while the others pass. When OpenSearch is unreachable it asks Connect to wait
 * {@code retry.backoff.ms} and redeliver the whole batch; writes are idempotent by natural id, so the
 * redelivery neither doubles nor loses anything.
 */
public final class OpenSearchSinkTask extends SinkTask {

  private static final Logger log = LoggerFactory.getLogger(OpenSearchSinkTask.class);

  private final Function<SinkConfig, SpaceSink> storeFactory;
  private SinkConfig config;
  private SpaceSink store;
  private SpaceWriter writer;
  private ValueDecoder decoder;
  private String spacesTopic, comparisonsTopic, alertsTopic;

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
    decoder = new ValueDecoder(config.getString(SinkConfig.SCHEMA_REGISTRY_URL));
    spacesTopic = config.getString(SinkConfig.TOPIC_INDEXED_SPACES);
    comparisonsTopic = config.getString(SinkConfig.TOPIC_COMPARISONS);
    alertsTopic = config.getString(SinkConfig.TOPIC_ALERTS);
    log.info("Vectory sink writing to {}: spaces from {}, comparisons from {}, alerts from {}", store.location(), spacesTopic, comparisonsTopic, alertsTopic);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    List<ComparisonResult> comparisons = new ArrayList<>();
    List<SinkRecord> comparisonRecords = new ArrayList<>();
    List<DriftAlert> alerts = new ArrayList<>();
    List<SinkRecord> alertRecords = new ArrayList<>();
    try {
      for (SinkRecord r : records) {
        try {
          byte[] value = bytes(r);
          if (r.topic().equals(spacesTopic)) {
            writer.apply(decoder.decode(r.topic(), value, SpaceEvent.class));
          } else if (r.topic().equals(comparisonsTopic)) {
            ComparisonResult c = decoder.decode(r.topic(), value, ComparisonResult.class);
            Docs.comparisonDoc(c); // checks the shape before it joins the bulk request
            comparisons.add(c);
            comparisonRecords.add(r);
          } else if (r.topic().equals(alertsTopic)) {
            alerts.add(decoder.decode(r.topic(), value, DriftAlert.class));
            alertRecords.add(r);
          } else {
            throw new IllegalArgumentException("topic " + r.topic() + " is none of " + spacesTopic + ", " + comparisonsTopic + ", " + alertsTopic
                + " (set " + SinkConfig.TOPIC_INDEXED_SPACES + ", " + SinkConfig.TOPIC_COMPARISONS + ", " + SinkConfig.TOPIC_ALERTS + ")");
          }
        } catch (IllegalArgumentException e) {
          reject(r, e);
        }
      }
      writeBatch(comparisons, comparisonRecords, writer::comparisons);
      writeBatch(alerts, alertRecords, writer::alerts);
    } catch (StoreUnavailableException e) {
      long backoff = config.getLong(SinkConfig.RETRY_BACKOFF_MS);
      log.warn("OpenSearch unavailable, redelivering {} records in {} ms: {}", records.size(), backoff, e.getMessage());
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
