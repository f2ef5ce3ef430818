package io.vectory.app.demo;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Real sentence embeddings for the demo corpus from all-MiniLM-L6-v2 (quantised, 384-d, mean pooling, unit length),
 * run in-process by ONNX Runtime from the model file inside langchain4j's jar: no network. The matrix is cached as
 * .npy under {@code <data dir>/cache}, keyed by model and corpus hash, so only the first run pays for encoding.
 */
public final class SentenceEncoder {
  public static final String MODEL = "all-minilm-l6-v2-q";
  public static final int DIM = 384;
  private static final int BATCH = 64;

  /** The embedding matrix (row i = corpus row i), where it came from, and how long encoding took (0 when cached). */
  public record Embeddings(int rows, int dim, float[] data, Path cacheFile, boolean fromCache, long encodeNanos) {}

  private SentenceEncoder() {}

  public static Path cacheFile(Path dataDir, DemoCorpus corpus) {
    return dataDir.resolve("cache").resolve("embeddings-" + MODEL + "-" + corpus.sha256().substring(0, 16) + ".npy");
  }

  /** Loads the cached matrix, or encodes the corpus (progress on {@code progress}) and caches it. */
  public static Embeddings embed(DemoCorpus corpus, Path dataDir, PrintStream progress) throws IOException {
    Path file = cacheFile(dataDir, corpus);
    if (Files.isRegularFile(file)) {
      try {
        FloatMatrix m = Npy.read(file).toFloatMatrix();
        if (m.rows() == corpus.size() && m.cols() == DIM) return new Embeddings(m.rows(), m.cols(), m.data(), file, true, 0);
        progress.printf("embedding cache %s has shape %dx%d, expected %dx%d: re-encoding%n", file, m.rows(), m.cols(), corpus.size(), DIM);
      } catch (IOException e) {
        progress.printf("embedding cache %s is unreadable (%s): re-encoding%n", file, e.getMessage());
      }
    }
    long t0 = System.nanoTime();
    float[] data = encode(corpus.texts(), progress);
    long nanos = System.nanoTime() - t0;
    writeAtomically(file, FloatMatrix.wrap(corpus.size(), DIM, data));
    return new Embeddings(corpus.size(), DIM, data, file, false, nanos);
  }

  /** Encodes texts in batches; one worker per core (ONNX Runtime also threads inside each call). */
  static float[] encode(List<String> texts, PrintStream progress) {
    int cores = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(cores, r -> {
      Thread t = new Thread(r, "vectory-encoder");
      t.setDaemon(true);
      return t;
    });
    try {
      AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(pool);
      float[] out = new float[texts.size() * DIM];
      for (int start = 0; start < texts.size(); start += BATCH) {
        int end = Math.min(texts.size(), start + BATCH);
        List<TextSegment> batch = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) batch.add(TextSegment.from(texts.get(i)));
        List<Embedding> vectors = model.embedAll(batch).content();
        for (int i = 0; i < vectors.size(); i++) {
          float[] v = vectors.get(i).vector();
          if (v.length != DIM) throw new IllegalStateException(MODEL + " returned " + v.length + " dimensions, expected " + DIM);
          System.arraycopy(v, 0, out, (start + i) * DIM, DIM);
        }
        progress.printf("\rencoding %s with %s: %d/%d", "texts", MODEL, end, texts.size());
      }
      progress.println();
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Core's .npy writer into a temporary file moved into place, so a killed run never leaves half a cache (NumPy opens it too). */
  private static void writeAtomically(Path file, FloatMatrix m) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Npy.write(tmp, m);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
