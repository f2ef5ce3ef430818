package io.vectory.streams;

import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.streams.metrics.VectoryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.processor.PunctuationType;

/**
 * What the comparison topology needs to know; independent of where Kafka is.
 *
 * <p>Property keys ({@link #fromProperties}): {@code compare.k}, {@code compare.include.self},
 * {@code compare.sample} (0 = exact), {@code compare.seed}, {@code compare.sample.above} (rows above which a checkpoint is
 * compared by {@code compare.sample.large} sampled queries, with a CI; 0 = never), {@code compare.shard.rows} (queries
 * per k-NN shard; 0 = one shard), {@code label.column},
 * {@code checkpoint.timeout.ms}, {@code checkpoint.timeout.clock} (wall|stream), and the drift rules
 * {@code drift.floor}, {@code drift.drop}, {@code drift.window}, {@code drift.min.history}, each
 * overridable per experiment as {@code drift.floor.<experiment>} etc.
 *
 * @param checkpointTimeout a checkpoint with no event for this long and no completion goes to dead letters
 * @param timeoutClock whether the timeout runs on wall-clock time or on stream time (record timestamps)
 * @param metrics where the app counts comparisons, compare time, latest Jaccard and dead letters (Micrometer); a
 *     registry nobody reads by default, see {@link #withMeterRegistry}. Not a setting: it only observes.
 */
