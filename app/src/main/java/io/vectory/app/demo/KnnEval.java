package io.vectory.app.demo;

import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.vectors.FloatMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * k-NN label accuracy under cosine similarity: how well a space's neighbourhoods follow the labels. A query's label
 * is predicted by majority vote of its k nearest candidates (never itself), found by core's exact k-NN
 * ({@link ExactKnn}: exact cosine, ties by lower candidate position); a tied vote goes to the label whose voter is
 * nearest. Used to show (and test) that training helps.
 */
public final class KnnEval {
  private KnnEval() {}

  /** Accuracy of predicting each of {@code queries} from its k nearest among {@code candidates} (a query is never its own neighbour). */
  public static double accuracy(float[] vectors, int dim, int[] label, int[] queries, int[] candidates, int k) {
    if (queries.length == 0) return Double.NaN;
    FloatMatrix all = FloatMatrix.wrap(label.length, dim, vectors);
    boolean everyRow = Arrays.equals(queries, candidates) && isIdentity(candidates, label.length);
    FloatMatrix pool = everyRow ? all : all.selectRows(candidates);
    Map<Integer, Integer> position = new HashMap<>();
    for (int i = 0; i < candidates.length; i++) position.putIfAbsent(candidates[i], i);
    List<Integer> inside = new ArrayList<>(), outside = new ArrayList<>();
    for (int q : queries) (position.containsKey(q) ? inside : outside).add(q);
    int correct = 0;
    if (!inside.isEmpty()) {
      // Queries that are candidates: one search of the pool from their own rows (null: every row, the symmetric pass).
      int kk = Math.min(k, pool.rows() - 1);
      int[] rows = everyRow ? null : inside.stream().mapToInt(position::get).toArray();
      int[] nn = ExactKnn.search(pool, Metric.COSINE, kk, false, rows, ProgressListener.NONE);
      for (int i = 0; i < inside.size(); i++) if (predict(nn, i * kk, kk, candidates, label) == label[inside.get(i)]) correct++;
    }
    for (int q : outside) {
      // A held-out query: the pool plus the query as its last row, searched from that row.
      float[] data = Arrays.copyOf(pool.data(), (pool.rows() + 1) * dim);
      System.arraycopy(vectors, q * dim, data, pool.rows() * dim, dim);
      int kk = Math.min(k, pool.rows());
      int[] nn = ExactKnn.search(FloatMatrix.wrap(pool.rows() + 1, dim, data), Metric.COSINE, kk, false, new int[] {pool.rows()},
          ProgressListener.NONE);
      if (predict(nn, 0, kk, candidates, label) == label[q]) correct++;
    }
    return (double) correct / queries.length;
  }

  /** Majority label of the k neighbours at nn[from..from+k) (pool positions), a tie to the label of the nearer voter. */
  private static int predict(int[] nn, int from, int k, int[] candidates, int[] label) {
    Map<Integer, int[]> votes = new HashMap<>(); // label → {votes, rank of its nearest voter}
    for (int r = 0; r < k; r++) {
      int l = label[candidates[nn[from + r]]];
      int[] v = votes.computeIfAbsent(l, x -> new int[] {0, Integer.MAX_VALUE});
      v[0]++;
      v[1] = Math.min(v[1], r);
    }
    int predicted = -1;
    int[] best = null;
    for (Map.Entry<Integer, int[]> e : votes.entrySet()) {
      int[] v = e.getValue();
      if (best == null || v[0] > best[0] || (v[0] == best[0] && v[1] < best[1])) {
        predicted = e.getKey();
        best = v;
      }
    }
    return predicted;
  }

  private static boolean isIdentity(int[] rows, int n) {
    if (rows.length != n) return false;
    for (int i = 0; i < n; i++) if (rows[i] != i) return false;
    return true;
  }
}
