package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentenceEncoderTest {

  @Test
  void embeddingsAreUnitLengthAndFollowTheLabels() throws Exception {
    DemoCorpus corpus = TestEmbeddings.corpus();
    SentenceEncoder.Embeddings e = TestEmbeddings.get();
    assertEquals(corpus.size(), e.rows());
    assertEquals(384, e.dim());
    for (int i = 0; i < e.rows(); i++) {
      double ss = 0;
      for (int c = 0; c < e.dim(); c++) ss += e.data()[i * e.dim() + c] * e.data()[i * e.dim() + c];
      assertEquals(1.0, ss, 1e-3, "row " + i + " (" + corpus.ids().get(i) + ")");
    }
    // A real sentence model puts same-topic texts together: leave-one-out 10-NN accuracy far above the 11.5% of
    // always guessing the largest label.
    int[] all = MetricLearningTrainer.allRows(corpus.size());
    double acc = KnnEval.accuracy(e.data(), e.dim(), corpus.labelIndex(), all, all, 10);
    assertTrue(acc > 0.5, "10-NN label accuracy of raw MiniLM embeddings: " + acc);
  }

  @Test
  void secondCallReadsTheCacheAndEncodingIsRepeatable(@TempDir Path dir) throws Exception {
    // A small corpus keeps this fast; the cache key is the corpus hash, so it cannot collide with the real one.
    DemoCorpus small = DemoCorpus.of(List.of("a", "b"), List.of("x", "y"), List.of("The cat sat on the mat.", "Stocks fell, bonds rose."));
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    SentenceEncoder.Embeddings first = SentenceEncoder.embed(small, dir, quiet);
    SentenceEncoder.Embeddings second = SentenceEncoder.embed(small, dir, quiet);
    assertTrue(!first.fromCache() && second.fromCache());
    assertTrue(Files.isRegularFile(SentenceEncoder.cacheFile(dir, small)));
    assertArrayEquals(first.data(), second.data());
    float[] again = SentenceEncoder.encode(small.texts(), quiet);
    assertArrayEquals(first.data(), again, 1e-5f);
  }
}
