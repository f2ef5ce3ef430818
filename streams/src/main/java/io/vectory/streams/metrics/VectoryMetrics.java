package io.vectory.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Streams app's own metrics, by the names dashboards/prometheus/vectory-rules.yml alerts on. Micrometer's
 * Prometheus registry renders them as:
 *
 * <ul>
 *   <li>{@code vectory_comparisons_total{experiment,relation}} — counter, one per comparison result emitted;
 *   <li>{@code vectory_compare_seconds_count/_sum/_bucket{le}} — timer of one checkpoint-vs-checkpoint compare
 *       (the engine's time; one compare can yield several results, e.g. previous = first), fixed buckets 0.1–600 s;
 *   <li>{@code vectory_jaccard_latest{experiment,space,relation}} — gauge, mean k-NN Jaccard of the latest
 *       comparison (relation lowercase: previous, first, pinned, adhoc);
 *   <li>{@code vectory_dead_letters_total{reason}} — counter, records sent to the dead-letter topic; the reason is a
 *       short category (the field that failed: checksum, chunks, sequence, rows, timeout, decode, ...), not the
 *       full message, so the label set stays small.
 * </ul>
 *
 * Consumer lag is Kafka's own {@code kafka_consumer_fetch_manager_records_lag_max}: {@code PipelineRunner} binds
 * Micrometer's {@code KafkaStreamsMetrics} to the same registry.
 *
 * <p>One instance per registry: the gauges read state held here, so every processor of the app shares it.
 */
public final class VectoryMetrics {
  public static final String COMPARISONS = "vectory.comparisons";
  public static final String COMPARE_TIME = "vectory.compare";
  public static final String JACCARD_LATEST = "vectory.jaccard.latest";
  public static final String DEAD_LETTERS = "vectory.dead.letters";

  /** Bucket bounds of the compare timer: a 10,000 × 512 compare takes seconds, a huge one minutes. */
  private static final Duration[] COMPARE_BUCKETS = {
    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
    Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(600)
  };

  private final MeterRegistry registry;
  private final Timer compareTime;
  // Gauges hold their value through a weak reference to the state object: keep the state here, strongly.
  private final Map<Tags, AtomicLong> latestJaccardBits = new ConcurrentHashMap<>();

  public VectoryMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.compareTime = Timer.builder(COMPARE_TIME)
        .description("Time to compare two checkpoints (exact k-NN Jaccard and CKA)")
        .serviceLevelObjectives(COMPARE_BUCKETS)
        .register(registry);
  }

  /** Metrics that go nowhere (a composite registry with no children): the default when nobody scrapes. */
  public static VectoryMetrics noop() {
    return new VectoryMetrics(new CompositeMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Records one comparison result: counts it and sets the latest Jaccard of its experiment, space and relation. */
  public void comparison(String experiment, String space, String relation, double meanJaccard) {
    String rel = relation.toLowerCase(Locale.ROOT);
    Counter.builder(COMPARISONS).description("Comparison results emitted")
        .tags("experiment", experiment, "relation", rel).register(registry).increment();
    Tags tags = Tags.of("experiment", experiment, "space", space, "relation", rel);
    latestJaccardBits.computeIfAbsent(tags, t -> {
      AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
      Gauge.builder(JACCARD_LATEST, bits, b -> Double.longBitsToDouble(b.get()))
          .description("Mean k-NN Jaccard of the latest comparison").tags(t).register(registry);
      return bits;
    }).set(Double.doubleToRawLongBits(meanJaccard));
  }

  /** Records the time of one compare (once per pair compared, however many results it yields). */
  public void compared(Duration computeTime) {
    compareTime.record(computeTime);
  }

  /** Counts one record sent to the dead-letter topic. */
  public void deadLetter(String reason) {
    Counter.builder(DEAD_LETTERS).description("Records sent to the dead-letter topic")
        .tag("reason", reason).register(registry).increment();
  }

  /**
   * The {@code reason} label of a rejected checkpoint: the field its first problem names before the ':'
   * ({@code "checksum: CRC-32C of ..."} → {@code checksum}); {@code other} if there is none.
   */
  public static String problemCategory(String problem) {
    int colon = problem == null ? -1 : problem.indexOf(':');
    if (colon <= 0) return "other";
    String field = problem.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    return field.matches("[a-z][a-z0-9_]{0,31}") ? field : "other";
  }
}
