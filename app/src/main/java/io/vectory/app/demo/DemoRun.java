package io.vectory.app.demo;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.Metric;
import io.vectory.avro.SpaceEvent;
import io.vectory.broker.EmbeddedKafka;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.PublishProgress;
import io.vectory.ingest.PublishResult;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.store.EmbeddedSpaceStore;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.SpaceWriter;
import io.vectory.streams.ComparisonTopology;
import io.vectory.streams.PipelineConfig;
import io.vectory.streams.PipelineRunner;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code vectory demo} in one JVM: a real Kafka broker, the Vectory Streams app, the embedded store, and a real
 * training loop that publishes one checkpoint per epoch through the publisher library.
 *
 * <pre>
 *   trainer ─CheckpointPublisher─▶ space-events ─▶ Streams app (PipelineRunner: ComparisonTopology, exactly_once_v2)
 *       indexed-spaces ─▶ StoreFeeder ─SpaceWriter─▶ EmbeddedSpaceStore (Lucene HNSW on disk)
 *       comparisons, alerts ─▶ PipelineRunner's read_committed watcher ─▶ store + terminal
 * </pre>
 *
 * Everything the run keeps (indices, comparison results, alerts, the embedding cache) goes to the data folder, so
 * {@code vectory ls/query/compare} see it afterwards; the broker's log and the Streams state live in a temporary
 * folder under it that is deleted at the end.
 */
public final class DemoRun {

  public static final String DATASET = "fortunes";
  public static final String DEFAULT_EXPERIMENT = "fortunes-demo";
  public static final String SPACE = "head";
  public static final String MODEL = SentenceEncoder.MODEL + "+linear-triplet";

  /**
   * @param dataDir the store's data folder (embedding cache in {@code cache/}, scratch in {@code tmp/})
   * @param k neighbours per point in the pipeline's comparisons
   * @param timeout how long to wait for the pipeline after the last checkpoint is published
   * @param experiment the experiment to publish under; null picks the first of {@value #DEFAULT_EXPERIMENT},
   *     {@value #DEFAULT_EXPERIMENT}-2, ... that the store does not hold yet
   */
  public record Options(MetricLearningTrainer.Config training, Path dataDir, String experiment, int k, Duration timeout) {
    public Options {
      if (experiment != null && (experiment.isBlank() || experiment.contains("/") || experiment.contains("@"))) {
        throw new IllegalArgumentException("experiment must be a non-empty name without '/' or '@', got '" + experiment + "'");
      }
    }
  }

  /** What the run reports as it goes; every call comes from one of two threads, one at a time per kind. */
  public interface Listener {
    default void stage(String message) {}

    default void embeddings(SentenceEncoder.Embeddings e) {}

    default void published(MetricLearningTrainer.Checkpoint c, PublishResult r, double knnAccuracy) {}

    default void comparison(ComparisonResult r) {}

    default void alert(DriftAlert a) {}
  }

  /** Wall-clock figures of one run, in nanoseconds. */
  public record Timings(long embed, boolean embeddingsCached, long brokerStart, long streamsStart, long train, long publish,
                        long drain, long total) {}

  public record Result(String experiment, String space, List<MetricLearningTrainer.Checkpoint> checkpoints,
                       List<ComparisonResult> comparisons, List<DriftAlert> alerts, List<IndexInfo> indices, Path dataDir,
                       Timings timings) {}

  private DemoRun() {}

