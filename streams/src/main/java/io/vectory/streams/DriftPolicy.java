package io.vectory.streams;

/**
 * The one home of Vectory's default drift rules. The Streams app applies them to the mean k-NN Jaccard of each
 * checkpoint with the previous one; the Grafana alert rules (dashboards/provisioning/alerting/vectory-drift.yaml)
 * and the Prometheus rules (dashboards/prometheus/vectory-rules.yml) repeat the two thresholds, and a dashboards
 * test fails when they differ from these.
 *
 * <p>Chosen from real runs of {@code vectory demo} (1,307 texts, 384 → 64 head, k = 10, cosine, self excluded):
 * healthy epochs keep 0.461 (the first comparison, the lowest) to 0.80 with the previous checkpoint, and none falls
 * more than 0.015 below its trailing mean; the 10× learning-rate epoch falls to 0.193 against a trailing mean of
 * 0.561, a drop of 0.368 (0.216 and 0.324 when the disturbance is in epoch 5, as in DemoTest). So:
 * <ul>
 *   <li>floor 0.1: well under every healthy value, so it stays quiet on ordinary training; it is the last resort
 *       for a collapse (a shuffled or re-initialised space keeps about k/n, near 0), not for a bad epoch;</li>
 *   <li>drop 0.25 below the mean of the last 5 comparisons, once there are 2: the demo's disturbance exceeds it
 *       by 0.07 or more, its healthy steps stay 0.23 short of it.</li>
 * </ul>
 * Per experiment, {@code drift.floor.<experiment>} etc. override these ({@link PipelineConfig#fromProperties}).
 */
public final class DriftPolicy {
  /** Alert when the Jaccard with the previous checkpoint is below this. */
  public static final double FLOOR = 0.1;
  /** Alert when it is more than this below the trailing mean. */
  public static final double DROP = 0.25;
  /** Earlier comparisons the trailing mean covers. */
  public static final int WINDOW = 5;
  /** Earlier comparisons needed before the drop rule applies. */
  public static final int MIN_HISTORY = 2;

  private DriftPolicy() {}

  /** The defaults as the thresholds of an experiment with no overrides. */
  public static DriftThresholds defaults() {
    return new DriftThresholds(FLOOR, DROP, WINDOW, MIN_HISTORY);
  }
}
