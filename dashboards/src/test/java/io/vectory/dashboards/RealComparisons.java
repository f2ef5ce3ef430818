package io.vectory.dashboards;

import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.datasets.Fortunes;
import io.vectory.core.vectors.FloatMatrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real comparison results for the dashboards' tests: TF-IDF vectors of the datasets module's fortunes corpus (1,307 real texts,
 * 10 labels), seen through a projection head that moves like a training run — a small random step per checkpoint
 * (stable) or, in the drifting run, a large one at the last checkpoint — compared by the core engine (exact k-NN
 * Jaccard, k 10, cosine, self not counted, and linear CKA) with the previous and with the first checkpoint.
 */
final class RealComparisons {
  static final int DIM = 512;
  static final int HEAD = 64;

  /** One comparison result: the checkpoint at stepA against the one at stepB. */
  record Row(String experiment, String relation, long stepA, long stepB, ComparisonOutcome outcome,
      Map<String, Double> labelMeans) {}

  private RealComparisons() {}

  private static FloatMatrix tfidf(List<Fortunes.Fortune> corpus) {
    Pattern word = Pattern.compile("[a-z']+");
    int n = corpus.size();
    List<Map<Integer, Integer>> tf = new ArrayList<>();
    int[] df = new int[DIM];
    for (Fortunes.Fortune f : corpus) {
      Map<Integer, Integer> counts = new HashMap<>();
      Matcher m = word.matcher(f.text().toLowerCase(java.util.Locale.ROOT));
      while (m.find()) counts.merge(Math.floorMod(m.group().hashCode(), DIM), 1, Integer::sum);
      counts.keySet().forEach(i -> df[i]++);
      tf.add(counts);
    }
    float[] data = new float[n * DIM];
    for (int r = 0; r < n; r++) {
      double norm = 0;
      for (Map.Entry<Integer, Integer> e : tf.get(r).entrySet()) {
        double w = (1 + Math.log(e.getValue())) * Math.log((1.0 + n) / (1.0 + df[e.getKey()]));
        data[r * DIM + e.getKey()] = (float) w;
        norm += w * w;
      }
      float inv = (float) (1 / Math.sqrt(norm));
      for (int c = 0; c < DIM; c++) data[r * DIM + c] *= inv;
    }
    return FloatMatrix.wrap(n, DIM, data);
  }

  private static FloatMatrix project(FloatMatrix x, double[] w) {
    int n = x.rows();
    float[] out = new float[n * HEAD];
    float[] xd = x.data();
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < DIM; c++) {
        float v = xd[r * DIM + c];
        if (v == 0f) continue;
        for (int h = 0; h < HEAD; h++) out[r * HEAD + h] += (float) (v * w[c * HEAD + h]);
      }
    }
    return FloatMatrix.wrap(n, HEAD, out);
  }

  private static void step(double[] w, SplittableRandom rnd, double size) {
    double scale = size / Math.sqrt(DIM);
    for (int i = 0; i < w.length; i++) w[i] += scale * gaussian(rnd);
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  /**
   * A run of {@code checkpoints} checkpoints at steps 0, 100, 200, ...; each moves the head by {@code stepSize};
   * when {@code drift} the last one moves it by {@code driftSize} instead.
   */
  static List<Row> run(String experiment, int checkpoints, double stepSize, boolean drift, double driftSize, long seed) {
    List<Fortunes.Fortune> corpus = Fortunes.load();
    String[] labels = corpus.stream().map(Fortunes.Fortune::label).toArray(String[]::new);
    FloatMatrix x = tfidf(corpus);
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] w = new double[DIM * HEAD];
    step(w, rnd, 1.0);
    List<FloatMatrix> spaces = new ArrayList<>();
    spaces.add(project(x, w));
    List<Row> rows = new ArrayList<>();
    CompareOptions o = CompareOptions.defaults();
    for (int t = 1; t < checkpoints; t++) {
      step(w, rnd, drift && t == checkpoints - 1 ? driftSize : stepSize);
      FloatMatrix now = project(x, w);
      spaces.add(now);
      ComparisonOutcome prev = SpaceComparator.compare(now, spaces.get(t - 1), o, ProgressListener.NONE);
      rows.add(new Row(experiment, "previous", t * 100L, (t - 1) * 100L, prev, prev.meanByLabel(labels)));
      ComparisonOutcome first = SpaceComparator.compare(now, spaces.get(0), o, ProgressListener.NONE);
      rows.add(new Row(experiment, "first", t * 100L, 0L, first, first.meanByLabel(labels)));
    }
    return rows;
  }
}
