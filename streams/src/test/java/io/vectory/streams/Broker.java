package io.vectory.streams;

import io.vectory.ingest.Stack;
import io.vectory.avro.SpaceEvent;
import io.vectory.schemas.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test-side clients: a raw transactional producer (to send what no real publisher would) and a read_committed reader. */
final class Broker {
  private Broker() {}

  /** Sends each batch in its own transaction, so a batch is all-or-nothing for read_committed readers. */
  static final class RawProducer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Serializer<SpaceEvent> events;

    RawProducer(TopicSpec<SpaceEvent> topic, Serializer<SpaceEvent> events) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "vectory-it-" + UUID.randomUUID());
      p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 << 20));
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
      producer.initTransactions();
      this.topic = topic.name();
      this.events = events;
    }

    void send(String key, List<SpaceEvent> batch) {
      producer.beginTransaction();
      for (SpaceEvent e : batch) producer.send(new ProducerRecord<>(topic, key, events.serialize(topic, e)));
      producer.commitTransaction();
    }

    void sendRaw(String key, byte[] value) {
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, key, value));
      producer.commitTransaction();
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
    }
  }

  /** Everything committed on a topic, from the beginning; stops after {@code quiet} without new records once {@code min} are read. */
  static <V extends SpecificRecord> List<V> readCommitted(TopicSpec<V> topic, org.apache.kafka.common.serialization.Deserializer<V> de,
      int min, Duration timeout, Duration quiet) {
    Properties p = Stack.committedReader(Stack.bootstrap());
    List<V> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + timeout.toNanos();
      long lastNew = System.nanoTime();
      while (System.nanoTime() < deadline) {
        var records = c.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, byte[]> r : records) out.add(de.deserialize(r.topic(), r.value()));
        if (!records.isEmpty()) lastNew = System.nanoTime();
        if (out.size() >= min && System.nanoTime() - lastNew > quiet.toNanos()) break;
      }
    }
    return out;
  }

  static Map<String, Object> none() {
    return Map.of();
  }
}
