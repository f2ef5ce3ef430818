package io.vectory.streams;

import io.vectory.ingest.Stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misconfigured instance on the shared stack fails fast and consumes nothing: started without a registry on
 * records in the Confluent wire format, or with a registry that cannot be reached, it refuses to start with the
 * reason; its consumer group has no committed offset, and an instance started right afterwards compares every
 * checkpoint. Misconfigured while running (the records arrive after the start), it stops with the reason instead
 * of dead-lettering them and committing past them.
 */
class FailFastIT {
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static TestData data;
  @TempDir Path tmp;
  final EventSerdes registry = EventSerdes.registry(Stack.registryConfig());

  @BeforeAll
  static void setUp() throws Exception {
    Stack.requireKafka();
    data = TestData.fortunes(16, 100);
  }

  @AfterAll
  static void deleteTopics() throws Exception {
    Stack.deleteTopics("it-failfast-" + RUN);
  }

  static Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
    return Admin.create(p);
  }

  static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
    try (Admin a = admin()) {
      return a.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    }
  }

  String name(String what) {
    return "it-failfast-" + RUN + "-" + what + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  void publish(Topics topics, String exp, int steps) {
    try (CheckpointPublisher p = CheckpointPublisher.builder(Stack.bootstrap()).serdes(registry).topics(topics).build()) {
      List<float[][]> walk = data.walk(steps, 0.01, exp.hashCode());
      for (int s = 0; s < steps; s++) p.publish(exp, "head", s, data.ids, walk.get(s), SpaceDescription.of("fortunes", "bow"));
    }
  }

  @Test
  void withoutTheRegistryOnRegistryRecordsItRefusesToStartAndConsumesNothing() throws Exception {
    Topics topics = Topics.withPrefix(name("serde") + ".");
    PipelineRunner.createTopics(PipelineRunner.streamsProperties(Stack.bootstrap(), "x", tmp), topics, 1);
    publish(topics, "wired", 3);
    String app = name("app");
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), app, tmp.resolve("state"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PipelineRunner.start(PipelineConfig.defaults(topics, EventSerdes.singleObject()), props, 1, null, Duration.ofMinutes(1)).close());
    assertTrue(e.getMessage().contains("/0@0 cannot be read with this instance's settings"), e.getMessage());
    assertTrue(e.getMessage().contains("the value is in the Confluent wire format (magic byte 0x00, schema id "), e.getMessage());
    assertTrue(e.getMessage().contains("no schema registry is configured; set --schema-registry"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing consumed"), e.getMessage());
    assertEquals(Map.of(), committed(app), "no offset committed");

    // The same application, configured right, reads every record from the start: nothing was lost.
    try (PipelineRunner r = PipelineRunner.start(PipelineConfig.defaults(topics, registry), props, 1, null, Duration.ofMinutes(2))) {
      assertTrue(r.awaitComparisons(4, Duration.ofMinutes(2)), () -> "comparisons: " + r.comparisons());
      assertTrue(r.deadLetters().isEmpty(), () -> "dead letters: " + r.deadLetters());
    }
  }

  @Test
  void anUnreachableRegistryStopsTheStart() throws Exception {
    Topics topics = Topics.withPrefix(name("noreg") + ".");
    PipelineRunner.createTopics(PipelineRunner.streamsProperties(Stack.bootstrap(), "x", tmp), topics, 1);
    publish(topics, "wired", 2);
    String app = name("app");
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), app, tmp.resolve("state"));
    EventSerdes nowhere = EventSerdes.registry(Map.of("schema.registry.url", "http://127.0.0.1:1/apis/ccompat/v7"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PipelineRunner.start(PipelineConfig.defaults(topics, nowhere), props, 1, null, Duration.ofMinutes(1)).close());
    assertTrue(e.getMessage().contains("schema registry at http://127.0.0.1:1/apis/ccompat/v7 is unreachable"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing consumed"), e.getMessage());
    assertEquals(Map.of(), committed(app), "no offset committed");
  }

  @Test
  void registryRecordsArrivingAfterAStartWithoutTheRegistryStopItWithoutCommittingPastThem() throws Exception {
    Topics topics = Topics.withPrefix(name("late") + ".");
    String app = name("app");
    Properties props = PipelineRunner.streamsProperties(Stack.bootstrap(), app, tmp.resolve("state"));
    try (PipelineRunner r = PipelineRunner.start(PipelineConfig.defaults(topics, EventSerdes.singleObject()), props, 1, null, Duration.ofMinutes(2))) {
      publish(topics, "late", 2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (r.failure() == null && System.nanoTime() < deadline) Thread.sleep(200);
      assertNotNull(r.failure(), "the instance stopped by itself");
      assertTrue(r.failure().getMessage().contains("no schema registry is configured; set --schema-registry"), r.failure().getMessage());
      assertTrue(r.deadLetters().isEmpty(), () -> "nothing dead-lettered: " + r.deadLetters());
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = committed(app);
    TopicPartition events = new TopicPartition(topics.spaceEvents.name(), 0);
    assertTrue(!offsets.containsKey(events) || offsets.get(events).offset() == 0, () -> "committed past the records: " + offsets);
    try (PipelineRunner r = PipelineRunner.start(PipelineConfig.defaults(topics, registry), props, 1, null, Duration.ofMinutes(2))) {
      assertTrue(r.awaitComparisons(2, Duration.ofMinutes(2)), () -> "comparisons: " + r.comparisons());
    }
  }
}
