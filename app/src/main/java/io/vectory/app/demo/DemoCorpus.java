package io.vectory.app.demo;

import io.vectory.datasets.Fortunes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The demo's training data: the real labelled fortunes corpus of the datasets module (1,307 short texts in ten
 * categories, see its io/vectory/datasets/README.md). {@code sha256} covers ids, labels and texts, so the embedding cache
 * is keyed by the exact corpus.
 */
public record DemoCorpus(List<String> ids, List<String> labels, List<String> texts, String sha256) {

  public static final String RESOURCE = Fortunes.RESOURCE;

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

  /** The fortunes of {@link Fortunes}. */
  public static DemoCorpus load() {
    List<String> ids = new ArrayList<>(), labels = new ArrayList<>(), texts = new ArrayList<>();
    for (Fortunes.Fortune f : Fortunes.load()) {
      ids.add(f.id());
      labels.add(f.label());
      texts.add(f.text());
    }
    return of(ids, labels, texts);
  }

  /** A corpus whose hash covers every id, label and text, so any change re-keys the embedding cache. */
  public static DemoCorpus of(List<String> ids, List<String> labels, List<String> texts) {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      // Unit separators cannot occur in the fields' meaning, so distinct corpora hash differently.
      all.append(ids.get(i)).append('\u001f').append(labels.get(i)).append('\u001f').append(texts.get(i)).append('\u001e');
    }
    return new DemoCorpus(ids, labels, texts, sha256(all.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
