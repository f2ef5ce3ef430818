package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test checkpoints with awkward floats (negative zero, subnormals, extremes) so bit-for-bit checks mean something. */
final class Data {
  private Data() {}

  static float[][] vectors(int rows, int dim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] v = new float[rows][dim];
    for (float[] row : v) for (int c = 0; c < dim; c++) row[c] = (float) rnd.nextGaussian();
    v[0][0] = -0.0f;
    v[0][1] = Float.MIN_VALUE;
    v[rows - 1][dim - 1] = Float.MAX_VALUE;
    v[rows - 1][0] = -Float.MIN_NORMAL;
    return v;
  }

  static List<String> ids(int rows, String prefix) {
    List<String> ids = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) ids.add(prefix + i);
    return ids;
  }

  static void assertBitForBit(float[][] expected, List<String> expectedIds, AssembledCheckpoint got) {
    assertEquals(expectedIds, got.ids());
    assertEquals(expected[0].length, got.dimension());
    int dim = got.dimension();
    for (int r = 0; r < expected.length; r++) {
      for (int c = 0; c < dim; c++) {
        if (Float.floatToRawIntBits(expected[r][c]) != Float.floatToRawIntBits(got.vectors()[r * dim + c])) {
          throw new AssertionError("row " + r + " col " + c + ": expected " + expected[r][c] + " got " + got.vectors()[r * dim + c]);
        }
      }
    }
  }
}
