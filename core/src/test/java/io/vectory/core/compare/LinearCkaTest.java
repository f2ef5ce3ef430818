package io.vectory.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.vectors.FloatMatrix;
import org.junit.jupiter.api.Test;

class LinearCkaTest {

  @Test
  void featureAndGramFormsAgree() {
    FloatMatrix x = ExactKnnTest.gaussian(80, 120, 1);
    FloatMatrix y = ExactKnnTest.gaussian(80, 60, 2);
    DotKernel kernel = DotKernel.best();
    double feature = LinearCka.featureForm(kernel, CentredProducts.Centring.of(x, kernel.width()), CentredProducts.Centring.of(y, kernel.width()));
    double gram = LinearCka.gramForm(LinearCka.centre(x, kernel.width()), LinearCka.centre(y, kernel.width()));
    assertTrue(feature > 0 && feature < 1, "unrelated random spaces: " + feature);
    assertEquals(feature, gram, 1e-6);
  }

  @Test
  void aWideSpaceIsComparedThroughItsGramMatrix() {
    // 50 points of 20,000 dimensions: the feature form would hold 20,000² doubles per worker (3.2 GB).
    assertTrue(LinearCka.usesGram(50, 20_000, 20_000));
    assertFalse(LinearCka.usesGram(10_000, 384, 384));
    FloatMatrix x = ExactKnnTest.gaussian(50, 20_000, 3);
    float[] scaled = x.data().clone();
    for (int i = 0; i < scaled.length; i++) scaled[i] *= 3f;
    assertEquals(1.0, LinearCka.compute(x, FloatMatrix.wrap(50, 20_000, scaled)), 1e-9, "CKA is invariant to isotropic scaling");
    // Against the textbook formula in double on a wide pair that shares half its features.
    FloatMatrix a = ExactKnnTest.gaussian(30, 3_000, 5);
    float[] half = a.data().clone();
    for (int r = 0; r < 30; r++) for (int c = 1_500; c < 3_000; c++) half[r * 3_000 + c] = 0;
    FloatMatrix b = FloatMatrix.wrap(30, 3_000, half);
    assertTrue(LinearCka.usesGram(30, 3_000, 3_000));
    assertEquals(naive(a, b), LinearCka.compute(a, b), 1e-9);
  }

  @Test
  void keptSelfTermsGiveTheSameCkaAndAreUsed() {
    FloatMatrix x = ExactKnnTest.gaussian(600, 48, 7);
    FloatMatrix y = ExactKnnTest.gaussian(600, 32, 8);
    assertFalse(LinearCka.usesGram(600, 48, 32));
    double tx = LinearCka.selfTerm(x), ty = LinearCka.selfTerm(y);
    assertEquals(naive(x, y), LinearCka.compute(x, y, tx, ty), 1e-7, "kept terms against the textbook formula (float products within a chunk)");
    assertEquals(LinearCka.compute(x, y), LinearCka.compute(x, y, tx, ty), 1e-12);
    // The kept term is what the comparison divides by: a space's term four times larger halves its CKA.
    assertEquals(LinearCka.compute(x, y) / 2, LinearCka.compute(x, y, 4 * tx, ty), 1e-12);
    // A wide space keeps no term (its pairs take the Gram form, which makes no d×d product).
    assertTrue(Double.isNaN(LinearCka.selfTerm(ExactKnnTest.gaussian(50, 20_000, 3))));
  }

  @Test
  void aComparisonFromKeptTermsComputesOnlyTheCrossTerm() {
    FloatMatrix x = ExactKnnTest.gaussian(700, 40, 9);
    FloatMatrix y = ExactKnnTest.gaussian(700, 24, 10);
    assertTrue(LinearCka.splitsIntoTerms(x, y));
    double cka = LinearCka.fromTerms(LinearCka.crossTerm(x, y), LinearCka.selfTerm(x), LinearCka.selfTerm(y));
    assertEquals(naive(x, y), cka, 1e-7);
    assertEquals(LinearCka.compute(x, y), cka, 1e-12);
    // A space with no variance has no CKA; an unknown term leaves it unknown.
    assertTrue(Double.isNaN(LinearCka.fromTerms(5, 0, 3)));
    assertTrue(Double.isNaN(LinearCka.fromTerms(5, Double.NaN, 3)));
    // A wide pair does not split: its terms come from the Gram loops, so asking for the cross term is refused.
    FloatMatrix wide = ExactKnnTest.gaussian(50, 20_000, 3);
    assertFalse(LinearCka.splitsIntoTerms(wide, wide));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LinearCka.crossTerm(wide, wide));
    assertTrue(e.getMessage().contains("Gram form"), e.getMessage());
  }

  /** tr(KcLc) / (‖Kc‖ ‖Lc‖) with K = XcXcᵀ, L = YcYcᵀ in double. */
  static double naive(FloatMatrix x, FloatMatrix y) {
    double[][] k = gram(x), l = gram(y);
    double kl = 0, kk = 0, ll = 0;
    for (int i = 0; i < k.length; i++) {
      for (int j = 0; j < k.length; j++) {
        kl += k[i][j] * l[i][j];
        kk += k[i][j] * k[i][j];
        ll += l[i][j] * l[i][j];
      }
    }
    return kl / Math.sqrt(kk * ll);
  }

  static double[][] gram(FloatMatrix m) {
    int n = m.rows(), d = m.cols();
    double[][] c = new double[n][d];
    for (int j = 0; j < d; j++) {
      double mean = 0;
      for (int i = 0; i < n; i++) mean += m.data()[i * d + j];
      mean /= n;
      for (int i = 0; i < n; i++) c[i][j] = m.data()[i * d + j] - mean;
    }
    double[][] g = new double[n][n];
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int t = 0; t < d; t++) g[i][j] += c[i][t] * c[j][t];
    return g;
  }
}
