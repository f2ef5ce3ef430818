package io.vectory.app.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;

/** The real corpus embeddings, encoded once per build (cached under target/) and shared by the tests. */
final class TestEmbeddings {
  static final Path DATA_DIR = Path.of("target", "test-data");
  private static SentenceEncoder.Embeddings embeddings;
  private static DemoCorpus corpus;

  private TestEmbeddings() {}

  static synchronized DemoCorpus corpus() {
    if (corpus == null) corpus = DemoCorpus.load();
    return corpus;
  }

  static synchronized SentenceEncoder.Embeddings get() throws IOException {
    if (embeddings == null) embeddings = SentenceEncoder.embed(corpus(), DATA_DIR, new PrintStream(OutputStream.nullOutputStream()));
    return embeddings;
  }
}
