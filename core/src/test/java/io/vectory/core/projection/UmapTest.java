package io.vectory.core.projection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * UMAP on the real MiniLM fortunes fixture (600 × 384, cosine). Neighbourhood preservation is measured by
 * trustworthiness (k = 10, cosine in the original space), the number UMAP is built to raise, against the 2-D PCA
 * layout of the same rows, which scikit-learn pins at 0.756 (TrustworthinessTest).
 */
class UmapTest {
  static FloatMatrix minilm;
  static String[] labels;

  @BeforeAll
  static void load() throws Exception {
    minilm = Npy.readMatrix(PcaTest.REAL.resolve("minilm.npy"), null);
    labels = Files.readAllLines(PcaTest.REAL.resolve("labels.txt")).stream().filter(s -> !s.isBlank()).toArray(String[]::new);
  }

  @Test
  void curveParametersMatchUmapLearn() {
    // umap-learn 0.5 find_ab_params(1.0, 0.1) = (1.5769434603113077, 0.8950608779109733).
    Umap.Curve c = Umap.fitAb(1.0, 0.1);
    assertEquals(1.5769, c.a(), 1e-3);
    assertEquals(0.8951, c.b(), 1e-3);
  }

  @Test
  void preservesNeighbourhoodsFarBetterThanPca() {
    FloatMatrix u = Projections.unitRows(minilm);
    long t0 = System.nanoTime();
    FloatMatrix umap = Umap.layout(minilm, Metric.COSINE, UmapOptions.defaults(), ProjectionProgress.NONE);
    double umapSeconds = (System.nanoTime() - t0) / 1e9;
    FloatMatrix pca = Pca.project(u, 2);
    FloatMatrix pcaUmap = Projections.project(minilm, Metric.COSINE, Projections.Method.PCA_UMAP, UmapOptions.defaults(),
        ProjectionProgress.NONE).xy();
    double tUmap = Trustworthiness.of(u, Metric.COSINE, umap, 10);
    double tPca = Trustworthiness.of(u, Metric.COSINE, pca, 10);
    double tPcaUmap = Trustworthiness.of(u, Metric.COSINE, pcaUmap, 10);
    double lUmap = labelAgreement(umap), lPca = labelAgreement(pca), lOrig = labelAgreement(u);
    System.out.printf(Locale.ROOT, "trustworthiness k=10: umap %.4f, pca+umap %.4f, pca %.4f; 10-NN label agreement: original %.3f,"
        + " umap %.3f, pca %.3f; umap %.2f s%n", tUmap, tPcaUmap, tPca, lOrig, lUmap, lPca, umapSeconds);
    for (int i = 0; i < umap.data().length; i++) assertTrue(Float.isFinite(umap.data()[i]));
    // Threshold: halfway between PCA's and a perfect layout would be 0.878; UMAP must reach at least that.
    double halfway = (tPca + 1) / 2;
    assertTrue(tUmap > halfway, "UMAP " + tUmap + " vs PCA " + tPca);
    assertTrue(tPcaUmap > halfway, "PCA+UMAP " + tPcaUmap + " vs PCA " + tPca);
    // And it keeps the labels' neighbourhoods at least as well as PCA (the fortunes' categories are real labels).
    assertTrue(lUmap > lPca, "label agreement UMAP " + lUmap + " vs PCA " + lPca);
  }

  @Test
  void sameSeedSameLayoutOtherSeedAnother() {
    UmapOptions o = UmapOptions.defaults().withEpochs(100);
    FloatMatrix a = Umap.layout(minilm, Metric.COSINE, o, ProjectionProgress.NONE);
    FloatMatrix b = Umap.layout(minilm, Metric.COSINE, o, ProjectionProgress.NONE);
    FloatMatrix c = Umap.layout(minilm, Metric.COSINE, o.withSeed(7), ProjectionProgress.NONE);
    assertArrayEquals(a.data(), b.data());
    assertFalse(Arrays.equals(a.data(), c.data()));
  }

  @Test
  void reportsProgressThroughEveryStage() {
    java.util.Set<String> stages = new java.util.concurrent.ConcurrentSkipListSet<>();
    long[] lastLayout = {0};
    Umap.layout(minilm, Metric.COSINE, UmapOptions.defaults().withEpochs(20), (stage, done, total) -> {
      stages.add(stage);
      if (stage.equals("layout")) lastLayout[0] = done;
    });
    assertEquals(java.util.Set.of("pca", "knn", "graph", "layout"), stages);
    assertEquals(20, lastLayout[0]);
  }

  /** The share of each point's 10 nearest neighbours (euclidean in the layout, cosine in the original) that share its label. */
  static double labelAgreement(FloatMatrix m) {
    int k = 10;
    int[] nn = ExactKnn.search(m, Metric.EUCLIDEAN, k, false);
    int same = 0;
    for (int i = 0; i < m.rows(); i++) for (int s = 0; s < k; s++) if (labels[nn[i * k + s]].equals(labels[i])) same++;
    return same / (double) (m.rows() * k);
  }
}
