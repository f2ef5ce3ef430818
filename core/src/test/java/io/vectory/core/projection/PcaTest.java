package io.vectory.core.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaTest {

  static final Path REAL = Path.of("src/test/resources/real");
  static final Path PINNED = Path.of("src/test/resources/io/vectory/core/projection/minilm-pca.json");

  /**
   * Gaussian data with a known covariance Q·diag(λ)·Qᵀ (Q a random rotation): the top components must be Q's first
   * columns, within sampling error (~ sqrt(λ₁λ₂ / ((λ₁ − λ₂)²·n)) ≈ 0.02 here), and the variances near λ.
   */
  @Test
  void recoversTheComponentsOfAKnownCovariance() {
    int d = 12;
    int n = 20_000;
    Random r = new Random(5);
    double[] lambda = {9, 4, 2, 1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.05, 0.05};
    double[][] q = randomRotation(d, r);
    float[] x = new float[n * d];
    for (int i = 0; i < n; i++) {
      double[] z = new double[d];
      for (int p = 0; p < d; p++) z[p] = Math.sqrt(lambda[p]) * r.nextGaussian();
      for (int c = 0; c < d; c++) {
        double s = 3.0; // an offset: PCA must centre
        for (int p = 0; p < d; p++) s += q[c][p] * z[p];
        x[i * d + c] = (float) s;
      }
    }
    Pca pca = Pca.fit(FloatMatrix.wrap(n, d, x), 3);
    for (int p = 0; p < 3; p++) {
      double dot = 0;
      for (int c = 0; c < d; c++) dot += pca.components()[p][c] * q[c][p];
      assertTrue(Math.abs(dot) > 0.995, "component " + p + " against the true axis: |cos| = " + Math.abs(dot));
      assertEquals(lambda[p], pca.variances()[p], 0.05 * lambda[p], "variance " + p);
    }
    double total = 0;
    for (double l : lambda) total += l;
    assertEquals(total, pca.totalVariance(), 0.03 * total);
  }

  /** scikit-learn's PCA (full SVD) on the real MiniLM fixture, pinned by reference.py beside the JSON. */
  @Test
  void matchesScikitLearnOnRealEmbeddings() throws Exception {
    JsonNode ref = new ObjectMapper().readTree(PINNED.toFile());
    FloatMatrix u = Projections.unitRows(Npy.readMatrix(REAL.resolve("minilm.npy"), null));
    Pca pca = Pca.fit(u, 10);
    JsonNode comps = ref.get("components");
    double[] vars = doubles(ref.get("explained_variance"));
    double[] ratios = doubles(ref.get("explained_variance_ratio"));
    for (int p = 0; p < 10; p++) {
      double[] want = doubles(comps.get(p));
      double dot = 0;
      for (int c = 0; c < want.length; c++) dot += want[c] * pca.components()[p][c];
      // Up to sign (sklearn flips by its own rule); the inputs are float32, so agreement to ~1e-6.
      assertEquals(1.0, Math.abs(dot), 1e-6, "component " + p);
      assertEquals(vars[p], pca.variances()[p], 1e-6 * vars[p], "variance " + p);
      assertEquals(ratios[p], pca.explainedVarianceRatio()[p], 1e-6 * ratios[p], "ratio " + p);
    }
    // The layout itself, up to each axis's sign.
    FloatMatrix xy = Pca.fit(u, 2).transform(u);
    JsonNode first = ref.get("pc12_first5");
    for (int i = 0; i < 5; i++) {
      double[] want = doubles(first.get(i));
      for (int c = 0; c < 2; c++) assertEquals(Math.abs(want[c]), Math.abs(xy.get(i, c)), 1e-5, "row " + i + " axis " + c);
    }
  }

  @Test
  void signIsFixedLargestLoadingPositive() {
    Random r = new Random(9);
    float[] x = new float[300 * 5];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (1 + i % 5);
    Pca pca = Pca.fit(FloatMatrix.wrap(300, 5, x), 2);
    for (double[] c : pca.components()) {
      int big = 0;
      for (int i = 1; i < c.length; i++) if (Math.abs(c[i]) > Math.abs(c[big])) big = i;
      assertTrue(c[big] > 0);
    }
  }

  static double[][] randomRotation(int d, Random r) {
    double[][] q = new double[d][d];
    for (int c = 0; c < d; c++) {
      double[] v = new double[d];
      for (int i = 0; i < d; i++) v[i] = r.nextGaussian();
      for (int p = 0; p < c; p++) {
        double dot = 0;
        for (int i = 0; i < d; i++) dot += v[i] * q[i][p];
        for (int i = 0; i < d; i++) v[i] -= dot * q[i][p];
      }
      double norm = 0;
      for (double t : v) norm += t * t;
      norm = Math.sqrt(norm);
      for (int i = 0; i < d; i++) q[i][c] = v[i] / norm;
    }
    return q;
  }

  /** A JSON array of numbers. */
  static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
    return out;
  }
}
