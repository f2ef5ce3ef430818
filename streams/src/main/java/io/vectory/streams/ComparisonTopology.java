package io.vectory.streams;

import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.StoredCheckpoint;
import io.vectory.avro.StoredJob;
import io.vectory.avro.StoredKnnLists;
import io.vectory.avro.StoredPins;
import io.vectory.avro.StoredSpace;
import io.vectory.avro.WorkDone;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import io.vectory.schemas.Topics;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The Vectory pipeline as a Kafka Streams topology: space events in; indexed spaces, comparison
 * results, drift alerts and dead letters out. Every topic is keyed by experiment, so one
 * experiment's events, state and results stay on one partition and instances scale by partitions.
 *
 * <pre>
 *   space-events ─▶ checkpoints (stores: checkpoints, chunks, k-NN lists, spaces, pins) ─┬▶ indexed-spaces
 *                                                                                       ├▶ comparisons
 *                                                                                       ├▶ alerts
 *                                                                                       └▶ dead-letters
 * </pre>
 */
public final class ComparisonTopology {
  static final String SOURCE = "space-events";
  static final String WORK_SOURCE = "work-results";
  static final String WORK_SINK = "compare-work";
  static final String PROCESSOR = "checkpoints";
  static final String INDEXED_SINK = "indexed-spaces";
  static final String COMPARISONS_SINK = "comparisons";
  static final String ALERTS_SINK = "alerts";
  static final String DEAD_LETTER_SINK = "dead-letters";

  /** Per checkpoint: registration, progress, problems; pending until accepted, then retained as a reference. */
  public static final String CHECKPOINT_STORE = "vectory-checkpoints";
  /** Chunks as they arrive, keyed by checkpoint and sequence; a checkpoint's vectors live only here. */
  public static final String CHUNK_STORE = "vectory-chunks";
  /** Per space: first and previous steps, trailing Jaccard values. */
  public static final String SPACE_STORE = "vectory-spaces";
  /** Per retained checkpoint (same key as its state): its exact k-NN lists, computed once on acceptance. */
  public static final String KNN_STORE = "vectory-knn";
  /** A tiled k-NN pass's shard answers until its last shard comes, then merged into {@link #KNN_STORE}. */
  public static final String KNN_SHARD_STORE = "vectory-knn-shards";
  /** Per accepted checkpoint: where its events are, what comparisons need of its rows, its comparisons waiting for work. */
  public static final String JOB_STORE = "vectory-jobs";
  /** Per experiment: pinned reference checkpoints. */
  public static final String PIN_STORE = "vectory-pins";

  /** Config keys read by {@link DeadLetterDeserializationHandler}. */
  public static final String DEAD_LETTER_TOPIC_CONFIG = "vectory.dead.letter.topic";
  public static final String EVENT_SERDES_CONFIG = "vectory.event.serdes";
  /** The config's {@link io.vectory.streams.metrics.VectoryMetrics}, so undecodable records are counted too. */
  public static final String METRICS_CONFIG = "vectory.metrics";

  private ComparisonTopology() {}

  public static Topology buildTopology(PipelineConfig config) {
    return buildTopology(config, ComparisonEngine.EXACT);
  }

