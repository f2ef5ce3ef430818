package io.vectory.core.compare;

import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;

/**
 * Block products Q·Xᵀ (n × n × d, float32) by the two candidate kernels, on one thread and then on all
 * cores: core's Vector API kernel (256 × 256 tiles, as the engine runs it) and OpenBLAS cblas_sgemm (on the
 * same 256 × 256 tiles, and on big 1024 × n blocks, its best case). Prints GFLOP/s (2·n·n·d flops).
 * It lives in core's package to reach the package-private kernel; it is not part of core.
 */
public final class KernelBench {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Random r = new Random(1);
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    double flops = 2.0 * n * n * d;
    System.out.printf(Locale.ROOT, "block products %d x %d x %d, %d cores, vector species %s%n", n, n, d,
        Runtime.getRuntime().availableProcessors(), DotKernel.best().getClass().getSimpleName() + "/" + DotKernel.best().width());
    for (int threads : new int[] {1, Runtime.getRuntime().availableProcessors()}) {
      for (int rep = 0; rep < reps; rep++) {
        double v = vector(x, n, d, threads);
        double b = blasTiles(x, n, d, threads, 256);
        double big = blasTiles(x, n, d, threads, 1024);
        System.out.printf(Locale.ROOT, "threads=%d rep=%d vector_api_256=%.1f GFLOP/s openblas_256=%.1f GFLOP/s openblas_1024=%.1f GFLOP/s%n",
            threads, rep, flops / v / 1e9, flops / b / 1e9, flops / big / 1e9);
      }
    }
  }

  static double vector(float[] x, int n, int d, int threads) {
    DotKernel k = DotKernel.best();
    int w = k.width();
    int block = 256 / w * w;
    int panels = (n + w - 1) / w;
    float[] packed = new float[panels * w * d];
    for (int j = 0; j < n; j++) for (int p = 0; p < d; p++) packed[(j / w) * w * d + p * w + j % w] = x[j * d + p];
    int nb = (n + block - 1) / block;
    float[][] tiles = new float[threads][block * block];
    long t0 = System.nanoTime();
    Parallel.run(threads, nb * nb, (wk, t) -> {
      int q0 = (t / nb) * block;
      int j0 = (t % nb) * block;
      k.panels(x, q0 * d, d, 1, Math.min(block, n - q0), packed, (j0 / w) * w * d, w, w * d,
          (Math.min(block, n - j0) + w - 1) / w, d, tiles[wk], 0, block);
    });
    return (System.nanoTime() - t0) / 1e9;
  }

  static double blasTiles(float[] x, int n, int d, int threads, int qBlock) {
    org.bytedeco.javacpp.Loader.load(openblas_full.class);
    openblas_full.openblas_set_num_threads(threads);
    int dBlock = qBlock == 256 ? 256 : n;
    try (FloatPointer px = new FloatPointer(x); FloatPointer tile = new FloatPointer((long) qBlock * dBlock)) {
      long t0 = System.nanoTime();
      for (int q0 = 0; q0 < n; q0 += qBlock) {
        for (int j0 = 0; j0 < n; j0 += dBlock) {
          int m = Math.min(qBlock, n - q0);
          int c = Math.min(dBlock, n - j0);
          openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, openblas_full.CblasNoTrans, openblas_full.CblasTrans, m, c, d, 1f,
              px.getPointer((long) q0 * d), d, px.getPointer((long) j0 * d), d, 0f, tile, dBlock);
        }
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }
}
