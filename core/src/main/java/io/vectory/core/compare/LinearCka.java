package io.vectory.core.compare;

import io.vectory.core.compare.CentredProducts.Centring;
import io.vectory.core.vectors.FloatMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear centred kernel alignment (Kornblith et al., 2019, "Similarity of Neural Network Representations
 * Revisited", eq. for linear CKA): with column-centred X (n×d1) and Y (n×d2),
 * CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F). Two equal forms, the cheaper one chosen per pair:
 * <ul>
 *   <li>feature space: costs n·(d1² + d2² + d1·d2) and d1·d2 doubles per worker, never an n×n matrix. The products
 *       run on {@link DotKernel} over chunks of 256 rows (float within a chunk), summed into double accumulators.</li>
 *   <li>Gram (point) space, for wide spaces (d &gt; n, e.g. 50 points of 20,000 dimensions, whose d×d products
 *       would not fit in memory): with K = XXᵀ and L = YYᵀ of the centred data, ‖YᵀX‖²_F = Σ K∘L and ‖XᵀX‖_F = ‖K‖_F;
 *       computed row by row, n²·(d1 + d2) work and no n×n matrix held.</li>
 * </ul>
 */
public final class LinearCka {
  private LinearCka() {}

  public static double compute(FloatMatrix x, FloatMatrix y) {
    return compute(x, y, Double.NaN, Double.NaN);
  }

  /**
   * A space's own term of linear CKA, ‖XᵀX‖²_F of its column-centred rows: it depends on that space alone, so the
   * pipeline keeps it beside the space's k-NN lists, and a comparison with kept terms computes only the cross term
   * ‖YᵀX‖²_F (one n·d1·d2 product instead of three). NaN for a space whose pairs of its own width take the Gram form
   * (wide spaces: no d×d product is made for them).
   */
  public static double selfTerm(FloatMatrix x) {
    if (usesGram(x.rows(), x.cols(), x.cols())) return Double.NaN;
    DotKernel kernel = DotKernel.forWork(0.5 * x.rows() * x.cols() * x.cols());
    Centring cx = Centring.of(x, kernel.width());
    return frobeniusSquared(kernel, cx, cx);
  }

  /**
   * Whether CKA of this pair is made of kept terms: the cross term {@link #crossTerm} and each space's {@link #selfTerm}
   * ({@link #fromTerms}). False where the pair takes the Gram form (wide spaces), which only {@link #compute} gives.
   */
  public static boolean splitsIntoTerms(FloatMatrix x, FloatMatrix y) {
    return !usesGram(x.rows(), x.cols(), y.cols());
  }

  /**
   * The cross term ‖YᵀX‖²_F of the column-centred spaces: the one product a comparison needs when both spaces' own
   * terms are kept. Only for pairs that {@link #splitsIntoTerms split into terms}.
   */
  public static double crossTerm(FloatMatrix x, FloatMatrix y) {
    requireSameRows(x, y);
    if (!splitsIntoTerms(x, y)) throw new IllegalArgumentException("a " + x.rows() + "-row pair of " + x.cols() + " and " + y.cols()
        + " dimensions takes the Gram form: compute it whole");
    DotKernel kernel = DotKernel.forWork((double) x.rows() * x.cols() * y.cols());
    return frobeniusSquared(kernel, Centring.of(x, kernel.width()), Centring.of(y, kernel.width()));
  }

  private static void requireSameRows(FloatMatrix x, FloatMatrix y) {
    if (x.rows() != y.rows()) {
      throw new IllegalArgumentException("CKA needs the same points in both spaces: " + x.rows() + " vs " + y.rows() + " rows");
    }
  }

  /** Linear CKA from its three terms; NaN when a space has no variance (an own term of 0) or a term is unknown (NaN). */
  public static double fromTerms(double cross, double selfX, double selfY) {
    if (selfX == 0 || selfY == 0) return Double.NaN;
    return cross / (Math.sqrt(selfX) * Math.sqrt(selfY));
  }

  /**
   * As {@link #compute(FloatMatrix, FloatMatrix)}, with each space's {@link #selfTerm} as kept (NaN: computed here).
   * The Gram form (wide spaces) gets its own terms from the Gram loops it runs anyway, and ignores these.
   */
  public static double compute(FloatMatrix x, FloatMatrix y, double selfX, double selfY) {
    requireSameRows(x, y);
    DotKernel kernel = DotKernel.forWork((double) x.rows() * (x.cols() + y.cols()) * (x.cols() + y.cols()) / 2);
    int w = kernel.width();
    if (usesGram(x.rows(), x.cols(), y.cols())) return gramForm(centre(x, w), centre(y, w));
    return featureForm(kernel, Centring.of(x, w), Centring.of(y, w), selfX, selfY);
  }

