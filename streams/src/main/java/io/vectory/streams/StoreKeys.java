package io.vectory.streams;

import io.vectory.avro.CheckpointKey;

/**
 * String keys of the state stores. Parts are joined with NUL (not allowed in names in practice) so a
 * checkpoint's chunks share one prefix, and sequences are zero-padded so a prefix scan returns them in order.
 */
final class StoreKeys {
  private static final char SEP = '\u0000';

  private StoreKeys() {}

  /** experiment, space: the key of a space's state. */
  static String space(String experiment, String space) {
    return experiment + SEP + space;
  }

  /** experiment, space, step, terminated: the key of a checkpoint's state and the prefix of its chunks. */
  static String checkpoint(CheckpointKey k) {
    return k.getExperiment() + SEP + k.getSpace() + SEP + k.getStep() + SEP;
  }

  static CheckpointKey checkpointKey(String experiment, String space, long step) {
    return CheckpointKey.newBuilder().setExperiment(experiment).setSpace(space).setStep(step).build();
  }

  static String chunk(CheckpointKey k, int sequence) {
    return checkpoint(k) + String.format("%010d", sequence);
  }
}
