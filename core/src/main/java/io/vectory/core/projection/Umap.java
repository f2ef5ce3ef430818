package io.vectory.core.projection;

import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.vectors.FloatMatrix;

/**
 * UMAP (McInnes, Healy and Melville 2018) to two dimensions, following umap-learn's algorithm step by step:
 * <ol>
 *   <li>the exact k-nearest-neighbour graph ({@link ExactKnn}; umap-learn uses an approximate one);</li>
 *   <li>the fuzzy simplicial set: per point, ρ = distance to the nearest neighbour and σ by binary search so that
 *       Σ exp(−(d − ρ)/σ) = log₂(neighbours), giving directed weights w = exp(−(d − ρ)/σ);</li>
 *   <li>symmetrisation by fuzzy union, w + wᵀ − w∘wᵀ, dropping weights below max/epochs;</li>
 *   <li>initial layout: the first two principal components, scaled to [0, 10], plus seeded jitter of 10⁻⁴
 *       (umap-learn's default is a spectral layout; PCA is its documented alternative);</li>
 *   <li>SGD on the fuzzy cross-entropy: each edge is sampled every max/w epochs, pulls its ends together with
 *       the gradient of 1/(1 + a·d^(2b)) and is followed by {@code negativeSampleRate} random repulsions;
 *       gradients clipped to ±4; the step decays linearly from the learning rate to 0.</li>
 * </ol>
 * Single-threaded after the k-NN search and seeded, so the same input, options and seed give the same layout,
 * bit for bit. For 20,000 points with 200 epochs: a few seconds plus the k-NN search.
 *
 * <p>Metrics: cosine (distance 1 − cos) and euclidean. Dot products are not a distance; a space searched by dot
 * is laid out with the euclidean distance.
 */
public final class Umap {

  private static final double SMOOTH_K_TOLERANCE = 1e-5;
  private static final double MIN_K_DIST_SCALE = 1e-3;

  private Umap() {}

  /** The umap-learn curve parameters a and b for min_dist and spread (see {@link #fitAb}). */
  public record Curve(double a, double b) {}

  /** Lays out the rows of {@code m} in 2-D: an n × 2 matrix. */
  public static FloatMatrix layout(FloatMatrix m, Metric metric, UmapOptions o, ProjectionProgress progress) {
    Metric used = metric == Metric.COSINE ? Metric.COSINE : Metric.EUCLIDEAN;
    FloatMatrix initFrom = used == Metric.COSINE ? Projections.unitRows(m) : m;
    progress.progress("pca", 0, 1);
    FloatMatrix init = Pca.project(initFrom, Math.min(2, m.cols()));
    progress.progress("pca", 1, 1);
    return layout(m, used, init, o, progress);
  }

  /**
   * Lays out the rows of {@code m} in 2-D starting from {@code init} (n × 2, or n × 1 for 1-D data, rescaled to
   * [0, 10] here).
   */
  public static FloatMatrix layout(FloatMatrix m, Metric metric, FloatMatrix init, UmapOptions o, ProjectionProgress progress) {
    final int n = m.rows();
    if (n < 3) throw new IllegalArgumentException("UMAP needs at least 3 points, got " + n);
    if (init.rows() != n) throw new IllegalArgumentException("initial layout has " + init.rows() + " rows for " + n + " points");
    if (metric == Metric.DOT) metric = Metric.EUCLIDEAN;
    final int k = Math.min(o.neighbours() - 1, n - 1); // neighbours other than the point itself
    final Metric knnMetric = metric;
    int[] nn = ExactKnn.search(m, knnMetric, k, false, null, (done, total) -> progress.progress("knn", done, total));
    double[] dist = distances(m, metric, nn, k);

    // Fuzzy simplicial set: per-point rho and sigma, then directed membership strengths.
    progress.progress("graph", 0, 1);
    double[] w = memberships(dist, n, k, o.neighbours());
    Graph g = symmetrise(nn, w, n, k, o.epochsFor(n));
    progress.progress("graph", 1, 1);

    float[] y = initialLayout(init, o.seed());
    Curve c = fitAb(o.spread(), o.minDist());
    optimise(y, n, g, c, o, progress);
    return FloatMatrix.wrap(n, 2, y);
  }