  /**
   * Whether the Gram form is used: when the feature form's d×d accumulators would take more than a quarter of
   * the heap, or when the spaces are wider than they are long and small enough for the plain Gram loops.
   */
  static boolean usesGram(int n, int d1, int d2) {
    int workers = Math.max(1, Parallel.threads());
    // A float tile and a double accumulator per worker for each of the three products, made in one pass.
    long featureBytes = 12L * workers * ((long) d1 * d1 + (long) d2 * d2 + (long) d1 * d2);
    return featureBytes > Runtime.getRuntime().maxMemory() / 4 || (n < Math.max(d1, d2) && n <= 2048);
  }

  static double featureForm(DotKernel kernel, Centring cx, Centring cy) {
    return featureForm(kernel, cx, cy, Double.NaN, Double.NaN);
  }

  /** The feature form with the spaces' own terms ‖XᵀX‖²_F and ‖YᵀY‖²_F as kept (NaN: computed here). */
  static double featureForm(DotKernel kernel, Centring cx, Centring cy, double selfX, double selfY) {
    // The products a comparison needs, in one pass over the rows: XᵀY, and each own term not kept.
    List<Centring[]> pairs = new ArrayList<>();
    pairs.add(new Centring[] {cx, cy});
    if (Double.isNaN(selfX)) pairs.add(new Centring[] {cx, cx});
    if (Double.isNaN(selfY)) pairs.add(new Centring[] {cy, cy});
    CentredProducts.Product[] p = CentredProducts.products(kernel, pairs.toArray(Centring[][]::new));
    int next = 1;
    double xy = frobeniusSquared(p[0]);
    double xx = Double.isNaN(selfX) ? frobeniusSquared(p[next++]) : selfX;
    double yy = Double.isNaN(selfY) ? frobeniusSquared(p[next]) : selfY;
    return fromTerms(xy, xx, yy);
  }

  /** Σ_ij K_ij·L_ij over Σ K² and Σ L², row i against rows j ≥ i (symmetric), rows spread over the cores. */
  static double gramForm(Centred cx, Centred cy) {
    int n = cx.rows();
    int workers = Math.min(Parallel.threads(), n);
    double[][] sums = new double[workers][3];
    Parallel.run(workers, n, (wk, i) -> {
      double kl = 0, kk = 0, ll = 0;
      for (int j = i; j < n; j++) {
        double k = dot(cx, i, j);
        double l = dot(cy, i, j);
        double weight = j == i ? 1 : 2;
        kl += weight * k * l;
        kk += weight * k * k;
        ll += weight * l * l;
      }
      double[] s = sums[wk];
      s[0] += kl;
      s[1] += kk;
      s[2] += ll;
    });
    double kl = 0, kk = 0, ll = 0;
    for (double[] s : sums) {
      kl += s[0];
      kk += s[1];
      ll += s[2];
    }
    if (kk == 0 || ll == 0) return Double.NaN; // a space with no variance
    return kl / (Math.sqrt(kk) * Math.sqrt(ll));
  }

  private static double dot(Centred m, int i, int j) {
    float[] v = m.data();
    int a = i * m.stride(), b = j * m.stride();
    double s = 0;
    for (int c = 0; c < m.cols(); c++) s += (double) v[a + c] * v[b + c];
    return s;
  }

  /** Column-centred copy with the row stride padded to a multiple of the kernel width (padding is zero). */
  record Centred(float[] data, int rows, int cols, int stride) {}

  /** The Gram form's random row access wants the whole centred copy; it runs only on short (wide) spaces. */
  static Centred centre(FloatMatrix m, int w) {
    Centring c = Centring.of(m, w);
    float[] out = new float[Math.multiplyExact(m.rows(), c.stride())];
    c.rows(0, m.rows(), out);
    return new Centred(out, m.rows(), m.cols(), c.stride());
  }

  /**
   * ‖AᵀB‖²_F from the summed product; for A = B (a space's own term) half the products were made: panel pairs above
   * the diagonal stand for their mirror too.
   */
  private static double frobeniusSquared(DotKernel kernel, Centring a, Centring b) {
    return frobeniusSquared(CentredProducts.product(kernel, a, b));
  }

  private static double frobeniusSquared(CentredProducts.Product p) {
    double total = 0;
    for (int i = 0; i < p.rows(); i++) {
      for (int j = p.symmetric() ? i : 0; j < p.cols(); j++) {
        double v = p.values()[i * p.stride() + j];
        total += (p.symmetric() && i != j ? 2 : 1) * v * v;
      }
    }
    return total;
  }
}
