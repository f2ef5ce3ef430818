package io.vectory.core.projection;

/**
 * UMAP's parameters, with umap-learn's defaults.
 *
 * @param neighbours the size of the local neighbourhood, the point itself included (umap-learn's n_neighbors, 15)
 * @param minDist how tightly points may pack in the layout (0.1)
 * @param spread the scale of the layout (1.0); with minDist it fixes the curve parameters a and b
 * @param epochs optimisation epochs; 0 for umap-learn's choice (500 up to 10,000 points, else 200)
 * @param learningRate the initial SGD step (1.0), decreasing linearly to 0
 * @param negativeSampleRate negative samples per positive sample (5)
 * @param repulsion weight of the negative samples (umap-learn's gamma, 1.0)
 * @param seed the seed of the initial jitter and the negative sampling; same seed, same layout
 */
public record UmapOptions(int neighbours, double minDist, double spread, int epochs, double learningRate,
    int negativeSampleRate, double repulsion, long seed) {

  public UmapOptions {
    if (neighbours < 2) throw new IllegalArgumentException("UMAP neighbours must be at least 2, got " + neighbours);
    if (!(spread > 0)) throw new IllegalArgumentException("UMAP spread must be positive, got " + spread);
    if (!(minDist >= 0) || minDist > spread) {
      throw new IllegalArgumentException("UMAP min_dist must be between 0 and spread = " + spread + ", got " + minDist);
    }
    if (epochs < 0) throw new IllegalArgumentException("UMAP epochs must be 0 (automatic) or positive, got " + epochs);
    if (negativeSampleRate < 0) throw new IllegalArgumentException("UMAP negative sample rate must be >= 0, got " + negativeSampleRate);
  }

  /** 15 neighbours, min_dist 0.1, spread 1.0, automatic epochs, learning rate 1, 5 negative samples, seed 42. */
  public static UmapOptions defaults() {
    return new UmapOptions(15, 0.1, 1.0, 0, 1.0, 5, 1.0, 42L);
  }

  public UmapOptions withSeed(long s) {
    return new UmapOptions(neighbours, minDist, spread, epochs, learningRate, negativeSampleRate, repulsion, s);
  }

  public UmapOptions withEpochs(int e) {
    return new UmapOptions(neighbours, minDist, spread, e, learningRate, negativeSampleRate, repulsion, seed);
  }

  public UmapOptions withNeighbours(int k) {
    return new UmapOptions(k, minDist, spread, epochs, learningRate, negativeSampleRate, repulsion, seed);
  }

  /** The epochs actually run for n points. */
  public int epochsFor(int n) {
    return epochs > 0 ? epochs : (n <= 10_000 ? 500 : 200);
  }
}
