package io.vectory.sink;

import io.vectory.schemas.CheckpointNames;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Physical index names. Every name starts with one prefix (default {@code vectory-}; tests use their own
 * so they never touch the real indices): {@code <prefix>space-<experiment>-<space>-<step>} per checkpoint,
 * {@code <prefix>index-<name>} per index loaded with {@code vectory embeddings load},
 * {@code <prefix>comparisons}, {@code <prefix>alerts} and {@code <prefix>dead-letters}; the store's own
 * {@code <prefix>catalogue} (registered datasets and experiments) and {@code <prefix>knn-lists} (kept exact k-NN lists
 * of its indices).
 *
 * <p>OpenSearch index names must be lowercase without {@code \ / * ? " < > | , # :} or spaces. A part
 * already made of {@code [a-z0-9_]} is used as is; otherwise it is rewritten to that alphabet and the
 * name gets a hash of the exact original key, so {@code Exp/a} and {@code exp/a} (or {@code a-b/c} and
 * {@code a/b-c}) never share an index.
 */
public record IndexNames(String prefix) {

  public static final String DEFAULT_PREFIX = "vectory-";
  private static final int MAX_BYTES = 255;

  public IndexNames {
    if (!prefix.isEmpty() && !prefix.matches("[a-z0-9][a-z0-9_.-]*")) {
      throw new IllegalArgumentException("index prefix '" + prefix + "': expected lowercase letters, digits, '_', '.', '-', not starting with '-', '_' or '.'");
    }
  }

  public static IndexNames defaults() {
    return new IndexNames(DEFAULT_PREFIX);
  }

  public String comparisons() {
    return prefix + "comparisons";
  }

  public String alerts() {
    return prefix + "alerts";
  }

  /** The pipeline's rejections (its dead letters), {@code <prefix>dead-letters}. */
  public String deadLetters() {
    return prefix + "dead-letters";
  }

  /** The store's registered datasets and experiments. */
  public String catalogue() {
    return prefix + "catalogue";
  }

  /** The exact k-NN lists the store keeps of its indices. */
  public String knnLists() {
    return prefix + "knn-lists";
  }

  /** Pattern matching every space and loaded index (for listing). */
  public String dataPattern() {
    return prefix + "space-*," + prefix + "index-*";
  }

  /** The index of one checkpoint: {@code <prefix>space-<experiment>-<space>-<step>}. */
  public String space(String experiment, String space, long step) {
    boolean exact = isPlain(experiment) && isPlain(space);
    String base = prefix + "space-" + clean(experiment, false) + "-" + clean(space, false) + "-" + step;
    return exact ? bounded(base, null) : bounded(base, CheckpointNames.of(experiment, space, step));
  }

  /** The index of a user-named loaded index: {@code <prefix>index-<name>}. */
  public String loaded(String name) {
    if (name.isBlank()) throw new IllegalArgumentException("index name is empty");
    String base = prefix + "index-" + clean(name, true);
    return isPlainLoaded(name) ? bounded(base, null) : bounded(base, name);
  }

  private static boolean isPlain(String part) {
    return !part.isEmpty() && part.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }

  // A loaded index name is one part, so '-' cannot make it ambiguous.
  private static boolean isPlainLoaded(String name) {
    return name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }

  private static String clean(String part, boolean keepDash) {
    StringBuilder b = new StringBuilder(part.length());
    for (char c : part.toLowerCase(Locale.ROOT).toCharArray()) {
      b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (keepDash && c == '-') ? c : '_');
    }
    return b.isEmpty() ? "_" : b.toString();
  }

  private static String bounded(String base, String hashOf) {
    String suffix = hashOf == null ? "" : "-h" + hash(hashOf);
    int room = MAX_BYTES - suffix.length();
    if (base.length() > room) {
      // Too long: keep a readable head and make the tail unique with the hash of the whole name.
      if (hashOf == null) suffix = "-h" + hash(base);
      base = base.substring(0, MAX_BYTES - suffix.length());
    }
    return base + suffix;
  }

  private static String hash(String s) {
    CRC32C crc = new CRC32C();
    crc.update(s.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x", crc.getValue());
  }
}
