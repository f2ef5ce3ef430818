package io.vectory.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Embeds the first ROWS texts of a fortunes CSV (id, label, text; by default core's 1,307-row corpus, for
 * bench/compare.sh the 6,817 rows fortunes_corpus.py makes from Debian's fortunes) with all-MiniLM-L6-v2 and its
 * quantised twin (both run in process by ONNX Runtime; the models are inside the jars) and writes minilm.npy,
 * minilm-q.npy (float32, rows in corpus order), ids.txt and labels.txt into OUTDIR. Usage: ROWS OUTDIR [CSV].
 */
public final class RealPair {
  public static void main(String[] args) throws IOException {
    int rows = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    Path csv = args.length > 2 ? Path.of(args[2])
        : Path.of("../../../datasets/src/main/resources/io/vectory/datasets/fortunes.csv");
    List<String[]> records = readCsv(csv);
    if (rows > records.size()) rows = records.size();
    List<TextSegment> texts = new ArrayList<>();
    List<String> ids = new ArrayList<>(), labels = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      ids.add(records.get(i)[0]);
      labels.add(records.get(i)[1]);
      texts.add(TextSegment.from(records.get(i)[2]));
    }
    Files.createDirectories(out);
    write(out.resolve("minilm.npy"), new AllMiniLmL6V2EmbeddingModel(), texts);
    write(out.resolve("minilm-q.npy"), new AllMiniLmL6V2QuantizedEmbeddingModel(), texts);
    Files.write(out.resolve("ids.txt"), ids);
    Files.write(out.resolve("labels.txt"), labels);
    System.err.println("wrote " + rows + " rows to " + out);
  }

  private static void write(Path file, EmbeddingModel model, List<TextSegment> texts) throws IOException {
    List<Embedding> es = model.embedAll(texts).content();
    int d = es.get(0).dimension();
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + es.size() + ", " + d + "), }";
    int total = 10 + dict.length() + 1;
    int padded = (total + 63) / 64 * 64;
    byte[] h = (dict + " ".repeat(padded - total) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length + es.size() * d * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
    for (Embedding e : es) for (float v : e.vector()) b.putFloat(v);
    try (OutputStream o = Files.newOutputStream(file)) {
      o.write(b.array());
    }
    System.err.println(file + ": " + es.size() + " x " + d);
  }

  /** RFC 4180 CSV with a header row: quoted fields, doubled quotes. */
  static List<String[]> readCsv(Path file) throws IOException {
    String s = Files.readString(file);
    List<String[]> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean q = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (q) {
        if (c == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') { f.append('"'); i++; } else q = false;
        } else f.append(c);
      } else if (c == '"') q = true;
      else if (c == ',') { row.add(f.toString()); f.setLength(0); }
      else if (c == '\n') { row.add(f.toString()); f.setLength(0); rows.add(row.toArray(String[]::new)); row.clear(); }
      else if (c != '\r') f.append(c);
    }
    if (f.length() > 0 || !row.isEmpty()) { row.add(f.toString()); rows.add(row.toArray(String[]::new)); }
    rows.remove(0);
    return rows;
  }
}