public record PipelineConfig(
    Topics topics,
    EventSerdes serdes,
    int k,
    boolean includeSelf,
    int sample,
    long seed,
    int sampleAbove,
    int sampleLarge,
    int shardRows,
    String labelColumn,
    Duration checkpointTimeout,
    PunctuationType timeoutClock,
    DriftThresholds driftDefaults,
    Map<String, DriftThresholds> driftByExperiment,
    VectoryMetrics metrics) {

  public PipelineConfig {
    if (k < 1) throw new IllegalArgumentException("compare.k must be at least 1, got " + k);
    if (sample < 0) throw new IllegalArgumentException("compare.sample must be >= 0 (0 = all points), got " + sample);
    if (sampleAbove < 0) throw new IllegalArgumentException("compare.sample.above must be >= 0 (0 = never sample by size), got " + sampleAbove);
    if (sampleLarge < 1) throw new IllegalArgumentException("compare.sample.large must be at least 1, got " + sampleLarge);
    if (shardRows < 0) throw new IllegalArgumentException("compare.shard.rows must be >= 0 (0 = one shard per checkpoint), got " + shardRows);
    if (checkpointTimeout.isNegative() || checkpointTimeout.isZero()) {
      throw new IllegalArgumentException("checkpoint.timeout.ms must be positive, got " + checkpointTimeout.toMillis());
    }
    driftByExperiment = Map.copyOf(driftByExperiment);
    if (metrics == null) metrics = VectoryMetrics.noop();
  }

  /**
   * k 10, self not counted, exact up to {@value #SAMPLE_ABOVE} rows and {@value #SAMPLE_LARGE} sampled queries above, one
   * k-NN shard per checkpoint, label column 'label', 10 minutes wall-clock timeout, default drift rules.
   */
  public static PipelineConfig defaults(Topics topics, EventSerdes serdes) {
    return new PipelineConfig(topics, serdes, 10, false, 0, 42L, SAMPLE_ABOVE, SAMPLE_LARGE, 0, "label", Duration.ofMinutes(10),
        PunctuationType.WALL_CLOCK_TIME, DriftPolicy.defaults(), Map.of(), VectoryMetrics.noop());
  }

  public DriftThresholds drift(String experiment) {
    return driftByExperiment.getOrDefault(experiment, driftDefaults);
  }

  /** Default {@code compare.sample.above}: an exact self-join of more rows takes minutes even at the hardware's limit. */
  public static final int SAMPLE_ABOVE = 250_000;
  /** Default {@code compare.sample.large}: a 95% CI half-width of about 0.005–0.01 on typical spaces. */
  public static final int SAMPLE_LARGE = 10_000;

  /** The sampled queries a checkpoint of {@code rows} rows is compared with: 0 for exact. */
  public int sampleFor(int rows) {
    if (sample > 0) return sample;
    return sampleAbove > 0 && rows > sampleAbove ? sampleLarge : 0;
  }

  public PipelineConfig withShardRows(int rows) {
    return new PipelineConfig(topics, serdes, k, includeSelf, sample, seed, sampleAbove, sampleLarge, rows, labelColumn, checkpointTimeout, timeoutClock,
        driftDefaults, driftByExperiment, metrics);
  }

  public PipelineConfig withSampling(int above, int large) {
    return new PipelineConfig(topics, serdes, k, includeSelf, sample, seed, above, large, shardRows, labelColumn, checkpointTimeout, timeoutClock,
        driftDefaults, driftByExperiment, metrics);
  }

  public PipelineConfig withCheckpointTimeout(Duration timeout, PunctuationType clock) {
    return new PipelineConfig(topics, serdes, k, includeSelf, sample, seed, sampleAbove, sampleLarge, shardRows, labelColumn, timeout, clock, driftDefaults, driftByExperiment, metrics);
  }

  public PipelineConfig withDrift(DriftThresholds defaults, Map<String, DriftThresholds> byExperiment) {
    return new PipelineConfig(topics, serdes, k, includeSelf, sample, seed, sampleAbove, sampleLarge, shardRows, labelColumn, checkpointTimeout, timeoutClock, defaults, byExperiment, metrics);
  }

  public PipelineConfig withCompare(int k, boolean includeSelf, int sample) {
    return new PipelineConfig(topics, serdes, k, includeSelf, sample, seed, sampleAbove, sampleLarge, shardRows, labelColumn, checkpointTimeout, timeoutClock, driftDefaults, driftByExperiment, metrics);
  }

  /**
   * The same settings, reporting the app's metrics to {@code registry} (e.g. a {@code PrometheusMeterRegistry} that
   * {@link io.vectory.streams.metrics.MetricsServer} serves). The topology stays a pure function of the config: the
   * processors only write to the registry.
   */
  public PipelineConfig withMeterRegistry(MeterRegistry registry) {
    return new PipelineConfig(topics, serdes, k, includeSelf, sample, seed, sampleAbove, sampleLarge, shardRows, labelColumn, checkpointTimeout, timeoutClock, driftDefaults,
        driftByExperiment, new VectoryMetrics(registry));
  }

  /** Reads the keys listed above; absent keys keep the defaults. A bad value names its key. */
  public static PipelineConfig fromProperties(Properties p, Topics topics, EventSerdes serdes) {
    PipelineConfig d = defaults(topics, serdes);
    int k = intProp(p, "compare.k", d.k);
    boolean self = Boolean.parseBoolean(p.getProperty("compare.include.self", String.valueOf(d.includeSelf)));
    int sample = intProp(p, "compare.sample", d.sample);
    long seed = longProp(p, "compare.seed", d.seed);
    int above = intProp(p, "compare.sample.above", d.sampleAbove);
    int large = intProp(p, "compare.sample.large", d.sampleLarge);
    int shardRows = intProp(p, "compare.shard.rows", d.shardRows);
    String label = p.getProperty("label.column", d.labelColumn);
    Duration timeout = Duration.ofMillis(longProp(p, "checkpoint.timeout.ms", d.checkpointTimeout.toMillis()));
    String clock = p.getProperty("checkpoint.timeout.clock", "wall").trim().toLowerCase();
    PunctuationType type = switch (clock) {
      case "wall", "wall-clock", "wall_clock_time" -> PunctuationType.WALL_CLOCK_TIME;
      case "stream", "stream-time", "stream_time" -> PunctuationType.STREAM_TIME;
      default -> throw new IllegalArgumentException("checkpoint.timeout.clock: expected wall or stream, got '" + clock + "'");
    };
    DriftThresholds dd = d.driftDefaults;
    DriftThresholds drift = new DriftThresholds(
        doubleProp(p, "drift.floor", dd.floor()), doubleProp(p, "drift.drop", dd.drop()),
        intProp(p, "drift.window", dd.window()), intProp(p, "drift.min.history", dd.minHistory()));
    Map<String, DriftThresholds> per = new HashMap<>();
    for (String name : p.stringPropertyNames()) {
      for (String rule : new String[] {"drift.floor.", "drift.drop.", "drift.window.", "drift.min.history."}) {
        // drift.min.history.<e> also starts with none of the others, so the match is unambiguous.
        if (name.startsWith(rule) && name.length() > rule.length()) {
          String exp = name.substring(rule.length());
          per.put(exp, null);
        }
      }
    }
    for (String exp : per.keySet()) {
      per.put(exp, new DriftThresholds(
          doubleProp(p, "drift.floor." + exp, drift.floor()), doubleProp(p, "drift.drop." + exp, drift.drop()),
          intProp(p, "drift.window." + exp, drift.window()), intProp(p, "drift.min.history." + exp, drift.minHistory())));
    }
    return new PipelineConfig(topics, serdes, k, self, sample, seed, above, large, shardRows, label, timeout, type, drift, per, VectoryMetrics.noop());
  }

  private static int intProp(Properties p, String key, int dflt) {
    String v = p.getProperty(key);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": expected an integer, got '" + v + "'");
    }
  }

  private static long longProp(Properties p, String key, long dflt) {
    String v = p.getProperty(key);
    if (v == null) return dflt;
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": expected an integer, got '" + v + "'");
    }
  }

  private static double doubleProp(Properties p, String key, double dflt) {
    String v = p.getProperty(key);
    if (v == null) return dflt;
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": expected a number, got '" + v + "'");
    }
  }
}
