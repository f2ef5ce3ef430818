package io.vectory.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  @Test
  void aRecordWrittenBeforeARestartIsReadAfterIt(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir).start()) {
      Map<String, Object> c = Map.of("bootstrap.servers", kafka.bootstrapServers());
      try (Admin a = Admin.create(c)) {
        a.createTopics(List.of(new NewTopic("t", Optional.empty(), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
          new StringSerializer(), new StringSerializer())) {
        p.send(new ProducerRecord<>("t", "k", "before the restart")).get(30, TimeUnit.SECONDS);
      }
      kafka.stop();
      kafka.start();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition tp = new TopicPartition("t", 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        ConsumerRecords<String, String> got = ConsumerRecords.empty();
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); got.isEmpty() && System.nanoTime() < end; ) {
          got = consumer.poll(Duration.ofMillis(500));
        }
        assertEquals("before the restart", got.iterator().next().value());
      }
    }
  }
}
