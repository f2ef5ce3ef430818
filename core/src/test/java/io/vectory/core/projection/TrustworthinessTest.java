package io.vectory.core.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.compare.Metric;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrustworthinessTest {

  /** Against scikit-learn's sklearn.manifold.trustworthiness of the same (sign-free) PCA layout, pinned. */
  @Test
  void matchesScikitLearnOnThePcaLayoutOfRealEmbeddings() throws Exception {
    JsonNode want = new ObjectMapper().readTree(PcaTest.PINNED.toFile()).get("trustworthiness_pca2_cosine");
    FloatMatrix u = Projections.unitRows(Npy.readMatrix(PcaTest.REAL.resolve("minilm.npy"), null));
    FloatMatrix xy = Pca.project(u, 2);
    assertTrue(want.size() > 0, "no pinned trustworthiness values");
    for (var e : want.properties()) {
      double t = Trustworthiness.of(u, Metric.COSINE, xy, Integer.parseInt(e.getKey()));
      assertEquals(e.getValue().asDouble(), t, 1e-9, "k = " + e.getKey());
    }
  }

  @Test
  void aLayoutOfTheDataItselfIsFullyTrustworthyAndNoiseIsNot() {
    Random r = new Random(2);
    int n = 200;
    float[] x = new float[n * 2];
    float[] noise = new float[n * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
      noise[i] = (float) r.nextGaussian();
    }
    FloatMatrix m = FloatMatrix.wrap(n, 2, x);
    assertEquals(1.0, Trustworthiness.of(m, Metric.EUCLIDEAN, m, 10), 0.0);
    // A random layout: about 0.5 (the expectation for unrelated neighbourhoods).
    assertEquals(0.5, Trustworthiness.of(m, Metric.EUCLIDEAN, FloatMatrix.wrap(n, 2, noise), 10), 0.06);
  }
}
