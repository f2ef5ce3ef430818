package io.vectory.app.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The demo's training data: the real labelled fortunes corpus shipped in the core jar (1,307 short texts in ten
 * categories, see core's datasets/README.md). {@code sha256} is of the file bytes, so the embedding cache is
 * keyed by the exact corpus.
 */
public record DemoCorpus(List<String> ids, List<String> labels, List<String> texts, String sha256) {

  public static final String RESOURCE = "/io/vectory/core/datasets/fortunes.csv";

  public DemoCorpus {
    if (ids.size() != labels.size() || ids.size() != texts.size()) {
      throw new IllegalArgumentException("ids, labels and texts differ in length");
    }
    ids = List.copyOf(ids);
    labels = List.copyOf(labels);
    texts = List.copyOf(texts);
  }

  public int size() {
    return ids.size();
  }

  /** Distinct labels in first-seen order. */
  public List<String> labelNames() {
    return List.copyOf(new LinkedHashSet<>(labels));
  }

  /** Label of each row as an index into {@link #labelNames()}. */
  public int[] labelIndex() {
    List<String> names = labelNames();
    int[] out = new int[size()];
    for (int i = 0; i < out.length; i++) out[i] = names.indexOf(labels.get(i));
    return out;
  }

  public static DemoCorpus load() {
    try (InputStream in = DemoCorpus.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("classpath resource " + RESOURCE + " is missing (vectory-core jar)");
      return parse(in.readAllBytes(), RESOURCE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
    }
  }

  /** Parses id,label,text CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
  static DemoCorpus parse(byte[] bytes, String source) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    List<List<String>> records = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean fieldStarted = false;
    int line = 1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') line++;
          field.append(c);
        }
      } else if (c == '"' && !fieldStarted) {
        quoted = true;
        fieldStarted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
        fieldStarted = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
        row.add(field.toString());
        field.setLength(0);
        fieldStarted = false;
        records.add(row);
        row = new ArrayList<>();
        line++;
      } else {
        field.append(c);
        fieldStarted = true;
      }
    }
    if (quoted) throw new IllegalArgumentException(source + ": unterminated quoted field at end of file (line " + line + ")");
    if (fieldStarted || !row.isEmpty()) {
      row.add(field.toString());
      records.add(row);
    }
    if (records.isEmpty() || !records.get(0).equals(List.of("id", "label", "text"))) {
      throw new IllegalArgumentException(source + ": expected header id,label,text, found " + (records.isEmpty() ? "nothing" : records.get(0)));
    }
    List<String> ids = new ArrayList<>(), labels = new ArrayList<>(), texts = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      List<String> rec = records.get(r);
      if (rec.size() != 3) {
        throw new IllegalArgumentException(source + ": record " + r + " has " + rec.size() + " fields, expected 3 (id,label,text)");
      }
      ids.add(rec.get(0));
      labels.add(rec.get(1));
      texts.add(rec.get(2));
    }
    return new DemoCorpus(ids, labels, texts, sha256(bytes));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
