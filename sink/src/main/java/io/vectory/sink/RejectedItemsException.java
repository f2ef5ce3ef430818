package io.vectory.sink;

import java.util.Map;

/** Some items of a batch were refused for good (bad content); the others were written. */
public final class RejectedItemsException extends IllegalArgumentException {

  private final Map<Integer, String> reasons;

  public RejectedItemsException(String what, Map<Integer, String> reasons) {
    super(reasons.size() + " " + what + " rejected, e.g. " + reasons.values().iterator().next());
    this.reasons = Map.copyOf(reasons);
  }

  /** Position in the batch → why it was refused. */
  public Map<Integer, String> reasons() {
    return reasons;
  }
}
