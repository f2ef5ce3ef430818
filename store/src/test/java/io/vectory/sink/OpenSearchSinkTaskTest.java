package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.ComparisonResult;
import io.vectory.store.EmbeddedSpaceStore;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task's routing, dead-lettering and retry behaviour, over the embedded store (same writer as OpenSearch). */
class OpenSearchSinkTaskTest {

  @TempDir Path dir;

  static final class Context implements SinkTaskContext, ErrantRecordReporter {
    final List<SinkRecord> reported = new ArrayList<>();
    final List<Throwable> reasons = new ArrayList<>();
    long timeout = -1;

    @Override public Future<Void> report(SinkRecord record, Throwable error) {
      reported.add(record);
      reasons.add(error);
      return CompletableFuture.completedFuture(null);
    }
    @Override public ErrantRecordReporter errantRecordReporter() { return this; }
    @Override public Map<String, String> configs() { return Map.of(); }
    @Override public void offset(Map<TopicPartition, Long> offsets) {}
    @Override public void offset(TopicPartition tp, long offset) {}
    @Override public void timeout(long ms) { timeout = ms; }
    @Override public Set<TopicPartition> assignment() { return Set.of(); }
    @Override public void pause(TopicPartition... p) {}
    @Override public void resume(TopicPartition... p) {}
    @Override public void requestCommit() {}
    @Override public PluginMetrics pluginMetrics() { return null; }
  }

  private static final Topics T = Topics.defaults();
  private long offset;

  private SinkRecord record(String topic, byte[] value) {
    return new SinkRecord(topic, 0, null, "exp", null, value, offset++);
  }

  private static byte[] encode(SpaceEvent e) {
    return T.indexedSpaces.valueSerde(EventSerdes.singleObject()).serializer().serialize(T.indexedSpaces.name(), e);
  }

  private static byte[] encode(ComparisonResult r) {
    return T.comparisons.valueSerde(EventSerdes.singleObject()).serializer().serialize(T.comparisons.name(), r);
  }

  @Test
  void goodRecordsAreWrittenAndBadOnesGoToTheDeadLetterQueue() {
    Space space = TestData.fortunes(32);
    EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir);
    OpenSearchSinkTask task = new OpenSearchSinkTask(c -> store);
    Context ctx = new Context();
    task.initialize(ctx);
    task.start(Map.of());
    List<SinkRecord> batch = new ArrayList<>();
    for (SpaceEvent e : TestData.checkpoint("exp", "head", 1, space, Metric.COSINE, 400)) batch.add(record(T.indexedSpaces.name(), encode(e)));
    SinkRecord garbage = record(T.indexedSpaces.name(), "not avro".getBytes());
    batch.add(1, garbage);
    batch.add(record(T.comparisons.name(), encode(TestData.comparison("exp", 1, 0, Relation.FIRST, 0.5, 10L))));
    ComparisonResult badHist = TestData.comparison("exp", 1, 0, Relation.PREVIOUS, 0.5, 11L);
    badHist.setHistogram(new ArrayList<>(List.of(1L)));
    SinkRecord badShape = record(T.comparisons.name(), encode(badHist));
    batch.add(badShape);
    SinkRecord wrongTopic = record("elsewhere", encode(badHist));
    batch.add(wrongTopic);

    task.put(batch);

    assertEquals(List.of(garbage, badShape, wrongTopic), ctx.reported);
    assertTrue(ctx.reasons.get(0).getMessage().contains("expected Avro single-object encoding"), ctx.reasons.get(0).getMessage());
    assertTrue(ctx.reasons.get(1).getMessage().contains("histogram has 1 bins"), ctx.reasons.get(1).getMessage());
    assertTrue(ctx.reasons.get(2).getMessage().contains("topic elsewhere is none of"), ctx.reasons.get(2).getMessage());
    assertEquals(1307, store.resolve("exp/head@1").rows());
    assertEquals(1, store.comparisons("exp").size());
    task.stop();
  }

  @Test
  void thePipelinesDeadLettersReachTheStoreOnceEach() {
    EmbeddedSpaceStore store = new EmbeddedSpaceStore(dir);
    OpenSearchSinkTask task = new OpenSearchSinkTask(c -> store);
    task.initialize(new Context());
    task.start(Map.of());
    io.vectory.avro.DeadLetter dl = io.vectory.avro.DeadLetter.newBuilder().setSourceTopic(T.spaceEvents.name()).setPartition(0).setOffset(7)
        .setKey("exp").setCheckpoint("exp/head@2").setReason("checkpoint exp/head@2 rejected: step: 2 is not after the previous accepted checkpoint")
        .setFailedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).build();
    byte[] value = T.deadLetters.valueSerde(EventSerdes.singleObject()).serializer().serialize(T.deadLetters.name(), dl);
    List<SinkRecord> batch = List.of(record(T.deadLetters.name(), value));
    task.put(batch);
    task.put(batch); // a replay overwrites
    assertEquals(List.of(dl), store.deadLetters("exp"));
    assertEquals(List.of(), store.deadLetters("other"));
    task.stop();
  }

  @Test
  void anOutageAsksConnectToWaitAndRedeliver() {
    EmbeddedSpaceStore real = new EmbeddedSpaceStore(dir);
    boolean[] down = {true};
    SpaceSink flaky = (SpaceSink) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SpaceSink.class},
        (proxy, m, args) -> {
          if (down[0] && m.getName().startsWith("put")) throw new StoreUnavailableException("connection refused");
          try {
            return m.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    OpenSearchSinkTask task = new OpenSearchSinkTask(c -> flaky);
    Context ctx = new Context();
    task.initialize(ctx);
    task.start(Map.of(SinkConfig.RETRY_BACKOFF_MS, "1234"));
    List<SinkRecord> batch = List.of(record(T.comparisons.name(), encode(TestData.comparison("exp", 1, 0, Relation.FIRST, 0.5, 10L))));
    assertThrows(RetriableException.class, () -> task.put(batch));
    assertEquals(1234, ctx.timeout);
    assertTrue(ctx.reported.isEmpty(), "an outage is not the record's fault");
    down[0] = false;
    task.put(batch); // Connect's redelivery
    task.put(batch); // and a replay
    assertEquals(1, real.comparisons("exp").size());
  }
}
