package io.vectory.streams;

import io.vectory.avro.EmbeddingChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a comparison needs of a checkpoint's rows once its vectors are no longer held: whether another checkpoint holds
 * the same ids in the same order (a SHA-256 of them), and each row's label, as codes into the distinct labels. Fed the
 * chunks in sequence order.
 */
final class RowsDigest {
  private final MessageDigest sha;
  private final int labelColumn;
  private final List<String> labels = new ArrayList<>();
  private final Map<String, Integer> codes = new HashMap<>();
  private int[] rowCodes = new int[1024];
  private int rows;

  /** @param labelColumn index of the label column among the metadata columns, or −1 for none */
  RowsDigest(int labelColumn) {
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    this.labelColumn = labelColumn;
  }

  void add(EmbeddingChunk c) {
    for (int i = 0; i < c.getIds().size(); i++) {
      sha.update(c.getIds().get(i).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      if (labelColumn >= 0) {
        String label = c.getMetadata().get(i).get(labelColumn);
        Integer code = codes.get(label);
        if (code == null) {
          code = labels.size();
          labels.add(label);
          codes.put(label, code);
        }
        if (rows == rowCodes.length) rowCodes = java.util.Arrays.copyOf(rowCodes, 2 * rows);
        rowCodes[rows] = code;
      }
      rows++;
    }
  }

  ByteBuffer digest() {
    return ByteBuffer.wrap(sha.digest());
  }

  List<String> labels() {
    return labels;
  }

  /** Per row, its label's index in {@link #labels}, little-endian int32; null without a label column. */
  ByteBuffer labelCodes() {
    return labelColumn < 0 ? null : io.vectory.core.compare.KnnLists.pack(java.util.Arrays.copyOf(rowCodes, rows));
  }

  /** Per row its label, from what {@link #labels} and {@link #labelCodes} kept; null without a label column. */
  static String[] labelsOf(List<String> labels, ByteBuffer codes) {
    if (codes == null) return null;
    int[] c = io.vectory.core.compare.KnnLists.unpack(codes);
    String[] out = new String[c.length];
    for (int i = 0; i < c.length; i++) out[i] = labels.get(c[i]);
    return out;
  }
}
