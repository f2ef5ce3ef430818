package io.vectory.app.workflow;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import io.vectory.app.demo.DemoCorpus;
import io.vectory.app.demo.SentenceEncoder;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The tutorial's real pair: core's 1,307 fortunes (real texts, labelled by source) embedded by two different
 * in-process models, all-MiniLM-L6-v2 (quantised, the demo's) and BGE small v1.5 (quantised), plus the
 * metadata CSV. Generated at test time and cached under app/target/test-fixtures, so only the first run encodes.
 */
final class TwoModelFixture {

  static final Path DIR = Path.of("target", "test-fixtures", "two-models");
  static final String BGE = "bge-small-en-v1.5-q";

  final DemoCorpus corpus;
  final FloatMatrix minilm;
  final FloatMatrix bge;

  private TwoModelFixture(DemoCorpus corpus, FloatMatrix minilm, FloatMatrix bge) {
    this.corpus = corpus;
    this.minilm = minilm;
    this.bge = bge;
  }

  static synchronized TwoModelFixture load() throws IOException {
    DemoCorpus corpus = DemoCorpus.load();
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    SentenceEncoder.Embeddings m = SentenceEncoder.embed(corpus, DIR, quiet);
    FloatMatrix minilm = FloatMatrix.wrap(m.rows(), m.dim(), m.data());
    Path bgeFile = DIR.resolve("cache").resolve("embeddings-" + BGE + "-" + corpus.sha256().substring(0, 16) + ".npy");
    FloatMatrix bge;
    if (Files.isRegularFile(bgeFile)) {
      bge = Npy.readMatrix(bgeFile, null);
    } else {
      bge = encodeBge(corpus.texts());
      Files.createDirectories(bgeFile.getParent());
      Npy.write(bgeFile, bge);
    }
    return new TwoModelFixture(corpus, minilm, bge);
  }

  private static FloatMatrix encodeBge(List<String> texts) {
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try {
      BgeSmallEnV15QuantizedEmbeddingModel model = new BgeSmallEnV15QuantizedEmbeddingModel(pool);
      float[] out = null;
      int dim = 0;
      for (int start = 0; start < texts.size(); start += 64) {
        List<TextSegment> batch = new ArrayList<>();
        for (int i = start; i < Math.min(texts.size(), start + 64); i++) batch.add(TextSegment.from(texts.get(i)));
        List<Embedding> vs = model.embedAll(batch).content();
        for (int i = 0; i < vs.size(); i++) {
          float[] v = vs.get(i).vector();
          if (out == null) {
            dim = v.length;
            out = new float[texts.size() * dim];
          }
          System.arraycopy(v, 0, out, (start + i) * dim, dim);
        }
      }
      return FloatMatrix.wrap(texts.size(), dim, out);
    } finally {
      pool.shutdownNow();
    }
  }

  /** An .npz holding one array, {@code embeddings} (no ids: they come from the CSV's id field, as in the tutorial). */
  static void writeNpz(Path file, FloatMatrix m) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry("embeddings.npy"));
      zip.write(Npy.toBytes(m));
      zip.closeEntry();
    }
  }

  /** The metadata CSV: image_id (the tutorial's id field), label, text; RFC 4180 quoting. */
  void writeCsv(Path file) throws IOException {
    StringBuilder sb = new StringBuilder("image_id,label,text\n");
    for (int i = 0; i < corpus.size(); i++) {
      sb.append(corpus.ids().get(i)).append(',').append(quote(corpus.labels().get(i))).append(',').append(quote(corpus.texts().get(i))).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  private static String quote(String v) {
    return "\"" + v.replace("\"", "\"\"") + "\"";
  }
}
