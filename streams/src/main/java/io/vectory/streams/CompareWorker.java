package io.vectory.streams;

import io.vectory.avro.CompareWork;
import io.vectory.avro.WorkDone;
import io.vectory.schemas.RegistryUnreachableException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compare worker: a member of the pipeline's compare group on the compare-work topic, so every instance of
 * {@code vectory pipeline} takes a share of the partitions (and so of each checkpoint's shards). Per item: compute it
 * outside any transaction, on a thread of its own, while this thread keeps polling (partitions paused) so the group
 * never sees a member stuck for a long pass; then, in one short transaction, its answer to the work-results topic and
 * the item's offset. A worker killed mid-item leaves nothing: the item is read again by the member that takes its
 * partition, and the pipeline matches answers by job and shard, so nothing is lost or doubled.
 */
final class CompareWorker implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CompareWorker.class);
  /** Vectors kept between items (a checkpoint's shards and its comparisons read it in a row): a quarter of the heap. */
  static final long CACHE_BYTES = Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4);

  private final PipelineConfig config;
  private final ComparisonEngine engine;
  private final String name;
  private final KafkaConsumer<String, CompareWork> consumer;
  private final KafkaProducer<String, WorkDone> producer;
  private final KafkaSpaceReader reader;
  private final ExecutorService compute;
  private final Thread thread;
  private volatile boolean closing;
  /** Partitions lost to a rebalance while an item was being computed: its answer is not sent, the new owner redoes it. */
  private volatile boolean revoked;

  /**
   * @param connection broker address and security settings
   * @param group the compare group (one per pipeline application)
   * @param name this worker, unique in the group (its transactional id and the answers' {@code worker} field)
   */
  CompareWorker(PipelineConfig config, Properties connection, Properties readerProps, String group, String name, ComparisonEngine engine) {
    this.config = config;
    this.engine = engine;
    this.name = name;
    Properties c = new Properties();
    c.putAll(connection);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    // Consecutive partitions to different workers: one pass's shards are sent to consecutive partitions.
    c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, org.apache.kafka.clients.consumer.RoundRobinAssignor.class.getName());
    // A killed member's items move to the others after this (the 45 s default would hold them that long).
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    Deserializer<CompareWork> items = config.topics().compareWork.valueSerde(config.serdes()).deserializer();
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), items);
    Properties p = new Properties();
    p.putAll(connection);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, name);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(ComparisonTopology.MAX_MESSAGE_BYTES));
    // A transaction holds one answer and an offset, never a computation: a worker killed inside one blocks the app's
    // read_committed input for at most this long.
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
    @SuppressWarnings("unchecked")
    Serializer<WorkDone> answers = (Serializer<WorkDone>) config.topics().workResults.valueSerde(config.serdes()).serializer();
    this.producer = new KafkaProducer<>(p, new StringSerializer(), answers);
    this.reader = new KafkaSpaceReader(readerProps, config.topics().spaceEvents.valueSerde(config.serdes()).deserializer(), CACHE_BYTES);
    this.compute = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-compute");
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this, name);
  }

  void start() {
    producer.initTransactions();
    thread.start();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(config.topics().compareWork.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          if (!partitions.isEmpty()) revoked = true;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
      });
      while (!closing) {
        for (ConsumerRecord<String, CompareWork> r : consumer.poll(Duration.ofMillis(500))) {
          process(r);
        }
      }
    } catch (WakeupException e) {
      if (!closing) throw e;
    } catch (RuntimeException e) {
      log.error("compare worker {} stopped", name, e);
    } finally {
      compute.shutdownNow();
      reader.close();
      producer.close(Duration.ofSeconds(5));
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void process(ConsumerRecord<String, CompareWork> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    if (r.value() == null) {
      // Only the app writes this topic; an undecodable item cannot be answered, only skipped, and said so.
      log.warn("compare-work {} offset {}: no item (null value); skipped", tp, r.offset());
      commit(tp, r.offset(), null);
      return;
    }
    CompareWork w = r.value();
    String what = WorkHandler.describe(w);
    WorkDone done = null;
    String lastFailure = null;
    for (int attempt = 1; done == null && attempt <= CheckpointProcessor.MAX_ATTEMPTS; attempt++) {
      revoked = false;
      Future<WorkDone> f = compute.submit(() -> WorkHandler.handle(w, reader, engine, name));
      try {
        done = awaitPolling(f);
      } catch (ExecutionException e) {
        Throwable t = e.getCause();
        if (RegistryUnreachableException.in(t) != null) {
          // Not the item's fault: wait, and try the same item again without counting it.
          log.warn("{}: {}; paused, retrying in 5 s", what, t.getMessage());
          sleepPolling(5000);
          attempt--;
          continue;
        }
        if (!WorkHandler.retryable(t)) {
          log.warn("{} rejected: {}", what, t.getMessage());
          done = WorkHandler.rejected(w, name, t.getMessage());
          break;
        }
        lastFailure = t.getClass().getName() + ": " + t.getMessage();
        log.error("{} failed (attempt {} of {})", what, attempt, CheckpointProcessor.MAX_ATTEMPTS, t);
      }
      if (closing) return;
      if (revoked) {
        // This member lost partitions meanwhile; if the item's is gone, its new owner does it.
        if (!consumer.assignment().contains(tp)) {
          log.info("{}: its partition moved to another worker during the computation; left to it", what);
          return;
        }
      }
    }
    if (done == null) {
      done = WorkHandler.failed(w, name, CheckpointProcessor.MAX_ATTEMPTS, lastFailure);
    }
    log.debug("{} done in {} ms", what, done.getComputeMillis());
    commit(tp, r.offset(), done);
  }

  /** Waits for the computation (or a pause) while polling with every partition paused, so the group keeps this member. */
  private <T> T awaitPolling(Future<T> f) throws ExecutionException {
    consumer.pause(consumer.assignment());
    try {
      while (true) {
        try {
          return f.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (closing) {
            f.cancel(true);
            throw new ExecutionException(new IllegalStateException("closing"));
          }
          consumer.poll(Duration.ZERO); // heartbeats and rebalances only: every partition is paused
          consumer.pause(consumer.assignment()); // partitions assigned meanwhile arrive unpaused
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ExecutionException(e);
        }
      }
    } finally {
      consumer.resume(consumer.paused());
    }
  }

  private void sleepPolling(long millis) {
    try {
      awaitPolling(CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS)));
    } catch (ExecutionException e) {
      // closing: the caller sees it
    }
  }

  /** The answer (if any) and the item's offset in one transaction; on failure the item is read again. */
  private void commit(TopicPartition tp, long offset, WorkDone done) {
    try {
      producer.beginTransaction();
      if (done != null) producer.send(new ProducerRecord<>(config.topics().workResults.name(), done.getCheckpoint().getExperiment(), done));
      producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(offset + 1)), consumer.groupMetadata());
      producer.commitTransaction();
    } catch (KafkaException e) {
      log.warn("answer to {} offset {} not committed ({}); the item is read again", tp, offset, e.toString());
      try {
        producer.abortTransaction();
      } catch (KafkaException ignored) {
        // a fenced producer cannot abort; its transaction is aborted by the coordinator
      }
      if (consumer.assignment().contains(tp)) consumer.seek(tp, offset);
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
