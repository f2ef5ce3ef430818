package io.vectory.app.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A small embedding model trained for real: a linear projection of sentence embeddings (384 → 64 by default)
 * followed by L2 normalisation, fitted with the batch-all triplet loss (Hermans, Beyer and Leibe 2017) over the
 * corpus labels and plain Adam. The math is written out on float arrays: no DL framework. Single-threaded and
 * seeded, so the same seed gives bit-identical checkpoints.
 *
 * <p>Distances are squared Euclidean between unit vectors, {@code d = 2 - 2 cos}, so the published checkpoints are
 * compared with the cosine metric. After each epoch the whole corpus is projected and handed to the listener as
 * checkpoint {@code step = epoch}.
 *
 * <p>A deliberate drift: at {@code driftEpoch} the learning rate is multiplied by {@code driftLrFactor} for that one
 * epoch (a misconfigured warm restart, say). The neighbourhoods move far more than in the epochs around it, which
 * the pipeline's drift rules should catch.
 */
public final class MetricLearningTrainer {

  /**
   * @param driftEpoch epoch whose learning rate is multiplied by {@code driftLrFactor}; 0 turns the drift off
   */
  public record Config(int epochs, int outDim, double learningRate, double margin, int batchSize, long seed,
                       int driftEpoch, double driftLrFactor) {
    public Config {
      if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      if (outDim < 1) throw new IllegalArgumentException("outDim must be >= 1, got " + outDim);
      if (batchSize < 3) throw new IllegalArgumentException("batchSize must be >= 3, got " + batchSize);
      if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
      if (driftEpoch < 0) throw new IllegalArgumentException("driftEpoch must be >= 0 (0 = off), got " + driftEpoch);
    }

    public static Config defaults() {
      return new Config(8, 64, 0.005, 0.2, 128, 7, 6, 10);
    }

    public Config withEpochs(int e) {
      return new Config(e, outDim, learningRate, margin, batchSize, seed, driftEpoch, driftLrFactor);
    }

    public Config withSeed(long s) {
      return new Config(epochs, outDim, learningRate, margin, batchSize, s, driftEpoch, driftLrFactor);
    }

    public Config withDrift(int epoch, double factor) {
      return new Config(epochs, outDim, learningRate, margin, batchSize, seed, epoch, factor);
    }

    public Config withLearningRate(double lr) {
      return new Config(epochs, outDim, lr, margin, batchSize, seed, driftEpoch, driftLrFactor);
    }

    boolean driftAt(int epoch) {
      return driftEpoch > 0 && epoch == driftEpoch;
    }
  }

  /**
   * The state after one epoch: every corpus point projected by the current head (row-major {@code n × dim}, unit
   * length), in corpus order.
   *
   * @param loss mean batch-all triplet loss over all valid triplets seen in the epoch (inactive ones count as 0)
   * @param activeFraction share of valid triplets that still violated the margin
   * @param learningRate the rate used in this epoch (raised in the drift epoch)
   */
  public record Checkpoint(int step, List<String> ids, List<String> labels, int dim, float[] vectors, double loss,
                           double activeFraction, double learningRate, boolean drift, long trainNanos) {}

  @FunctionalInterface
  public interface Listener {
    void onCheckpoint(Checkpoint checkpoint) throws Exception;
  }

  private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

  private final Config config;
  private final int n, inDim, outDim;
  private final float[] x; // n × inDim, row-major
  private final int[] label;
  private final List<String> ids, rowLabels;
  private final float[] w; // outDim × inDim
  private final double[] m, v; // Adam moments
  private long adamStep;
  private final Random random;

  // Per-batch scratch, allocated once.
  private final float[] y, z, norm, gz, coef, dist;
  private final double[] gw;