  public static Result run(Options o, Listener listener) throws Exception {
    long t0 = System.nanoTime();
    Path dataDir = o.dataDir().toAbsolutePath();
    DemoCorpus corpus = DemoCorpus.load();
    listener.stage("corpus: " + corpus.size() + " fortunes in " + corpus.labelNames().size() + " labels (" + DemoCorpus.RESOURCE + ")");
    SentenceEncoder.Embeddings emb = SentenceEncoder.embed(corpus, dataDir, System.err);
    long tEmbed = System.nanoTime() - t0;
    listener.embeddings(emb);

    removeAbandonedScratch(dataDir.resolve("tmp"));
    Path scratch = dataDir.resolve("tmp").resolve("demo-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
    Files.createDirectories(scratch);
    Topics topics = Topics.defaults();
    EventSerdes serdes = EventSerdes.singleObject();
    PipelineConfig pipeline = PipelineConfig.defaults(topics, serdes).withCompare(o.k(), false, 0);

    List<ComparisonResult> comparisons = Collections.synchronizedList(new ArrayList<>());
    List<DriftAlert> alerts = Collections.synchronizedList(new ArrayList<>());
    List<MetricLearningTrainer.Checkpoint> checkpoints = new ArrayList<>();
    long tBroker, tStreams, tTrain = 0, tPublish = 0, tDrain;
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(dataDir)) {
      // A run never mixes with an earlier one: the store cannot drop an experiment's comparison results.
      String experiment = chooseExperiment(store, o.experiment());
      listener.stage("experiment: " + experiment + " (space " + SPACE + ")");

      long t1 = System.nanoTime();
      try (EmbeddedKafka kafka = new EmbeddedKafka(scratch).start()) {
        tBroker = System.nanoTime() - t1;
        listener.stage(String.format("Kafka broker (KRaft, in-process) on %s, started in %.1f s", kafka.bootstrapServers(), tBroker / 1e9));

        long t2 = System.nanoTime();
        SpaceWriter writer = new SpaceWriter(store);
        List<String> deadLetters = Collections.synchronizedList(new ArrayList<>());
        PipelineRunner.Listener results = new PipelineRunner.Listener() {
          @Override
          public void onComparison(ComparisonResult r) {
            writer.comparisons(List.of(r));
            comparisons.add(r);
            listener.comparison(r);
          }

          @Override
          public void onAlert(DriftAlert a) {
            writer.alerts(List.of(a));
            alerts.add(a);
            listener.alert(a);
          }

          @Override
          public void onDeadLetter(DeadLetter d) {
            writer.deadLetters(List.of(d)); // `vectory ls` shows it with its reason
            String what = (d.getCheckpoint() == null ? d.getSourceTopic() + "@" + d.getOffset() : d.getCheckpoint()) + ": " + d.getReason();
            deadLetters.add(what);
            listener.stage("dead letter: " + what);
          }
        };
        Properties streamsProps = PipelineRunner.streamsProperties(kafka.bootstrapServers(), "vectory-demo", scratch.resolve("streams-state"));
        streamsProps.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        try (PipelineRunner runner = PipelineRunner.start(pipeline, streamsProps, 1, results, Duration.ofSeconds(60));
             StoreFeeder feeder = new StoreFeeder(kafka.bootstrapServers(), topics, serdes, writer)) {
          feeder.start();
          tStreams = System.nanoTime() - t2;
          listener.stage(String.format("Streams app (exactly_once_v2; k=%d, cosine, self excluded, exact) running after %.1f s; store %s",
              o.k(), tStreams / 1e9, store.location()));

          MetricLearningTrainer trainer = new MetricLearningTrainer(o.training(), emb.data(), emb.dim(), corpus.labelIndex(), corpus.ids(), corpus.labels());
          int[] labels = corpus.labelIndex();
          int[] all = MetricLearningTrainer.allRows(corpus.size());
          Map<String, List<String>> columns = new LinkedHashMap<>();
          columns.put("label", corpus.labels());
          columns.put("text", corpus.texts());
          MetricLearningTrainer.Config tc = o.training();
          SpaceDescription description = new SpaceDescription(DATASET, MODEL, Metric.COSINE, null,
              Map.of("encoder", SentenceEncoder.MODEL, "head", SentenceEncoder.DIM + "->" + tc.outDim() + " linear + L2 norm",
                  "loss", "batch-all triplet, margin " + tc.margin(), "optimizer", "Adam lr " + tc.learningRate(),
                  "batch", String.valueOf(tc.batchSize()), "seed", String.valueOf(tc.seed()),
                  "drift", tc.driftEpoch() == 0 ? "off" : "lr x" + tc.driftLrFactor() + " at epoch " + tc.driftEpoch()),
              "id", columns);
          long[] publishNanos = {0};
          try (CheckpointPublisher publisher = CheckpointPublisher.builder(kafka.bootstrapServers()).topics(topics).serdes(serdes)
              .transactionalId("vectory-demo-trainer").build()) {
            listener.stage(String.format("training %d epochs: %d → %d linear head, batch-all triplet loss (margin %.2f), Adam lr %s%s",
                tc.epochs(), emb.dim(), tc.outDim(), tc.margin(), tc.learningRate(),
                tc.driftEpoch() > 0 && tc.driftEpoch() <= tc.epochs()
                    ? String.format("; deliberate drift: learning rate x%s in epoch %d", tc.driftLrFactor(), tc.driftEpoch()) : ""));
            checkpoints.addAll(trainer.train(all, c -> {
              feeder.rethrow();
              double acc = KnnEval.accuracy(c.vectors(), c.dim(), labels, all, all, o.k());
              long p0 = System.nanoTime();
              PublishResult r = publisher.publish(experiment, SPACE, c.step(), c.ids(), FloatBuffer.wrap(c.vectors()), c.dim(),
                  description.withEpoch(c.step()), PublishProgress.NONE);
              publishNanos[0] += System.nanoTime() - p0;
              listener.published(c, r, acc);
            }));
          }
          for (MetricLearningTrainer.Checkpoint c : checkpoints) tTrain += c.trainNanos();
          tPublish = publishNanos[0];

          long t3 = System.nanoTime();
          int expected = 2 * (checkpoints.size() - 1);
          awaitPipeline(o, experiment, runner, feeder, comparisons, deadLetters, expected, checkpoints.size());
          tDrain = System.nanoTime() - t3;
        }
      }
      List<IndexInfo> indices = store.indices().stream().filter(i -> experiment.equals(i.experiment()) && SPACE.equals(i.space())).toList();
      List<ComparisonResult> sorted = new ArrayList<>(comparisons);
      sorted.sort(Comparator.comparingLong((ComparisonResult r) -> r.getA().getStep()).thenComparing(r -> r.getRelation().ordinal()));
      return new Result(experiment, SPACE, checkpoints, sorted, List.copyOf(alerts), indices, dataDir,
          new Timings(tEmbed, emb.fromCache(), tBroker, tStreams, tTrain, tPublish, tDrain, System.nanoTime() - t0));
    } finally {
      deleteTree(scratch);
    }
  }

