package io.vectory.core.compare;

import io.vectory.core.vectors.FloatMatrix;
import java.util.Random;

/**
 * Two spaces over the same points for tests: A Gaussian, B = A + {@code noise} · Gaussian, drawn in that interleaved
 * order from one seeded {@link Random}, so a seed names the pair. Shared with app's tests through core's test jar.
 */
public record NoisyPair(FloatMatrix a, FloatMatrix b) {

  public static NoisyPair of(int rows, int dimension, float noise, long seed) {
    Random r = new Random(seed);
    float[] a = new float[rows * dimension];
    float[] b = new float[rows * dimension];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = a[i] + noise * (float) r.nextGaussian();
    }
    return new NoisyPair(FloatMatrix.wrap(rows, dimension, a), FloatMatrix.wrap(rows, dimension, b));
  }
}