  /** The distance of each point to each of its k neighbours (cosine: 1 − cos; euclidean: ‖x − y‖), in double. */
  static double[] distances(FloatMatrix m, Metric metric, int[] nn, int k) {
    int n = m.rows();
    int d = m.cols();
    float[] x = m.data();
    double[] norms = m.rowNorms();
    double[] out = new double[n * k];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < k; s++) {
        double e = ExactKnn.exact(metric, x, d, norms, i, nn[i * k + s]);
        out[i * k + s] = metric == Metric.COSINE ? Math.max(0, e) : Math.sqrt(e);
      }
    }
    return out;
  }

  /** umap-learn's smooth_knn_dist and compute_membership_strengths, local connectivity 1, bandwidth 1. */
  static double[] memberships(double[] dist, int n, int k, int neighbours) {
    double target = Math.log(neighbours) / Math.log(2);
    double meanAll = 0;
    for (double v : dist) meanAll += v;
    meanAll /= (double) n * (k + 1); // umap-learn's rows include the point itself at distance 0
    double[] w = new double[n * k];
    for (int i = 0; i < n; i++) {
      int base = i * k;
      double rho = 0;
      double rowSum = 0;
      for (int s = 0; s < k; s++) {
        rowSum += dist[base + s];
        if (rho == 0 && dist[base + s] > 0) rho = dist[base + s]; // the first non-zero distance
      }
      double lo = 0;
      double hi = Double.POSITIVE_INFINITY;
      double mid = 1.0;
      for (int it = 0; it < 64; it++) {
        double psum = 0;
        for (int s = 0; s < k; s++) {
          double t = dist[base + s] - rho;
          psum += t > 0 ? Math.exp(-(t / mid)) : 1.0;
        }
        if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
        if (psum > target) {
          hi = mid;
          mid = (lo + hi) / 2;
        } else {
          lo = mid;
          mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
        }
      }
      double sigma = mid;
      double floor = MIN_K_DIST_SCALE * (rho > 0 ? rowSum / (k + 1) : meanAll);
      if (sigma < floor) sigma = floor;
      for (int s = 0; s < k; s++) {
        double t = dist[base + s] - rho;
        w[base + s] = (t <= 0 || sigma == 0) ? 1.0 : Math.exp(-(t / sigma));
      }
    }
    return w;
  }

  /** The symmetric graph as directed edges (both directions of each pair), with each edge's sampling period. */
  record Graph(int[] head, int[] tail, double[] epochsPerSample) {
    int edges() {
      return head.length;
    }
  }

  /** Fuzzy union w + wᵀ − w∘wᵀ, then umap-learn's pruning of weights below max/epochs. */
  static Graph symmetrise(int[] nn, double[] w, int n, int k, int epochs) {
    int cap = 2 * n * k;
    int[] head = new int[cap];
    int[] tail = new int[cap];
    double[] weight = new double[cap];
    int e = 0;
    double max = 0;
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < k; s++) {
        int j = nn[i * k + s];
        double wij = w[i * k + s];
        double wji = -1;
        for (int t = 0; t < k; t++) {
          if (nn[j * k + t] == i) {
            wji = w[j * k + t];
            break;
          }
        }
        double p;
        if (wji >= 0) {
          if (j < i) continue; // a mutual pair: emitted once, from its lower end
          p = wij + wji - wij * wji;
        } else {
          p = wij;
        }
        if (p <= 0) continue;
        head[e] = i;
        tail[e] = j;
        weight[e++] = p;
        head[e] = j;
        tail[e] = i;
        weight[e++] = p;
        max = Math.max(max, p);
      }
    }
    double cut = max / epochs;
    int kept = 0;
    for (int q = 0; q < e; q++) {
      if (weight[q] >= cut) {
        head[kept] = head[q];
        tail[kept] = tail[q];
        weight[kept++] = weight[q];
      }
    }
    int[] h = java.util.Arrays.copyOf(head, kept);
    int[] t = java.util.Arrays.copyOf(tail, kept);
    double[] eps = new double[kept];
    for (int q = 0; q < kept; q++) eps[q] = max / weight[q];
    return new Graph(h, t, eps);
  }

  /** The initial coordinates scaled to [0, 10] per axis, plus N(0, 10⁻⁴) jitter that separates duplicates. */
  static float[] initialLayout(FloatMatrix init, long seed) {
    int n = init.rows();
    int dims = init.cols();
    float[] y = new float[n * 2];
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    for (int c = 0; c < 2; c++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      if (c < dims) {
        for (int r = 0; r < n; r++) {
          lo = Math.min(lo, init.get(r, c));
          hi = Math.max(hi, init.get(r, c));
        }
      }
      double scale = c < dims && hi > lo ? 10.0 / (hi - lo) : 0;
      for (int r = 0; r < n; r++) {
        double v = c < dims ? (init.get(r, c) - lo) * scale : 5.0;
        y[r * 2 + c] = (float) (v + 1e-4 * gaussian(rnd));
      }
    }
    return y;
  }

  private static double gaussian(java.util.SplittableRandom rnd) {
    // Box–Muller from the seeded stream (java.util.Random's nextGaussian would do too, but this one is splittable).
    double u = 1.0 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** umap-learn's optimize_layout_euclidean, single-threaded, move_other on, with a seeded xorshift generator. */
  static void optimise(float[] y, int n, Graph g, Curve c, UmapOptions o, ProjectionProgress progress) {
    final int epochs = o.epochsFor(n);
    final int edges = g.edges();
    final int[] head = g.head();
    final int[] tail = g.tail();
    final double[] eps = g.epochsPerSample();
    final double a = c.a();
    final double b = c.b();
    final double gamma = o.repulsion();
    final int rate = o.negativeSampleRate();
    final double[] next = eps.clone();
    final double[] epsNeg = new double[edges];
    final double[] nextNeg = new double[edges];
    for (int q = 0; q < edges; q++) {
      epsNeg[q] = rate == 0 ? Double.POSITIVE_INFINITY : eps[q] / rate;
      nextNeg[q] = epsNeg[q];
    }
    long state = o.seed() ^ 0x9E3779B97F4A7C15L;
    if (state == 0) state = 1;
    double alpha = o.learningRate();
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int q = 0; q < edges; q++) {
        if (next[q] > epoch) continue;
        int j = head[q];
        int k = tail[q];
        int jo = j * 2;
        int ko = k * 2;
        double dx = y[jo] - y[ko];
        double dy = y[jo + 1] - y[ko + 1];
        double d2 = dx * dx + dy * dy;
        double coeff = 0;
        if (d2 > 0) {
          double pb = Math.pow(d2, b);
          coeff = -2.0 * a * b * (pb / d2) / (a * pb + 1.0);
        }
        double gx = clip(coeff * dx);
        double gy = clip(coeff * dy);
        y[jo] += (float) (gx * alpha);
        y[jo + 1] += (float) (gy * alpha);
        y[ko] -= (float) (gx * alpha);
        y[ko + 1] -= (float) (gy * alpha);
        next[q] += eps[q];

        int negatives = (int) ((epoch - nextNeg[q]) / epsNeg[q]);
        for (int p = 0; p < negatives; p++) {
          state ^= state << 13;
          state ^= state >>> 7;
          state ^= state << 17;
          int r = (int) Long.remainderUnsigned(state, n);
          int ro = r * 2;
          dx = y[jo] - y[ro];
          dy = y[jo + 1] - y[ro + 1];
          d2 = dx * dx + dy * dy;
          if (d2 > 0) {
            double rc = 2.0 * gamma * b / ((0.001 + d2) * (a * Math.pow(d2, b) + 1.0));
            y[jo] += (float) (clip(rc * dx) * alpha);
            y[jo + 1] += (float) (clip(rc * dy) * alpha);
          } else if (r != j) {
            // Coincident distinct points: umap-learn pushes by the clip bound in every coordinate.
            y[jo] += (float) (4.0 * alpha);
            y[jo + 1] += (float) (4.0 * alpha);
          }
        }
        nextNeg[q] += negatives * epsNeg[q];
      }
      alpha = o.learningRate() * (1.0 - (double) (epoch + 1) / epochs);
      progress.progress("layout", epoch + 1, epochs);
    }
  }

  private static double clip(double v) {
    return v > 4.0 ? 4.0 : (v < -4.0 ? -4.0 : v);
  }

  /**
   * Fits 1 / (1 + a·x^(2b)) to the target membership curve (1 below minDist, exp(−(x − minDist)/spread) above) at
   * 300 points on [0, 3·spread], by Levenberg–Marquardt from a = b = 1, as umap-learn's find_ab_params does with
   * scipy's curve_fit. For min_dist 0.1 and spread 1: a ≈ 1.577, b ≈ 0.895.
   */
  public static Curve fitAb(double spread, double minDist) {
    int m = 300;
    double[] xs = new double[m];
    double[] ys = new double[m];
    for (int i = 0; i < m; i++) {
      xs[i] = spread * 3 * i / (m - 1);
      ys[i] = xs[i] < minDist ? 1.0 : Math.exp(-(xs[i] - minDist) / spread);
    }
    double a = 1;
    double b = 1;
    double lambda = 1e-3;
    double cost = cost(xs, ys, a, b);
    for (int it = 0; it < 500; it++) {
      // Normal equations JᵀJ δ = −Jᵀr of the 2-parameter problem.
      double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
      for (int i = 0; i < m; i++) {
        double x = xs[i];
        double u = x > 0 ? Math.pow(x, 2 * b) : 0;
        double den = 1 + a * u;
        double f = 1 / den;
        double r = f - ys[i];
        double da = -u / (den * den);
        double db = x > 0 ? -a * u * 2 * Math.log(x) / (den * den) : 0;
        jaa += da * da;
        jab += da * db;
        jbb += db * db;
        ga += da * r;
        gb += db * r;
      }
      double improvedCost;
      double na;
      double nb;
      while (true) {
        double m00 = jaa * (1 + lambda);
        double m11 = jbb * (1 + lambda);
        double det = m00 * m11 - jab * jab;
        double sa = (-ga * m11 + gb * jab) / det;
        double sb = (-gb * m00 + ga * jab) / det;
        na = a + sa;
        nb = b + sb;
        improvedCost = na > 0 && nb > 0 ? cost(xs, ys, na, nb) : Double.POSITIVE_INFINITY;
        if (improvedCost < cost) {
          lambda = Math.max(lambda / 10, 1e-12);
          break;
        }
        lambda *= 10;
        if (lambda > 1e12) return new Curve(a, b);
      }
      boolean converged = cost - improvedCost < 1e-15 * Math.max(1, cost) && Math.abs(na - a) < 1e-12 && Math.abs(nb - b) < 1e-12;
      a = na;
      b = nb;
      cost = improvedCost;
      if (converged) break;
    }
    return new Curve(a, b);
  }

  private static double cost(double[] xs, double[] ys, double a, double b) {
    double s = 0;
    for (int i = 0; i < xs.length; i++) {
      double u = xs[i] > 0 ? Math.pow(xs[i], 2 * b) : 0;
      double r = 1 / (1 + a * u) - ys[i];
      s += r * r;
    }
    return s;
  }
}
