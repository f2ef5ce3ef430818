package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricLearningTrainerTest {

  private static MetricLearningTrainer trainer(MetricLearningTrainer.Config config) throws Exception {
    DemoCorpus corpus = TestEmbeddings.corpus();
    SentenceEncoder.Embeddings e = TestEmbeddings.get();
    return new MetricLearningTrainer(config, e.data(), e.dim(), corpus.labelIndex(), corpus.ids(), corpus.labels());
  }

  @Test
  void lossFallsEveryEpochWithoutDrift() throws Exception {
    var config = MetricLearningTrainer.Config.defaults().withEpochs(6).withDrift(0, 1);
    int n = TestEmbeddings.corpus().size();
    List<MetricLearningTrainer.Checkpoint> cps = trainer(config).train(MetricLearningTrainer.allRows(n), null);
    assertEquals(6, cps.size());
    for (int i = 1; i < cps.size(); i++) {
      assertTrue(cps.get(i).loss() < cps.get(i - 1).loss(),
          "loss rose from epoch " + i + " to " + (i + 1) + ": " + cps.get(i - 1).loss() + " -> " + cps.get(i).loss());
    }
    assertTrue(cps.get(5).loss() < cps.get(0).loss() / 3, "loss fell too little: " + cps.get(0).loss() + " -> " + cps.get(5).loss());
  }

  @Test
  void trainedHeadBeatsItsInitialProjectionOnHeldOutKnnAccuracy() throws Exception {
    DemoCorpus corpus = TestEmbeddings.corpus();
    int n = corpus.size();
    int[] perm = MetricLearningTrainer.allRows(n);
    Random r = new Random(1);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    int[] train = Arrays.copyOf(perm, n * 4 / 5);
    int[] test = Arrays.copyOfRange(perm, n * 4 / 5, n);
    int[] labels = corpus.labelIndex();

    MetricLearningTrainer t = trainer(MetricLearningTrainer.Config.defaults().withDrift(0, 1));
    double before = KnnEval.accuracy(t.project(), t.outDim(), labels, test, train, 10);
    List<MetricLearningTrainer.Checkpoint> cps = t.train(train, null);
    double after = KnnEval.accuracy(cps.getLast().vectors(), t.outDim(), labels, test, train, 10);
    // Chance is ~0.12 (ten labels, the largest 11.5%); a real gain on points the head never saw, not just memorised ones.
    assertTrue(after > before + 0.05, "held-out 10-NN accuracy before " + before + ", after " + after);
  }

  @Test
  void sameSeedGivesIdenticalCheckpointsAndAnotherSeedDoesNot() throws Exception {
    var config = MetricLearningTrainer.Config.defaults().withEpochs(3);
    int n = TestEmbeddings.corpus().size();
    var a = trainer(config).train(MetricLearningTrainer.allRows(n), null);
    var b = trainer(config).train(MetricLearningTrainer.allRows(n), null);
    var c = trainer(config.withSeed(config.seed() + 1)).train(MetricLearningTrainer.allRows(n), null);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(a.get(i).vectors(), b.get(i).vectors(), "epoch " + (i + 1));
      assertEquals(a.get(i).loss(), b.get(i).loss());
      assertFalse(Arrays.equals(a.get(i).vectors(), c.get(i).vectors()), "another seed gave the same epoch " + (i + 1));
    }
  }

  @Test
  void driftEpochRaisesTheLossAndTheLearningRate() throws Exception {
    var config = MetricLearningTrainer.Config.defaults().withEpochs(5).withDrift(4, 10);
    int n = TestEmbeddings.corpus().size();
    var cps = trainer(config).train(MetricLearningTrainer.allRows(n), null);
    assertTrue(cps.get(3).drift());
    assertFalse(cps.get(2).drift());
    assertEquals(config.learningRate() * 10, cps.get(3).learningRate(), 1e-12);
    assertTrue(cps.get(3).loss() > cps.get(2).loss(), "the drift epoch should undo training: " + cps.get(2).loss() + " -> " + cps.get(3).loss());
  }

  @Test
  void checkpointsHoldEveryPointAsAUnitVectorWithItsIdAndLabel() throws Exception {
    DemoCorpus corpus = TestEmbeddings.corpus();
    var cps = trainer(MetricLearningTrainer.Config.defaults().withEpochs(1)).train(MetricLearningTrainer.allRows(corpus.size()), null);
    var cp = cps.getFirst();
    assertEquals(1, cp.step());
    assertEquals(corpus.ids(), cp.ids());
    assertEquals(corpus.labels(), cp.labels());
    assertEquals(corpus.size() * 64, cp.vectors().length);
    for (int i = 0; i < corpus.size(); i++) {
      double ss = 0;
      for (int c = 0; c < 64; c++) ss += cp.vectors()[i * 64 + c] * cp.vectors()[i * 64 + c];
      assertEquals(1.0, ss, 1e-4, "row " + i);
    }
  }
}
