package io.vectory.schemas;

import io.vectory.avro.CheckpointKey;

/**
 * The string form of a checkpoint, {@code experiment/space@step}: the one spelling used in messages,
 * dead letters, store keys for display, and the hash behind index names.
 */
public final class CheckpointNames {
  private CheckpointNames() {}

  public static String of(String experiment, String space, long step) {
    return experiment + "/" + space + "@" + step;
  }

  public static String of(CheckpointKey k) {
    return of(k.getExperiment(), k.getSpace(), k.getStep());
  }
}
