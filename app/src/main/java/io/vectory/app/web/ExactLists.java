package io.vectory.app.web;

import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.vectors.FloatMatrix;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The analyser's one source of exact k-NN lists: both the coincidence colours and the neighbour tables read
 * them, so a table's "n of k in both" is the point's coincidence. Lists are kept at the largest k asked so far
 * (a k-list's first k' entries are the k'-list). The seam where the store's kept lists take over once it keeps
 * them per space.
 */
final class ExactLists {

  /** Lists of the few most recent (matrix version, metric) pairs. */
  private final Map<String, KnnLists> kept = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, KnnLists> e) {
      return size() > 8;
    }
  });

  /**
   * Exact lists of every row of {@code m} (self excluded, ties by lower row) at {@code k}.
   *
   * @param version identifies {@code m}'s content and row order (a space version, plus the alignment)
   */
  KnnLists lists(String version, FloatMatrix m, Metric metric, int k) {
    String key = version + "|" + metric;
    KnnLists l = kept.get(key);
    if (l != null && l.k() >= k) return l.truncate(k);
    KnnLists fresh = KnnLists.compute(m, metric, k, false, null, ProgressListener.NONE);
    kept.put(key, fresh);
    return fresh;
  }
}