  /** The topology on another engine: a test's seam (one that fails as a real engine can), not a setting. */
  public static Topology buildTopology(PipelineConfig config, ComparisonEngine engine) {
    Topics topics = config.topics();
    EventSerdes serdes = config.serdes();
    Topology t = new Topology();
    t.addSource(SOURCE, Serdes.String().deserializer(), topics.spaceEvents.valueSerde(serdes).deserializer(), topics.spaceEvents.name());
    t.addSource(WORK_SOURCE, Serdes.String().deserializer(), topics.workResults.valueSerde(serdes).deserializer(), topics.workResults.name());
    t.addProcessor(PROCESSOR, () -> new CheckpointProcessor(config, engine), SOURCE, WORK_SOURCE);
    t.addStateStore(store(CHECKPOINT_STORE, StoredCheckpoint.class), PROCESSOR);
    t.addStateStore(store(CHUNK_STORE, EmbeddingChunk.class), PROCESSOR);
    t.addStateStore(store(SPACE_STORE, StoredSpace.class), PROCESSOR);
    t.addStateStore(store(PIN_STORE, StoredPins.class), PROCESSOR);
    t.addStateStore(store(KNN_STORE, StoredKnnLists.class), PROCESSOR);
    t.addStateStore(store(KNN_SHARD_STORE, WorkDone.class), PROCESSOR);
    t.addStateStore(store(JOB_STORE, StoredJob.class), PROCESSOR);
    t.addSink(WORK_SINK, topics.compareWork.name(), Serdes.String().serializer(), values(topics.compareWork, serdes),
        ComparisonTopology::workPartition, PROCESSOR);
    t.addSink(INDEXED_SINK, topics.indexedSpaces.name(), Serdes.String().serializer(), values(topics.indexedSpaces, serdes), PROCESSOR);
    t.addSink(COMPARISONS_SINK, topics.comparisons.name(), Serdes.String().serializer(), values(topics.comparisons, serdes), PROCESSOR);
    t.addSink(ALERTS_SINK, topics.alerts.name(), Serdes.String().serializer(), values(topics.alerts, serdes), PROCESSOR);
    t.addSink(DEAD_LETTER_SINK, topics.deadLetters.name(), Serdes.String().serializer(), values(topics.deadLetters, serdes), PROCESSOR);
    return t;
  }

  /**
   * Where a work item goes: k-NN shard s of a pass on partition (p0 + s) mod partitions, p0 from the job, so one pass's
   * shards sit on consecutive partitions, which the workers' round-robin assignment gives to different workers; the
   * other items after them. Without this, two shards hashed by key could share a worker while another idles.
   */
  static java.util.Optional<java.util.Set<Integer>> workPartition(String topic, String key, SpecificRecord value, int partitions) {
    io.vectory.avro.CompareWork w = (io.vectory.avro.CompareWork) value;
    int first = Math.floorMod(w.getJob().hashCode(), partitions);
    int offset = w.getKind() == io.vectory.avro.WorkKind.KNN ? w.getShard()
        : w.getShards() + Math.floorMod(io.vectory.schemas.CheckpointNames.of(w.getReference()).hashCode(), partitions);
    return java.util.Optional.of(java.util.Set.of(Math.floorMod(first + offset, partitions)));
  }

  /**
   * The Streams settings the topology relies on, on top of the caller's (bootstrap servers,
   * application id, state dir): exactly-once v2, dead-lettering of undecodable records, and room
   * for large chunks and for long comparisons inside one transaction.
   */
  public static Properties streamsProperties(PipelineConfig config, Properties base) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class.getName());
    p.put(DEAD_LETTER_TOPIC_CONFIG, config.topics().deadLetters.name());
    p.put(EVENT_SERDES_CONFIG, config.serdes());
    p.put(METRICS_CONFIG, config.metrics());
    p.putIfAbsent(StreamsConfig.producerPrefix("max.request.size"), String.valueOf(MAX_MESSAGE_BYTES));
    p.putIfAbsent(StreamsConfig.topicPrefix("max.message.bytes"), String.valueOf(MAX_MESSAGE_BYTES));
    // No comparison runs in a task (the compare workers do them); the longest thing inside a transaction is re-emitting
    // an accepted checkpoint for indexing: about 1 GB for 1,000,000 × 256, well inside a minute.
    p.putIfAbsent(StreamsConfig.producerPrefix("transaction.timeout.ms"), "60000");
    p.putIfAbsent(StreamsConfig.consumerPrefix("max.poll.records"), "50");
    p.putIfAbsent(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), String.valueOf(MAX_MESSAGE_BYTES));
    return p;
  }

  /** Largest record the pipeline's topics and changelogs accept (chunks of large checkpoints). */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** Every store value is an Avro record from schemas/ in single-object encoding: versioned by its schema fingerprint. */
  private static <V extends SpecificRecord> StoreBuilder<KeyValueStore<String, V>> store(String name, Class<V> type) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), StateSerde.of(name, type));
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> Serializer<SpecificRecord> values(TopicSpec<V> topic, EventSerdes serdes) {
    return (Serializer<SpecificRecord>) topic.valueSerde(serdes).serializer();
  }
}