  public MetricLearningTrainer(Config config, float[] x, int inDim, int[] label, List<String> ids, List<String> rowLabels) {
    this.n = label.length;
    if (x.length != n * inDim) throw new IllegalArgumentException("x has " + x.length + " floats, expected " + n + " × " + inDim);
    if (ids.size() != n || rowLabels.size() != n) throw new IllegalArgumentException("ids/labels must have " + n + " entries");
    this.config = config;
    this.inDim = inDim;
    this.outDim = config.outDim();
    this.x = x;
    this.label = label;
    this.ids = List.copyOf(ids);
    this.rowLabels = List.copyOf(rowLabels);
    this.random = new Random(config.seed());
    // Gaussian init with variance 1/inDim: a random projection, which keeps the input's neighbourhoods roughly intact.
    this.w = new float[outDim * inDim];
    double scale = 1.0 / Math.sqrt(inDim);
    for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextGaussian() * scale);
    this.m = new double[w.length];
    this.v = new double[w.length];
    int b = config.batchSize();
    this.y = new float[b * outDim];
    this.z = new float[b * outDim];
    this.norm = new float[b];
    this.gz = new float[b * outDim];
    this.coef = new float[b * b];
    this.dist = new float[b * b];
    this.gw = new double[w.length];
  }

  /** All corpus rows, for training on the whole corpus. */
  public static int[] allRows(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) r[i] = i;
    return r;
  }

  /** Projects every corpus point with the current head: unit-length rows, {@code n × outDim}. */
  public float[] project() {
    float[] out = new float[n * outDim];
    for (int i = 0; i < n; i++) {
      double ss = 0;
      for (int o = 0; o < outDim; o++) {
        float s = 0;
        int wo = o * inDim, xi = i * inDim;
        for (int k = 0; k < inDim; k++) s += w[wo + k] * x[xi + k];
        out[i * outDim + o] = s;
        ss += (double) s * s;
      }
      float inv = (float) (1.0 / Math.max(Math.sqrt(ss), 1e-12));
      for (int o = 0; o < outDim; o++) out[i * outDim + o] *= inv;
    }
    return out;
  }

  public int outDim() {
    return outDim;
  }

  /** Runs {@code config.epochs()} epochs over {@code trainRows}, handing a checkpoint to {@code listener} after each. */
  public List<Checkpoint> train(int[] trainRows, Listener listener) throws Exception {
    List<Checkpoint> out = new ArrayList<>();
    int[] order = trainRows.clone();
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      long t0 = System.nanoTime();
      boolean drift = config.driftAt(epoch);
      double lr = config.learningRate() * (drift ? config.driftLrFactor() : 1.0);
      shuffle(order);
      double lossSum = 0;
      long valid = 0, active = 0;
      int bs = config.batchSize();
      for (int start = 0; start < order.length; start += bs) {
        int end = Math.min(order.length, start + bs);
        if (end - start < 3) break; // too small to hold a triplet
        long[] counts = new long[2];
        lossSum += step(order, start, end - start, lr, counts);
        valid += counts[0];
        active += counts[1];
      }
      Checkpoint c = new Checkpoint(epoch, ids, rowLabels, outDim, project(), valid == 0 ? 0 : lossSum / valid,
          valid == 0 ? 0 : (double) active / valid, lr, drift, System.nanoTime() - t0);
      out.add(c);
      if (listener != null) listener.onCheckpoint(c);
    }
    return out;
  }

  /** One Adam step on one batch; returns the summed hinge loss, counts[0] = valid triplets, counts[1] = active ones. */
  private double step(int[] order, int off, int b, double lr, long[] counts) {
    // Forward: y = W x, z = y / |y|.
    for (int i = 0; i < b; i++) {
      int xi = order[off + i] * inDim;
      double ss = 0;
      for (int o = 0; o < outDim; o++) {
        float s = 0;
        int wo = o * inDim;
        for (int k = 0; k < inDim; k++) s += w[wo + k] * x[xi + k];
        y[i * outDim + o] = s;
        ss += (double) s * s;
      }
      norm[i] = (float) Math.max(Math.sqrt(ss), 1e-12);
      for (int o = 0; o < outDim; o++) z[i * outDim + o] = y[i * outDim + o] / norm[i];
    }
    // Pairwise squared distances between unit vectors.
    float[] d = dist;
    for (int i = 0; i < b; i++) {
      for (int j = i; j < b; j++) {
        float dot = 0;
        for (int o = 0; o < outDim; o++) dot += z[i * outDim + o] * z[j * outDim + o];
        d[i * b + j] = d[j * b + i] = 2f - 2f * dot;
      }
    }
    // Batch-all: every (anchor, positive, negative) with a positive hinge counts; the gradient of
    // d(a,p) - d(a,n) + margin is gathered as +1 on pair (a,p) and -1 on pair (a,n).
    Arrays.fill(coef, 0, b * b, 0f);
    float margin = (float) config.margin();
    double loss = 0;
    long valid = 0, active = 0;
    for (int a = 0; a < b; a++) {
      int la = label[order[off + a]];
      for (int p = 0; p < b; p++) {
        if (p == a || label[order[off + p]] != la) continue;
        float dap = d[a * b + p];
        for (int q = 0; q < b; q++) {
          if (label[order[off + q]] == la) continue;
          valid++;
          float l = dap - d[a * b + q] + margin;
          if (l > 0) {
            loss += l;
            active++;
            coef[a * b + p] += 1f;
            coef[a * b + q] -= 1f;
          }
        }
      }
    }
    counts[0] = valid;
    counts[1] = active;
    if (active == 0) return 0;
    // dL/dz for L = mean over active triplets: pair (i,j) with weight c adds 2c(z_i - z_j) to i and the opposite to j.
    Arrays.fill(gz, 0, b * outDim, 0f);
    float inv = 1f / active;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        float c = coef[i * b + j];
        if (c == 0) continue;
        float s = 2f * c * inv;
        for (int o = 0; o < outDim; o++) {
          float diff = s * (z[i * outDim + o] - z[j * outDim + o]);
          gz[i * outDim + o] += diff;
          gz[j * outDim + o] -= diff;
        }
      }
    }
    // Back through the normalisation: dL/dy = (g - z (z·g)) / |y|; then dL/dW = Σ dy xᵀ.
    Arrays.fill(gw, 0);
    for (int i = 0; i < b; i++) {
      float zg = 0;
      for (int o = 0; o < outDim; o++) zg += z[i * outDim + o] * gz[i * outDim + o];
      int xi = order[off + i] * inDim;
      for (int o = 0; o < outDim; o++) {
        float dy = (gz[i * outDim + o] - z[i * outDim + o] * zg) / norm[i];
        if (dy == 0) continue;
        int wo = o * inDim;
        for (int k = 0; k < inDim; k++) gw[wo + k] += dy * x[xi + k];
      }
    }
    // Adam.
    adamStep++;
    double c1 = 1 - Math.pow(BETA1, adamStep), c2 = 1 - Math.pow(BETA2, adamStep);
    for (int k = 0; k < w.length; k++) {
      double g = gw[k];
      m[k] = BETA1 * m[k] + (1 - BETA1) * g;
      v[k] = BETA2 * v[k] + (1 - BETA2) * g * g;
      w[k] -= (float) (lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + EPS));
    }
    return loss;
  }

  private void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
