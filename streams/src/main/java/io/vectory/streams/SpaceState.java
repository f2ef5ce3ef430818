package io.vectory.streams;

import io.vectory.avro.StoredSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per experiment and space: the steps of the first and the previous accepted checkpoints, and the
 * last Jaccard values with the previous checkpoint (oldest first) for the trailing-mean drift rule.
 * Stored as {@link StoredSpace}.
 */
record SpaceState(long firstStep, long previousStep, double[] trailing) {

  SpaceState next(long step, double previousJaccard, boolean hasJaccard, int window) {
    double[] t = trailing;
    if (hasJaccard) {
      t = Arrays.copyOf(trailing, trailing.length + 1);
      t[t.length - 1] = previousJaccard;
      if (t.length > window) t = Arrays.copyOfRange(t, t.length - window, t.length);
    }
    return new SpaceState(firstStep, step, t);
  }

  /** The same steps, with a Jaccard with the previous checkpoint appended to the trailing window. */
  SpaceState withJaccard(double previousJaccard, int window) {
    return new SpaceState(firstStep, previousStep, trailing).next(previousStep, previousJaccard, true, window);
  }

  double trailingMean() {
    double s = 0;
    for (double v : trailing) s += v;
    return s / trailing.length;
  }

  StoredSpace stored() {
    List<Double> t = new ArrayList<>(trailing.length);
    for (double v : trailing) t.add(v);
    return new StoredSpace(firstStep, previousStep, t);
  }

  static SpaceState of(StoredSpace s) {
    double[] t = new double[s.getTrailing().size()];
    for (int i = 0; i < t.length; i++) t[i] = s.getTrailing().get(i);
    return new SpaceState(s.getFirstStep(), s.getPreviousStep(), t);
  }
}
