package io.vectory.ingest;

import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.CheckpointProtocol;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import io.vectory.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes checkpoints of embedding spaces from a training loop: one call per checkpoint.
 *
 * <p>The checkpoint is validated first (dimension, NaN/Inf, duplicate or missing ids) and refused
 * with an {@link InvalidCheckpointException} before anything is sent. Then SpaceRegistered, the
 * EmbeddingChunks (each under {@code maxChunkBytes}, vectors little-endian float32) and
 * CheckpointCompleted (row and chunk counts, CRC-32C of the vector bytes in sequence order; the
 * {@link CheckpointProtocol}) go to
 * {@code Topics.spaceEvents}, keyed by experiment, in ONE Kafka transaction of an idempotent
 * producer: a read_committed consumer sees the whole checkpoint or nothing. A failed transaction is
 * aborted and retried whole, so a retry can neither duplicate nor half-publish a checkpoint.
 *
 * <p>Not thread-safe: one publisher per training loop (it owns one transactional.id).
 */
public final class CheckpointPublisher implements AutoCloseable {

  private final Map<String, Object> producerConfig;
  private final TopicSpec<SpaceEvent> topic;
  private final Serializer<SpaceEvent> valueSerializer;
  private final int maxChunkBytes;
  private final int maxAttempts;
  private final boolean createTopic;
  private KafkaProducer<String, SpaceEvent> producer;
  private boolean topicChecked;

  private CheckpointPublisher(Builder b) {
    this.topic = b.topics.spaceEvents;
    this.valueSerializer = topic.valueSerde(b.serdes).serializer();
    this.maxChunkBytes = b.maxChunkBytes;
    this.maxAttempts = b.maxAttempts;
    this.createTopic = b.createTopic;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, b.transactionalId);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1024 * 1024, b.maxChunkBytes + 64 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vectory-publisher-" + b.transactionalId);
    p.putAll(b.producerOverrides);
    this.producerConfig = p;
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** The transactional.id this publisher owns. */
  public String transactionalId() {
    return (String) producerConfig.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
  }

  public PublishResult publish(String experiment, String space, long step, List<String> ids, float[][] vectors, SpaceDescription description) {
    return publish(experiment, space, step, ids, Rows.of(vectors), description, PublishProgress.NONE);
  }

  public PublishResult publish(String experiment, String space, long step, List<String> ids, float[][] vectors, SpaceDescription description, PublishProgress progress) {
    return publish(experiment, space, step, ids, Rows.of(vectors), description, progress);
  }

  /** {@code vectors} holds rows × dimension floats, row-major, from its position to its limit. */
  public PublishResult publish(String experiment, String space, long step, List<String> ids, FloatBuffer vectors, int dimension, SpaceDescription description, PublishProgress progress) {
    if (dimension <= 0) throw new InvalidCheckpointException(CheckpointNames.of(experiment, space, step) + ": dimension must be positive, got " + dimension);
    return publish(experiment, space, step, ids, Rows.of(vectors, dimension), description, progress);
  }

  /**
   * The checks {@link #publish} makes before sending anything (names, step, rows, dimension, ids, finite values, no zero
   * vector under cosine, metadata columns), for a caller that stores a checkpoint without publishing it
   * ({@code vectory add} with no broker): one rule for both paths.
   *
   * @throws InvalidCheckpointException naming the checkpoint and the first problem found
   */
  public static void validate(String experiment, String space, long step, List<String> ids, FloatBuffer vectors, int dimension, SpaceDescription description) {
    if (dimension <= 0) throw new InvalidCheckpointException(CheckpointNames.of(experiment, space, step) + ": dimension must be positive, got " + dimension);
    CheckpointValidator.validate(experiment, space, step, ids, Rows.of(vectors, dimension), description == null ? SpaceDescription.of(null, null) : description);
  }

