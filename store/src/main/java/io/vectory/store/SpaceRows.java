package io.vectory.store;

import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.sink.IndexInfo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A space assembled from an index's points as a store reads them, in any order, each put at the row it was
 * written with: the one home of the checks every store's {@code loadSpace} makes (each row within the entry's
 * row count, as many points as the entry says).
 */
final class SpaceRows {

  private final IndexInfo info;
  private final int n;
  private final int dim;
  private final float[] data;
  private final String[] ids;
  private final Map<String, String[]> cols = new LinkedHashMap<>();
  private int seen;

  SpaceRows(IndexInfo info) {
    this.info = info;
    this.n = Math.toIntExact(info.rows());
    this.dim = info.dimension();
    this.data = new float[Math.multiplyExact(n, dim)];
    this.ids = new String[n];
    for (String c : info.columns()) cols.put(c, new String[n]);
  }

  /** The vectors, row-major: the caller writes a point's vector at the offset {@link #put} returns. */
  float[] data() {
    return data;
  }

  /** Takes one point's id and metadata (by column name) at its row; returns where its vector goes in {@link #data}. */
  int put(long row, String id, Function<String, String> meta) {
    if (row < 0 || row >= n) throw new IllegalArgumentException("index " + info.name() + ": point " + id + " has row " + row + ", expected 0.." + (n - 1));
    int r = (int) row;
    ids[r] = id;
    for (var c : cols.entrySet()) c.getValue()[r] = meta.apply(c.getKey());
    seen++;
    return r * dim;
  }

  Space build() {
    if (seen != n) throw new IllegalArgumentException("index " + info.name() + " holds " + seen + " points, its entry says " + n);
    Map<String, List<String>> columns = new LinkedHashMap<>();
    cols.forEach((c, v) -> columns.put(c, Arrays.asList(v)));
    return new Space(info.name(), Arrays.asList(ids), FloatMatrix.wrap(n, dim, data), columns);
  }
}
