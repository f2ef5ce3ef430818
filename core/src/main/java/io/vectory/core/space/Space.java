package io.vectory.core.space;

import io.vectory.core.vectors.FloatMatrix;
import java.util.List;
import java.util.Map;

/**
 * A named embedding space: one vector per id, plus optional metadata columns aligned with the rows.
 *
 * @param name where it came from (a file, a registered space)
 * @param ids one id per row, unique
 * @param vectors the embeddings, one per row
 * @param columns metadata columns by name, each with one value per row
 */
public record Space(String name, List<String> ids, FloatMatrix vectors, Map<String, List<String>> columns) {
  public Space {
    if (ids.size() != vectors.rows()) {
      throw new IllegalArgumentException(name + ": " + ids.size() + " ids for " + vectors.rows() + " vectors");
    }
    for (var e : columns.entrySet()) {
      if (e.getValue().size() != vectors.rows()) {
        throw new IllegalArgumentException(name + ": column '" + e.getKey() + "' has " + e.getValue().size()
            + " values for " + vectors.rows() + " rows");
      }
    }
    ids = List.copyOf(ids);
    columns = Map.copyOf(columns);
  }

  /** Rows numbered 0..n-1 as ids, no metadata. */
  public static Space ofRows(String name, FloatMatrix vectors) {
    return new Space(name, rowNumbers(vectors.rows()), vectors, Map.of());
  }

  public static List<String> rowNumbers(int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) ids[i] = Integer.toString(i);
    return List.of(ids);
  }
}