  private PublishResult publish(String experiment, String space, long step, List<String> ids, Rows rows, SpaceDescription d, PublishProgress progress) {
    d = d == null ? SpaceDescription.of(null, null) : d;
    CheckpointValidator.validate(experiment, space, step, ids, rows, d);
    long start = System.nanoTime();
    CheckpointKey key = CheckpointKey.newBuilder().setExperiment(experiment).setSpace(space).setStep(step).build();
    String name = CheckpointNames.of(experiment, space, step);
    List<String> columns = List.copyOf(d.columns().keySet());
    List<CheckpointProtocol.RowRange> bounds;
    try {
      bounds = CheckpointProtocol.chunkRanges(name, ids, rows.dimension(), new ArrayList<>(d.columns().values()), maxChunkBytes);
    } catch (CheckpointProtocol.RowTooLargeException e) {
      throw new InvalidCheckpointException(e.getMessage());
    }

    SpaceRegistered registered = SpaceRegistered.newBuilder()
        .setCheckpoint(key).setDataset(d.dataset()).setModel(d.model()).setEpoch(d.epoch())
        .setDimension(rows.dimension()).setRows(rows.rows()).setMetric(d.metric())
        .setParams(new HashMap<>(d.params())).setIdField(d.idField()).setMetadataColumns(columns)
        .setRegisteredAt(java.time.Instant.now()).build();
    Chunker chunker = new Chunker(rows, ids, bounds, columns, d);
    ensureTopic();
    KafkaException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        long checksum = sendInTransaction(name, experiment, registered, chunker, progress);
        return new PublishResult(name, rows.rows(), rows.dimension(), bounds.size(), checksum, 4L * rows.rows() * rows.dimension(), attempt, System.nanoTime() - start);
      } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
        closeProducer();
        throw new PublishException(name + ": cannot publish (" + e.getClass().getSimpleName() + "): " + e.getMessage(), e);
      } catch (SerializationException e) {
        abortQuietly();
        throw new PublishException(name + ": cannot encode an event: " + e.getMessage(), e);
      } catch (KafkaException e) {
        last = e;
        // Nothing of this attempt is visible: abort it (or drop the producer; the next initTransactions fences it) and retry whole.
        abortQuietly();
        System.err.printf("vectory: publishing %s failed (attempt %d of %d): %s; retrying the whole checkpoint%n", name, attempt, maxAttempts, e);
        sleep(Math.min(5000, 250L << Math.min(attempt, 5)));
      }
    }
    throw new PublishException(name + ": not published after " + maxAttempts + " attempts: " + last.getMessage(), last);
  }

  /**
   * Sends one attempt. Chunk events are built as they are sent (not all up front), so encoding overlaps
   * the network and a retry rebuilds the same bytes from the caller's vectors. Returns the checksum.
   */
  private long sendInTransaction(String name, String experiment, SpaceRegistered registered, Chunker chunker, PublishProgress progress) {
    KafkaProducer<String, SpaceEvent> p = producer();
    p.beginTransaction();
    AtomicInteger acked = new AtomicInteger();
    AtomicLong ackedBytes = new AtomicLong();
    p.send(new ProducerRecord<>(topic.name(), experiment, SpaceEvent.newBuilder().setEvent(registered).build()));
    int total = chunker.count();
    int reported = -1;
    CheckpointProtocol.ChunkWriter writer = new CheckpointProtocol.ChunkWriter(registered.getCheckpoint(), registered.getDimension());
    List<Future<RecordMetadata>> sent = new ArrayList<>(total);
    for (int seq = 0; seq < total; seq++) {
      EmbeddingChunk c = chunker.chunk(writer, seq);
      int bytes = c.getVectors().remaining();
      sent.add(p.send(new ProducerRecord<>(topic.name(), experiment, SpaceEvent.newBuilder().setEvent(c).build()), (md, ex) -> {
        if (ex == null) {
          acked.incrementAndGet();
          ackedBytes.addAndGet(bytes);
        }
      }));
      int a = acked.get();
      if (a != reported) {
        progress.progress(a, total, ackedBytes.get());
        reported = a;
      }
    }
    long checksum = writer.checksum();
    CheckpointCompleted completed = writer.completed(java.time.Instant.now());
    p.send(new ProducerRecord<>(topic.name(), experiment, SpaceEvent.newBuilder().setEvent(completed).build()));
    // Wait for the chunks' acknowledgements in order, reporting as they come, then commit.
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted while waiting for acknowledgements", e);
      }
      int a = acked.get();
      if (a != reported) {
        progress.progress(a, total, ackedBytes.get());
        reported = a;
      }
    }
    commit(name, p);
    return checksum;
  }

  /**
   * Commits, retrying the commit itself when it times out. A timed-out commit may already be under way on the
   * coordinator: aborting is then refused, and a new producer's initTransactions would complete it, so retrying
   * the whole checkpoint could publish it twice. When the commit never answers, the outcome is unknown and the
   * publisher says so instead of re-publishing.
   */
  private void commit(String name, KafkaProducer<String, SpaceEvent> p) {
    for (int attempt = 1; ; attempt++) {
      try {
        p.commitTransaction();
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (attempt >= maxAttempts) {
          closeProducer();
          throw new PublishException(name + ": the commit did not answer after " + attempt + " attempts; the checkpoint may or may not"
              + " be committed (not re-published, so it cannot appear twice): " + e.getMessage(), e);
        }
      }
    }
  }

  /** Builds chunk {@code seq} (the writer's next): its ids, metadata rows and little-endian vector bytes. */
  private record Chunker(Rows rows, List<String> ids, List<CheckpointProtocol.RowRange> bounds, List<String> columns, SpaceDescription d) {
    int count() {
      return bounds.size();
    }

    EmbeddingChunk chunk(CheckpointProtocol.ChunkWriter writer, int seq) {
      int from = bounds.get(seq).from(), to = bounds.get(seq).to();
      ByteBuffer le = CheckpointProtocol.vectorBuffer(to - from, rows.dimension());
      rows.put(from, to, le);
      le.flip();
      List<List<String>> meta = new ArrayList<>(columns.isEmpty() ? 0 : to - from);
      if (!columns.isEmpty()) {
        for (int r = from; r < to; r++) {
          List<String> row = new ArrayList<>(columns.size());
          for (String c : columns) row.add(d.columns().get(c).get(r));
          meta.add(row);
        }
      }
      return writer.next(new ArrayList<>(ids.subList(from, to)), le, meta);
    }
  }

  private KafkaProducer<String, SpaceEvent> producer() {
    if (producer == null) {
      producer = new KafkaProducer<>(producerConfig, new StringSerializer(), valueSerializer);
      producer.initTransactions();
    }
    return producer;
  }

  private void ensureTopic() {
    if (topicChecked || !createTopic) return;
    Map<String, Object> admin = new HashMap<>();
    for (String k : Set.of("bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location",
        "ssl.truststore.password", "ssl.truststore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password")) {
      if (producerConfig.containsKey(k)) admin.put(k, producerConfig.get(k));
    }
    try (Admin a = Admin.create(admin)) {
      if (!a.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic.name())) {
        a.createTopics(List.of(new NewTopic(topic.name(), Optional.empty(), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new PublishException("cannot create topic " + topic.name() + " at " + producerConfig.get("bootstrap.servers") + ": " + e.getCause(), e.getCause());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new PublishException("Kafka at " + producerConfig.get("bootstrap.servers") + " did not answer within 30 s (is it running?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted", e);
    }
    topicChecked = true;
  }

  private void abortQuietly() {
    if (producer == null) return;
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      // The producer is in a state it cannot abort from: drop it; a new one with the same
      // transactional.id fences it and the coordinator aborts its open transaction.
      closeProducer();
    }
  }

  private void closeProducer() {
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (KafkaException ignored) {
        // closing a broken producer: nothing more to do
      }
      producer = null;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted while retrying", e);
    }
  }

  @Override
  public void close() {
    closeProducer();
  }

  /** Publishing failed after validation (broker unreachable, fenced, not authorized, retries exhausted). */
  public static final class PublishException extends RuntimeException {
    public PublishException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static final class Builder {
    private final String bootstrapServers;
    private EventSerdes serdes = EventSerdes.singleObject();
    private Topics topics = Topics.defaults();
    private String transactionalId = "vectory-publisher-" + UUID.randomUUID();
    private int maxChunkBytes = CheckpointProtocol.DEFAULT_MAX_CHUNK_BYTES;
    private int maxAttempts = 5;
    private boolean createTopic = true;
    private final Map<String, Object> producerOverrides = new HashMap<>();

    private Builder(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    /** Value encoding: {@link EventSerdes#singleObject()} (default) or {@link EventSerdes#registry(Map)}. */
    public Builder serdes(EventSerdes s) {
      this.serdes = s;
      return this;
    }

    public Builder topics(Topics t) {
      this.topics = t;
      return this;
    }

    /** A stable id lets a restarted loop fence its previous incarnation; default a random one. */
    public Builder transactionalId(String id) {
      this.transactionalId = id;
      return this;
    }

    public Builder maxChunkBytes(int bytes) {
      if (bytes < CheckpointProtocol.MIN_MAX_CHUNK_BYTES) {
        throw new IllegalArgumentException("maxChunkBytes must be at least " + CheckpointProtocol.MIN_MAX_CHUNK_BYTES + ", got " + bytes);
      }
      this.maxChunkBytes = bytes;
      return this;
    }

    public Builder maxAttempts(int n) {
      this.maxAttempts = Math.max(1, n);
      return this;
    }

    /** Create the topic with the broker's defaults if it does not exist (default true). */
    public Builder createTopic(boolean c) {
      this.createTopic = c;
      return this;
    }

    /** Extra Kafka producer settings (security, timeouts, ...). */
    public Builder producerConfig(Map<String, ?> overrides) {
      this.producerOverrides.putAll(overrides);
      return this;
    }

    public CheckpointPublisher build() {
      return new CheckpointPublisher(this);
    }
  }
}
