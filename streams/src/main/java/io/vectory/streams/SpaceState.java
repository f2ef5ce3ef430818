package io.vectory.streams;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Per experiment and space: the steps of the first and the previous accepted checkpoints, and the
 * last Jaccard values with the previous checkpoint (oldest first) for the trailing-mean drift rule.
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

  double trailingMean() {
    double s = 0;
    for (double v : trailing) s += v;
    return s / trailing.length;
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(20 + 8 * trailing.length);
    b.putLong(firstStep).putLong(previousStep).putInt(trailing.length);
    for (double v : trailing) b.putDouble(v);
    return b.array();
  }

  static SpaceState decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long first = b.getLong();
    long prev = b.getLong();
    double[] t = new double[b.getInt()];
    for (int i = 0; i < t.length; i++) t[i] = b.getDouble();
    return new SpaceState(first, prev, t);
  }
}