  private static boolean holds(EmbeddedSpaceStore store, String experiment) {
    return store.indices().stream().anyMatch(i -> experiment.equals(i.experiment())) || !store.comparisons(experiment).isEmpty();
  }

  static String chooseExperiment(EmbeddedSpaceStore store, String requested) {
    if (requested != null) {
      if (holds(store, requested)) {
        throw new IllegalArgumentException("the store " + store.location() + " already holds experiment '" + requested
            + "'; choose another --experiment, or leave it out to get a fresh " + DEFAULT_EXPERIMENT + "-N");
      }
      return requested;
    }
    String name = DEFAULT_EXPERIMENT;
    for (int n = 2; holds(store, name); n++) name = DEFAULT_EXPERIMENT + "-" + n;
    return name;
  }

  /** Waits until every expected comparison arrived and every checkpoint is complete in the store. */
  private static void awaitPipeline(Options o, String experiment, PipelineRunner runner, StoreFeeder feeder, List<ComparisonResult> comparisons,
                                    List<String> deadLetters, int expectedComparisons, int expectedCheckpoints) throws InterruptedException {
    long deadline = System.nanoTime() + o.timeout().toNanos();
    while (true) {
      feeder.rethrow();
      long complete = feeder.completedCheckpoints();
      if (comparisons.size() >= expectedComparisons && complete >= expectedCheckpoints) return;
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(String.format(
            "after %d s the pipeline delivered %d of %d comparisons and indexed %d of %d checkpoints of %s/%s (Streams state %s); dead letters: %s",
            o.timeout().toSeconds(), comparisons.size(), expectedComparisons, complete, expectedCheckpoints, experiment, SPACE,
            runner.streams().state(), deadLetters.isEmpty() ? "none" : deadLetters));
      }
      Thread.sleep(50);
    }
  }

  /** Deletes scratch folders of earlier demo runs whose process is gone (a run stopped with Ctrl-C, say). */
  private static void removeAbandonedScratch(Path tmp) {
    if (!Files.isDirectory(tmp)) return;
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path d : dirs.toList()) {
        String[] parts = d.getFileName().toString().split("-");
        if (parts.length != 3 || !parts[0].equals("demo")) continue;
        try {
          long pid = Long.parseLong(parts[1]);
          if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
        } catch (NumberFormatException e) {
          continue;
        }
        deleteTree(d);
      }
    } catch (IOException e) {
      System.err.println("vectory demo: could not look for old scratch folders in " + tmp + ": " + e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      System.err.println("vectory demo: could not delete the scratch folder " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Reads the validated checkpoints the pipeline re-emits on {@code indexed-spaces} (read_committed, so only what
   * the exactly-once Streams app committed) and indexes them through the sink's {@link SpaceWriter}: the same writes
   * the Connect task makes into OpenSearch.
   */
  public static final class StoreFeeder implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Deserializer<SpaceEvent> events;
    private final SpaceWriter writer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long completed;
    private final Thread thread;

    public StoreFeeder(String bootstrap, Topics topics, EventSerdes serdes, SpaceWriter writer) {
      Map<String, Object> c = new java.util.HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "vectory-demo-store");
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ComparisonTopology.MAX_MESSAGE_BYTES);
      this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
      this.topic = topics.indexedSpaces.name();
      this.events = topics.indexedSpaces.valueSerde(serdes).deserializer();
      this.writer = writer;
      this.thread = new Thread(this::loop, "vectory-demo-store-feeder");
      this.thread.setDaemon(true);
    }

    public void start() {
      consumer.subscribe(List.of(topic));
      thread.start();
    }

    long completedCheckpoints() {
      return completed;
    }

    public void rethrow() {
      Throwable t = failure.get();
      if (t != null) throw new IllegalStateException("indexing a checkpoint into the store failed: " + t, t);
    }

    private void loop() {
      try {
        while (running.get()) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            SpaceEvent e = events.deserialize(r.topic(), r.value());
            writer.apply(e);
            if (e.getEvent() instanceof io.vectory.avro.CheckpointCompleted) completed++;
          }
        }
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        // closing
      } catch (Throwable t) {
        failure.set(t);
      } finally {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
      }
    }

    @Override
    public void close() {
      running.set(false);
      consumer.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
