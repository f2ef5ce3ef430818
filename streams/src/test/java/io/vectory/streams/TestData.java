package io.vectory.streams;

import io.vectory.datasets.Fortunes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Real vectors for the tests: the datasets module's fortunes corpus (1,307 quotes in 10 labelled categories)
 * embedded as signed hashed bags of words (sublinear tf, L2-normalised), and "checkpoints" that move
 * those vectors as training would: a small seeded perturbation per step, or a shuffle of rows between
 * points (which destroys neighbourhoods, the drift the rules must catch).
 */
final class TestData {
  final List<String> ids = new ArrayList<>();
  final List<String> labels = new ArrayList<>();
  final float[][] base;

  private TestData(int dim, int limit) {
    List<String> texts = new ArrayList<>();
    for (Fortunes.Fortune f : Fortunes.load()) {
      if (ids.size() == limit) break;
      ids.add(f.id());
      labels.add(f.label());
      texts.add(f.text());
    }
    base = new float[ids.size()][dim];
    for (int i = 0; i < texts.size(); i++) {
      for (String w : texts.get(i).toLowerCase().split("[^a-z0-9']+")) {
        if (w.length() < 2) continue;
        int h = w.hashCode() * 0x9E3779B1;
        int slot = Math.floorMod(h, dim);
        base[i][slot] += ((h >>> 31) == 0) ? 1f : -1f;
      }
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        float v = base[i][j];
        base[i][j] = v == 0 ? 0 : (float) (Math.signum(v) * (1 + Math.log(Math.abs(v))));
        norm += base[i][j] * base[i][j];
      }
      if (norm == 0) { base[i][i % dim] = 1; norm = 1; } // an all-stopword quote still needs a direction
      float inv = (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < dim; j++) base[i][j] *= inv;
    }
  }

  /** Other vectors for the same points (ids and labels are not needed for perturbing). */
  TestData(float[][] vectors) {
    base = vectors;
  }

  static TestData fortunes(int dim, int limit) {
    return new TestData(dim, limit);
  }

  int rows() {
    return base.length;
  }

  /** The base vectors plus seeded Gaussian noise of the given scale (per component). */
  float[][] perturbed(double scale, long seed) {
    Random rnd = new Random(seed);
    float[][] out = new float[base.length][];
    for (int i = 0; i < base.length; i++) {
      out[i] = base[i].clone();
      for (int j = 0; j < out[i].length; j++) out[i][j] += (float) (rnd.nextGaussian() * scale);
    }
    return out;
  }

  /** A random walk from the base vectors: step s adds seeded noise of the given scale to step s-1. */
  List<float[][]> walk(int steps, double scale, long seed) {
    List<float[][]> out = new ArrayList<>();
    Random rnd = new Random(seed);
    float[][] cur = base;
    for (int s = 0; s < steps; s++) {
      if (s > 0) {
        float[][] next = new float[cur.length][];
        for (int i = 0; i < cur.length; i++) {
          next[i] = cur[i].clone();
          for (int j = 0; j < next[i].length; j++) next[i][j] += (float) (rnd.nextGaussian() * scale);
        }
        cur = next;
      }
      out.add(cur);
    }
    return out;
  }

  /** Vectors reassigned between points by a seeded permutation: same distribution, neighbourhoods gone. */
  static float[][] shuffled(float[][] v, long seed) {
    List<float[]> rows = new ArrayList<>(List.of(v));
    java.util.Collections.shuffle(rows, new Random(seed));
    return rows.toArray(new float[0][]);
  }
}
