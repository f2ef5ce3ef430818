package io.vectory.streams;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.schemas.TopicSpec;
import io.vectory.schemas.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pipeline in this JVM: creates the topics if missing, starts Kafka Streams on
 * {@link ComparisonTopology}, and hands every committed comparison, alert and dead letter produced
 * from now on to a {@link Listener} (read back with a read_committed consumer, so a listener never
 * sees a result that a crash would roll back). Used by {@code vectory pipeline} (the one way to start the
 * Streams app as a process) and {@code vectory demo}.
 */
public final class PipelineRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipelineRunner.class);

  /** Called on the runner's watcher thread, in topic-partition order. */
  public interface Listener {
    default void onComparison(ComparisonResult result) {}

    default void onAlert(DriftAlert alert) {}

    default void onDeadLetter(DeadLetter deadLetter) {}

    /** One line per event, handed to {@code out} one at a time: stable and greppable, the numbers say what they are. */
    static Listener lines(java.util.function.Consumer<String> out) {
      return new Listener() {
        @Override
        public void onComparison(ComparisonResult r) {
          out.accept(String.format(java.util.Locale.ROOT, "comparison %s %s %s@%d vs %s@%d k=%d %s mean_jaccard=%.6f cka=%s n=%d compute_ms=%d",
              r.getA().getExperiment(), r.getRelation(), r.getA().getSpace(), r.getA().getStep(), r.getB().getSpace(), r.getB().getStep(),
              r.getK(), r.getIncludeSelf() ? "self-included" : "self-excluded", r.getMeanJaccard(),
              r.getCka() == null ? "null" : String.format(java.util.Locale.ROOT, "%.6f", r.getCka()), r.getN(), r.getComputeMillis()));
        }

        @Override
        public void onAlert(DriftAlert a) {
          out.accept("alert " + a.getA().getExperiment() + " " + a.getRule() + " " + a.getMessage());
        }

        @Override
        public void onDeadLetter(DeadLetter d) {
          out.accept("dead-letter " + d.getKey() + " " + d.getReason());
        }
      };
    }
  }

  private final PipelineConfig config;
  private final KafkaStreams streams;
  private final KafkaConsumer<String, byte[]> watcher;
  private final Thread watcherThread;
  private final List<ComparisonResult> comparisons = new ArrayList<>();
  private final List<DriftAlert> alerts = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private volatile boolean closing;
  private volatile RuntimeException failure;
  private KafkaStreamsMetrics kafkaMetrics;
  private final List<CompareWorker> workers = new ArrayList<>();

  private PipelineRunner(PipelineConfig config, Properties streamsProps, Listener listener, ComparisonEngine engine) {
    this.config = config;
    Topics t = config.topics();
    this.watcher = new KafkaConsumer<>(committedReaderProps(streamsProps, "-watcher"), new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> parts = new ArrayList<>();
      for (TopicSpec<?> spec : List.of(t.comparisons, t.alerts, t.deadLetters)) {
        // A topic created a moment ago may not be in the metadata yet.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<org.apache.kafka.common.PartitionInfo> infos;
        while ((infos = watcher.partitionsFor(spec.name(), Duration.ofSeconds(10))).isEmpty() && System.nanoTime() < deadline) {
          sleep(100);
        }
        if (infos.isEmpty()) throw new IllegalStateException("topic " + spec.name() + " has no partitions after 30 s");
        infos.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
      }
      watcher.assign(parts);
      watcher.seekToEnd(parts);
      parts.forEach(watcher::position); // fix the start now, before the app can produce anything
      Deserializer<ComparisonResult> cd = t.comparisons.valueSerde(config.serdes()).deserializer();
      Deserializer<DriftAlert> ad = t.alerts.valueSerde(config.serdes()).deserializer();
      Deserializer<DeadLetter> dd = t.deadLetters.valueSerde(config.serdes()).deserializer();
      this.watcherThread = new Thread(() -> watch(listener, cd, ad, dd), "vectory-pipeline-watcher");
      this.watcherThread.setDaemon(true);
      this.streams = new KafkaStreams(ComparisonTopology.buildTopology(config, engine), streamsProps);
    } catch (RuntimeException e) {
      watcher.close(Duration.ofSeconds(5)); // the watcher thread that would close it never starts
      throw e;
    }
  }

  /**
   * Starts the pipeline and waits until Kafka Streams is RUNNING.
   *
   * @param streamsProps bootstrap servers, application id, state dir and any other Streams settings
   *     (see {@link #streamsProperties}); the topology's own settings are added
   */
  public static PipelineRunner start(PipelineConfig config, Properties streamsProps, int partitions, Listener listener, Duration startTimeout)
      throws InterruptedException, TimeoutException {
    return start(config, streamsProps, partitions, listener, startTimeout, ComparisonEngine.EXACT);
  }

  /** As {@link #start(PipelineConfig, Properties, int, Listener, Duration)} on another engine (a test's seam). */
  public static PipelineRunner start(PipelineConfig config, Properties streamsProps, int partitions, Listener listener, Duration startTimeout,
      ComparisonEngine engine) throws InterruptedException, TimeoutException {
    requireWritableStateDir(streamsProps);
    Properties props = ComparisonTopology.streamsProperties(config, streamsProps);
    createTopics(props, config.topics(), partitions);
    preflight(config, props);
    PipelineRunner r = new PipelineRunner(config, props, listener == null ? new Listener() {} : listener, engine);
    r.watcherThread.start();
    r.streams.setUncaughtExceptionHandler(e -> {
      io.vectory.schemas.RegistryUnreachableException down = io.vectory.schemas.RegistryUnreachableException.in(e);
      if (down != null) {
        // Not the record's fault and it may pass: the replaced thread reads the same record again from the last commit
        // (exactly-once: nothing skipped, nothing written twice). Wait here first, so it does not spin.
        log.warn("{}: processing paused, nothing committed past the record that needs it; resuming once it answers", down.getMessage());
        r.awaitRegistryQuietly(REGISTRY_PAUSE);
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      io.vectory.schemas.SerdeMisconfiguredException m = io.vectory.schemas.SerdeMisconfiguredException.in(e);
      if (m != null) {
        // A replaced thread would fail on the same record: stop this instance, with the reason, offsets uncommitted.
        r.failure = m;
        log.error("stopping: {}", m.getMessage());
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      }
      log.error("stream thread failed; replacing it", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    r.streams.start();
    r.startWorkers(props, engine);
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (r.streams.state() != KafkaStreams.State.RUNNING) {
      if (r.streams.state() == KafkaStreams.State.ERROR || r.streams.state() == KafkaStreams.State.NOT_RUNNING) {
        KafkaStreams.State s = r.streams.state();
        r.close();
        throw new IllegalStateException(r.failure != null ? r.failure.getMessage() + "; stopped without committing past it"
            : "Kafka Streams stopped while starting: " + s);
      }
      if (System.nanoTime() > deadline) {
        KafkaStreams.State s = r.streams.state();
        r.close();
        throw new TimeoutException("Kafka Streams not RUNNING after " + startTimeout.toSeconds() + " s (state " + s + ")");
      }
      Thread.sleep(50);
    }
    // Bound once RUNNING, so the stream threads' consumers (and their records-lag-max) exist already;
    // Micrometer picks up clients and partitions that appear later on its one-minute refresh.
    r.kafkaMetrics = new KafkaStreamsMetrics(r.streams);
    r.kafkaMetrics.bindTo(config.metrics().registry());
    return r;
  }

  /**
   * Compare workers this instance runs beside its stream threads: one, since a k-NN pass already uses every core; more
   * instances (processes, machines) add workers to the same group.
   */
  static final int COMPARE_WORKERS = 1;

  private void startWorkers(Properties props, ComparisonEngine engine) {
    String app = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    Properties conn = connection(props);
    conn.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(ComparisonTopology.MAX_MESSAGE_BYTES));
    for (int i = 0; i < COMPARE_WORKERS; i++) {
      // Unique per process: the group's metadata fences a zombie's transaction, not the id.
      String name = app + "-compare-" + java.util.UUID.randomUUID().toString().substring(0, 8);
      CompareWorker w = new CompareWorker(config, conn, committedReaderProps(props, "-" + name.substring(app.length() + 1) + "-reader"), app + "-compare", name, engine);
      w.start();
      workers.add(w);
    }
  }

  /** The basic client settings: where Kafka is, who we are, where state lives. */
  public static Properties streamsProperties(String bootstrapServers, String applicationId, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return p;
  }

  /** How long a stream thread that met an unreachable registry waits for it before its replacement reads again. */
  static final Duration REGISTRY_PAUSE = Duration.ofSeconds(30);

  /**
   * Refuses a state directory that cannot be created or written, before anything is consumed: Kafka Streams would
   * otherwise fail later (or mid-run, on the first flush) with a stack trace.
   */
  public static void requireWritableStateDir(Properties streamsProps) {
    Path dir = Path.of(streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.configDef().defaultValues().get(StreamsConfig.STATE_DIR_CONFIG).toString()));
    try {
      java.nio.file.Files.createDirectories(dir);
      Path probe = java.nio.file.Files.createTempFile(dir, ".vectory-write-check", ".tmp");
      java.nio.file.Files.write(probe, new byte[4096]); // a full disk fails here, not only a read-only folder
      java.nio.file.Files.delete(probe);
    } catch (java.io.IOException | SecurityException e) {
      throw new IllegalStateException("state directory " + dir.toAbsolutePath() + " cannot be written (" + e
          + "); choose another with --state-dir or free it; nothing consumed", e);
    }
  }

  /**
   * Waits up to {@code wait} for the schema registry (when {@code serdes} use one) to answer, saying once on
   * {@code say} that it waits and for which URL. Returns once it answers; throws IllegalStateException naming the
   * URL when it still does not after {@code wait}.
   */
  public static void awaitRegistry(io.vectory.schemas.EventSerdes serdes, Duration wait, java.util.function.Consumer<String> say)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean said = false;
    while (true) {
      try {
        serdes.check();
        if (said) say.accept("schema registry answers; starting");
        return;
      } catch (io.vectory.schemas.RegistryUnreachableException e) {
        if (System.nanoTime() >= deadline) {
          throw new IllegalStateException("schema registry at " + e.url() + " still unreachable after " + wait.toSeconds()
              + " s (--registry-wait); nothing consumed", e);
        }
        if (!said) {
          say.accept("schema registry at " + e.url() + " is unreachable; waiting up to " + wait.toSeconds() + " s for it (--registry-wait)");
          said = true;
        }
        Thread.sleep(1000);
      } catch (org.apache.kafka.common.errors.SerializationException e) {
        throw new IllegalStateException(e.getMessage() + "; nothing consumed", e); // it answers, with an error (e.g. 401)
      }
    }
  }

  private void awaitRegistryQuietly(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!closing && System.nanoTime() < deadline) {
      try {
        config.serdes().check();
        log.info("schema registry answers again; resuming");
        return;
      } catch (RuntimeException e) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Creates the pipeline's topics that do not exist yet (replication: the broker's default). */
  public static void createTopics(Properties clientProps, Topics topics, int partitions) {
    try (Admin admin = Admin.create(adminProps(clientProps))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = topics.all().stream().filter(s -> !existing.contains(s.name()))
          .map(s -> new NewTopic(s.name(), Optional.of(partitions), Optional.empty()).configs(s == topics.spaceEvents
              // The compare workers read accepted checkpoints back from it for as long as they are references (a run's
              // first checkpoint, pinned ones): time-based retention would delete a reference under a long run.
              ? Map.of("max.message.bytes", String.valueOf(ComparisonTopology.MAX_MESSAGE_BYTES), "retention.ms", "-1")
              : Map.of("max.message.bytes", String.valueOf(ComparisonTopology.MAX_MESSAGE_BYTES))))
          .collect(Collectors.toList());
      if (missing.isEmpty()) return;
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
      log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the pipeline's topics on " + clientProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Why the app stopped by itself (its settings cannot read the input: no registry for registry-framed records, a
   * registry that cannot be reached), or null while it runs. Nothing past the record it could not read was committed.
   */
  public RuntimeException failure() {
    return failure;
  }

  /**
   * Fails fast, before Kafka Streams consumes anything: the registry must answer, and the records this application
   * would read next (from its committed offsets, else from the start) must be readable with its serdes. A record
   * that is merely bad is left to the pipeline, which dead-letters it; a record that shows the settings are wrong
   * (Confluent wire format without a registry, a registry that cannot be reached) stops the start, naming it.
   */
  static void preflight(PipelineConfig config, Properties streamsProps) {
    try {
      config.serdes().check();
    } catch (org.apache.kafka.common.errors.SerializationException e) {
      throw new IllegalStateException(e.getMessage() + "; nothing consumed", e);
    }
    String topic = config.topics().spaceEvents.name();
    String group = streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed;
    try (Admin admin = Admin.create(adminProps(streamsProps))) {
      committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the committed offsets of " + group + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    Properties cp = committedReaderProps(streamsProps, "-preflight");
    Deserializer<?> de = config.topics().spaceEvents.valueSerde(config.serdes()).deserializer();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      Map<TopicPartition, Long> left = new java.util.HashMap<>();
      for (TopicPartition tp : parts) {
        var o = committed.get(tp);
        if (o != null) c.seek(tp, o.offset()); else c.seekToBeginning(List.of(tp));
        long from = c.position(tp, Duration.ofSeconds(30));
        if (from < end.get(tp)) left.put(tp, (long) PREFLIGHT_RECORDS);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          Long n = left.get(tp);
          if (n == null) continue;
          try {
            de.deserialize(r.topic(), r.value());
          } catch (RuntimeException e) {
            io.vectory.schemas.SerdeMisconfiguredException m = io.vectory.schemas.SerdeMisconfiguredException.in(e);
            if (m != null) {
              throw new IllegalStateException("the next record of " + r.topic() + "/" + r.partition() + "@" + r.offset() + " cannot be read with this"
                  + " instance's settings: " + m.getMessage() + "; nothing consumed (application " + group + " committed no offset past it)", m);
            }
            // a bad record: the pipeline dead-letters it with its reason
          }
          if (n <= 1 || r.offset() + 1 >= end.get(tp)) left.remove(tp); else left.put(tp, n - 1);
        }
      }
    }
  }

  /** Records per partition {@link #preflight} reads from where the application would resume. */
  static final int PREFLIGHT_RECORDS = 20;

  public KafkaStreams streams() {
    return streams;
  }

  public PipelineConfig config() {
    return config;
  }

  /** Committed comparison results seen since start. */
  public synchronized List<ComparisonResult> comparisons() {
    return List.copyOf(comparisons);
  }

  public synchronized List<DriftAlert> alerts() {
    return List.copyOf(alerts);
  }

  public synchronized List<DeadLetter> deadLetters() {
    return List.copyOf(deadLetters);
  }

  /** Waits until at least {@code count} comparison results have arrived since start; false on timeout. */
  public synchronized boolean awaitComparisons(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (comparisons.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  private void watch(Listener listener, Deserializer<ComparisonResult> cd, Deserializer<DriftAlert> ad, Deserializer<DeadLetter> dd) {
    Topics t = config.topics();
    try {
      while (!closing) {
        for (ConsumerRecord<String, byte[]> r : watcher.poll(Duration.ofMillis(200))) {
          try {
            if (r.topic().equals(t.comparisons.name())) {
              ComparisonResult c = decode(cd, r);
              synchronized (this) { comparisons.add(c); notifyAll(); }
              listener.onComparison(c);
            } else if (r.topic().equals(t.alerts.name())) {
              DriftAlert a = decode(ad, r);
              synchronized (this) { alerts.add(a); }
              listener.onAlert(a);
            } else {
              DeadLetter d = decode(dd, r);
              synchronized (this) { deadLetters.add(d); }
              listener.onDeadLetter(d);
            }
          } catch (RuntimeException e) {
            log.warn("cannot read {}-{}@{}", r.topic(), r.partition(), r.offset(), e);
          }
        }
      }
    } catch (WakeupException e) {
      if (!closing) throw e;
    } finally {
      watcher.close(Duration.ofSeconds(5));
    }
  }

  /** A committed record is fine; only its schema may be out of reach for a while: ask again until the registry answers. */
  private <V> V decode(Deserializer<V> de, ConsumerRecord<String, byte[]> r) {
    boolean said = false;
    while (true) {
      try {
        return de.deserialize(r.topic(), r.value());
      } catch (io.vectory.schemas.RegistryUnreachableException e) {
        if (closing) throw e;
        if (!said) log.warn("cannot read {}-{}@{} yet: {}; retrying every second", r.topic(), r.partition(), r.offset(), e.getMessage());
        said = true;
        sleep(1000);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * The broker address and security settings ({@code security.*}, {@code sasl.*}, {@code ssl.*}) of the app's own
   * clients, for the clients this class runs beside it (topic creation, the pre-start check, the output watcher).
   */
  private static Properties connection(Properties streamsProps) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, streamsProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    for (String k : streamsProps.stringPropertyNames()) {
      if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) p.put(k, streamsProps.getProperty(k));
    }
    return p;
  }

  private static Properties adminProps(Properties streamsProps) {
    Properties p = connection(streamsProps);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return p;
  }

  /** A consumer of committed records only, committing nothing, named after the application plus {@code clientIdSuffix}. */
  private static Properties committedReaderProps(Properties streamsProps, String clientIdSuffix) {
    Properties p = connection(streamsProps);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(ComparisonTopology.MAX_MESSAGE_BYTES));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + clientIdSuffix);
    return p;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  public void close(Duration timeout) {
    if (kafkaMetrics != null) kafkaMetrics.close();
    for (CompareWorker w : workers) w.close();
    streams.close(timeout);
    closing = true;
    watcher.wakeup();
    try {
      watcherThread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
