package io.vectory.streams;

/**
 * Drift rules for one experiment, applied to the mean Jaccard with the previous checkpoint. The defaults are
 * {@link DriftPolicy#defaults()}.
 *
 * @param floor alert when the Jaccard with the previous checkpoint is below this (0 disables)
 * @param drop alert when it is more than this below the trailing mean of earlier comparisons
 * @param window how many earlier comparisons with the previous checkpoint the trailing mean covers
 * @param minHistory how many earlier comparisons there must be before the trailing rule applies
 */
public record DriftThresholds(double floor, double drop, int window, int minHistory) {

  public DriftThresholds {
    if (!(floor >= 0 && floor <= 1)) throw new IllegalArgumentException("drift.floor must be in [0,1], got " + floor);
    if (!(drop > 0 && drop <= 1)) throw new IllegalArgumentException("drift.drop must be in (0,1], got " + drop);
    if (window < 1) throw new IllegalArgumentException("drift.window must be at least 1, got " + window);
    if (minHistory < 1 || minHistory > window) {
      throw new IllegalArgumentException("drift.min.history must be in [1, drift.window=" + window + "], got " + minHistory);
    }
  }
}
