package io.vectory.core.projection;

import io.vectory.core.compare.Metric;
import io.vectory.core.vectors.FloatMatrix;
import java.util.Locale;

/**
 * The entry point of 2-D projections for the analyser: PCA, UMAP, and PCA to 50 dimensions then UMAP.
 *
 * <p>A space searched by cosine is projected from its unit-length rows, so every method sees the geometry the
 * metric sees (on unit vectors the euclidean distance is a monotone function of the cosine distance).
 */
public final class Projections {

  /** Dimensions PCA keeps before UMAP in {@link Method#PCA_UMAP}, as in the usual recipe. */
  public static final int PCA_UMAP_DIMS = 50;

  private Projections() {}

  public enum Method {
    PCA("pca"),
    UMAP("umap"),
    PCA_UMAP("pca+umap");

    private final String label;

    Method(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** Accepts pca, umap and pca+umap (also pca_umap, pca-umap), in any case. */
    public static Method parse(String s) {
      String t = s == null ? "" : s.strip().toLowerCase(Locale.ROOT).replace('_', '+').replace('-', '+').replace(' ', '+');
      for (Method m : values()) if (m.label.equals(t)) return m;
      throw new IllegalArgumentException("unknown projection '" + s + "'; expected pca, umap or pca+umap");
    }
  }

  /**
   * A 2-D layout.
   *
   * @param method how it was made
   * @param xy n × 2 coordinates, in the rows' order
   * @param description what was done, with the numbers (for the analyser to show)
   * @param nanos wall time
   */
  public record Layout(Method method, FloatMatrix xy, String description, long nanos) {}

  public static Layout project(FloatMatrix m, Metric metric, Method method, UmapOptions o, ProjectionProgress progress) {
    long t0 = System.nanoTime();
    boolean cosine = metric == Metric.COSINE;
    // UMAP takes the raw rows (its k-NN search normalises for cosine, and it normalises its own PCA start).
    FloatMatrix x = cosine && method != Method.UMAP ? unitRows(m) : m;
    String from = cosine ? "unit-length rows (cosine space)" : "raw rows";
    FloatMatrix xy;
    String description;
    switch (method) {
      case PCA -> {
        progress.progress("pca", 0, 1);
        Pca p = Pca.fit(x, Math.min(2, x.cols()));
        xy = pad(p.transform(x));
        double[] r = p.explainedVarianceRatio();
        description = String.format(Locale.ROOT, "PCA of %s, centred: PC1 explains %.1f%% of the variance, PC2 %.1f%%",
            from, 100 * r[0], r.length > 1 ? 100 * r[1] : 0.0);
        progress.progress("pca", 1, 1);
      }
      case UMAP -> {
        xy = Umap.layout(m, metric, o, progress);
        description = umapText(o, m.rows(), cosine ? "cosine" : "euclidean", "");
      }
      case PCA_UMAP -> {
        progress.progress("pca", 0, 1);
        int dims = Math.min(PCA_UMAP_DIMS, x.cols());
        Pca p = Pca.fit(x, dims);
        FloatMatrix reduced = p.transform(x);
        progress.progress("pca", 1, 1);
        double kept = 0;
        for (double v : p.explainedVarianceRatio()) kept += v;
        FloatMatrix init = firstColumns(reduced, Math.min(2, dims));
        xy = Umap.layout(reduced, Metric.EUCLIDEAN, init, o, progress);
        description = umapText(o, m.rows(), "euclidean",
            String.format(Locale.ROOT, " on PCA to %d dimensions of %s (%.1f%% of the variance kept)", dims, from, 100 * kept));
      }
      default -> throw new IllegalStateException();
    }
    return new Layout(method, xy, description, System.nanoTime() - t0);
  }

  private static String umapText(UmapOptions o, int n, String metric, String input) {
    return String.format(Locale.ROOT,
        "UMAP%s: %d neighbours (exact k-NN, %s), min_dist %s, spread %s, %d epochs, %d negative samples per edge, seed %d, PCA init",
        input, o.neighbours(), metric, fmt(o.minDist()), fmt(o.spread()), o.epochsFor(n), o.negativeSampleRate(), o.seed());
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
  }

  /** Rows scaled to unit length (zero rows stay zero). */
  public static FloatMatrix unitRows(FloatMatrix m) {
    int n = m.rows();
    int d = m.cols();
    float[] x = m.data();
    float[] out = new float[x.length];
    for (int r = 0; r < n; r++) {
      double s = 0;
      for (int c = 0, o = r * d; c < d; c++) s += (double) x[o + c] * x[o + c];
      double inv = s > 0 ? 1.0 / Math.sqrt(s) : 0;
      for (int c = 0, o = r * d; c < d; c++) out[o + c] = (float) (x[o + c] * inv);
    }
    return FloatMatrix.wrap(n, d, out);
  }

  private static FloatMatrix firstColumns(FloatMatrix m, int cols) {
    int n = m.rows();
    float[] out = new float[n * cols];
    for (int r = 0; r < n; r++) for (int c = 0; c < cols; c++) out[r * cols + c] = m.get(r, c);
    return FloatMatrix.wrap(n, cols, out);
  }

  /** 1-D data gets a zero second coordinate. */
  private static FloatMatrix pad(FloatMatrix m) {
    if (m.cols() == 2) return m;
    int n = m.rows();
    float[] out = new float[n * 2];
    for (int r = 0; r < n; r++) out[r * 2] = m.get(r, 0);
    return FloatMatrix.wrap(n, 2, out);
  }
}
