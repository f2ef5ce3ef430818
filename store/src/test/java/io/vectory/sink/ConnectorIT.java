package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.store.OpenSearchSpaceStore;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector in a real (in-process, standalone) Connect worker against the shared Kafka and OpenSearch:
 * a checkpoint, a comparison and an alert land in OpenSearch; an undecodable record goes to Connect's
 * dead letter topic with the reason in its headers, and the good records after it still pass.
 */
class ConnectorIT {

  static final String BOOTSTRAP = System.getenv().getOrDefault("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  static final String OPENSEARCH = System.getenv().getOrDefault("VECTORY_OPENSEARCH", "http://127.0.0.1:9200");

  @TempDir Path dir;

  @Test
  void goodRecordsReachOpenSearchAndABadOneReachesTheDeadLetterTopic() throws Exception {
    String run = "it-" + UUID.randomUUID().toString().substring(0, 8);
    Topics topics = Topics.withPrefix(run + ".");
    String dlq = run + ".sink-dead-letters";
    IndexNames names = new IndexNames(run + "-vectory-");
    OpenSearchClient client = OpenSearchClients.open(OpenSearchClients.Settings.of(OPENSEARCH, Duration.ofSeconds(30)));
    assertTrue(client.ping().value(), "OpenSearch at " + OPENSEARCH);

    Space full = TestData.fortunes(16);
    int n = 200;
    Space space = new Space("s", full.ids().subList(0, n), FloatMatrix.wrap(n, 16, Arrays.copyOf(full.vectors().data(), n * 16)),
        Map.of("label", full.columns().get("label").subList(0, n)));

    Map<String, Object> adminProps = Map.of("bootstrap.servers", BOOTSTRAP);
    try (Admin admin = Admin.create(adminProps)) {
      admin.createTopics(List.of(new NewTopic(topics.indexedSpaces.name(), 1, (short) 1), new NewTopic(topics.comparisons.name(), 1, (short) 1),
          new NewTopic(topics.alerts.name(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
    Properties pp = new Properties();
    pp.put("bootstrap.servers", BOOTSTRAP);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
      var serde = topics.indexedSpaces.valueSerde(EventSerdes.singleObject()).serializer();
      List<SpaceEvent> events = TestData.checkpoint("exp", "head", 7, space, Metric.COSINE, 50);
      for (int i = 0; i < events.size(); i++) {
        if (i == 2) p.send(new ProducerRecord<>(topics.indexedSpaces.name(), "exp", garbage));
        p.send(new ProducerRecord<>(topics.indexedSpaces.name(), "exp", serde.serialize(topics.indexedSpaces.name(), events.get(i))));
      }
      p.send(new ProducerRecord<>(topics.comparisons.name(), "exp", topics.comparisons.valueSerde(EventSerdes.singleObject()).serializer()
          .serialize(topics.comparisons.name(), TestData.comparison("exp", 7, 6, Relation.PREVIOUS, 0.5, 1_700_000_000_000L))));
      p.send(new ProducerRecord<>(topics.alerts.name(), "exp", topics.alerts.valueSerde(EventSerdes.singleObject()).serializer()
          .serialize(topics.alerts.name(), TestData.alert("exp", 7, 6, 0.1))));
      p.flush();
    }

    Map<String, String> cfg = TestConnect.connector(run + "-sink", topics, OPENSEARCH, names);
    cfg.put("errors.tolerance", "all");
    cfg.put("errors.deadletterqueue.topic.name", dlq);
    cfg.put("errors.deadletterqueue.topic.replication.factor", "1");
    cfg.put("errors.deadletterqueue.context.headers.enable", "true");
    cfg.put("consumer.override.auto.offset.reset", "earliest");

    int[] exitStatus = {-1};
    Exit.setExitProcedure((status, message) -> {
      exitStatus[0] = status;
      throw new IllegalStateException("Connect tried to exit with " + status + ": " + message);
    });
    Connect<StandaloneHerder> connect = null;
    try {
      connect = TestConnect.start(BOOTSTRAP, dir.resolve("offsets"), cfg);

      String index = names.space("exp", "head", 7);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      try (OpenSearchSpaceStore store = new OpenSearchSpaceStore(OPENSEARCH, names, Duration.ofSeconds(30))) {
        while (System.nanoTime() < deadline) {
          // A results index the task has just created: the store waits for its primary shard itself.
          boolean done = store.find("exp/head@7").map(IndexInfo::complete).orElse(false)
              && store.comparisons("exp").size() == 1 && store.alerts("exp").size() == 1;
          if (done) break;
          Thread.sleep(500);
        }
        IndexInfo info = store.resolve("exp/head@7");
        assertTrue(info.complete(), "checkpoint complete in " + index + ": " + info + "; task status " + connect.herder().connectorStatus(cfg.get("name")));
        assertEquals(n, info.rows());
        Space back = store.loadSpace("exp/head@7");
        assertEquals(space.ids(), back.ids());
        assertArrayEquals(space.vectors().data(), back.vectors().data());
        assertEquals(1, store.comparisons("exp").size());
        assertEquals(1, store.alerts("exp").size());
        assertEquals("RUNNING", connect.herder().connectorStatus(cfg.get("name")).tasks().get(0).state());
      }

      // the bad record, in the dead letter topic with Connect's error headers
      Properties cp = new Properties();
      cp.put("bootstrap.servers", BOOTSTRAP);
      cp.put("group.id", run + "-dlq-reader");
      cp.put("auto.offset.reset", "earliest");
      List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        c.subscribe(List.of(dlq));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (dead.isEmpty() && System.nanoTime() < until) c.poll(Duration.ofMillis(500)).forEach(dead::add);
        c.poll(Duration.ofSeconds(2)).forEach(dead::add);
      }
      assertEquals(1, dead.size(), "records in " + dlq);
      assertArrayEquals(garbage, dead.get(0).value());
      var why = dead.get(0).headers().lastHeader("__connect.errors.exception.message");
      assertTrue(why != null && new String(why.value(), StandardCharsets.UTF_8).contains("Avro single-object encoding"),
          why == null ? "no error header" : new String(why.value(), StandardCharsets.UTF_8));
      var topic = dead.get(0).headers().lastHeader("__connect.errors.topic");
      assertEquals(topics.indexedSpaces.name(), new String(topic.value(), StandardCharsets.UTF_8));
    } finally {
      if (connect != null) {
        connect.stop();
        connect.awaitStop();
      }
      Exit.resetExitProcedure();
      client.indices().delete(d -> d.index(names.prefix() + "*"));
      OpenSearchClients.close(client);
      try (Admin admin = Admin.create(adminProps)) {
        admin.deleteTopics(List.of(topics.indexedSpaces.name(), topics.comparisons.name(), topics.alerts.name(), dlq)).all().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the DLQ may not exist when the test failed early
      }
      Files.deleteIfExists(dir.resolve("offsets"));
    }
    assertEquals(-1, exitStatus[0]);
  }
}
