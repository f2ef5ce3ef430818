package io.vectory.ingest;

import io.vectory.avro.SpaceEvent;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain read_committed consumer that reads the space-events topic from the beginning and returns
 * one checkpoint, reassembled. For tests, tools and small consumers; the Streams app does its own.
 */
public final class CheckpointReader {
  private CheckpointReader() {}

  /** Result of a read: the checkpoint and how many chunk duplicates were seen on the way. */
  public record Read(AssembledCheckpoint checkpoint, long duplicateChunks, long eventsRead) {}

  public static Read read(String bootstrapServers, Map<String, ?> consumerOverrides, EventSerdes serdes, TopicSpec<SpaceEvent> topic,
      String checkpoint, Duration timeout) {
    CheckpointAssembler assembler = new CheckpointAssembler();
    long events = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, SpaceEvent> consumer = open(bootstrapServers, consumerOverrides, serdes, topic)) {
      fromBeginning(consumer, topic, timeout);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, SpaceEvent> r : consumer.poll(Duration.ofMillis(500))) {
          events++;
          Optional<AssembledCheckpoint> done = assembler.accept(r.value());
          if (done.isPresent() && done.get().checkpoint().equals(checkpoint)) {
            return new Read(done.get(), assembler.duplicateChunks(), events);
          }
        }
      }
    }
    throw new IllegalStateException("checkpoint " + checkpoint + " not seen whole on " + topic.name() + " within " + timeout + " (" + events + " events read)");
  }

  /** A read_committed consumer without a group, for {@code topic}'s values. */
  private static KafkaConsumer<String, SpaceEvent> open(String bootstrapServers, Map<String, ?> consumerOverrides, EventSerdes serdes,
      TopicSpec<SpaceEvent> topic) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
    c.putAll(consumerOverrides);
    return new KafkaConsumer<>(c, new StringDeserializer(), topic.valueSerde(serdes).deserializer());
  }

  /** Assigns every partition of the topic and seeks to its beginning; returns the partitions. */
  private static List<TopicPartition> fromBeginning(KafkaConsumer<String, SpaceEvent> consumer, TopicSpec<SpaceEvent> topic, Duration timeout) {
    List<TopicPartition> parts = consumer.partitionsFor(topic.name(), timeout).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    return parts;
  }

  /** Everything committed on the topic up to its current end: all whole checkpoints, in order. */
  public record All(List<AssembledCheckpoint> checkpoints, long duplicateChunks, long eventsRead) {}

  public static All readAll(String bootstrapServers, Map<String, ?> consumerOverrides, EventSerdes serdes, TopicSpec<SpaceEvent> topic, Duration timeout) {
    CheckpointAssembler assembler = new CheckpointAssembler();
    List<AssembledCheckpoint> out = new java.util.ArrayList<>();
    long events = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, SpaceEvent> consumer = open(bootstrapServers, consumerOverrides, serdes, topic)) {
      List<TopicPartition> parts = fromBeginning(consumer, topic, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts); // the last stable offset under read_committed
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("did not reach the end of " + topic.name() + " within " + timeout);
        for (ConsumerRecord<String, SpaceEvent> r : consumer.poll(Duration.ofMillis(500))) {
          events++;
          assembler.accept(r.value()).ifPresent(out::add);
        }
      }
    }
    return new All(out, assembler.duplicateChunks(), events);
  }
}
