package io.vectory.core.compare;

/**
 * Block dot products, the hot loop of the engine: for {@code rows} rows of A and {@code nPanels} panels of
 * {@link #width()} columns of B,
 * {@code out[outOff + r*outStride + pc*W + t] = Σ_{p<len} a[aOff + r*aRow + p*aCol] * b[bOff + pc*panelStep + p*bRow + t]}.
 *
 * <p>Every output is accumulated the same way, whatever its position: one fused multiply-add per p, in
 * increasing p, starting from 0. So a pair's float result does not depend on the blocking, the thread or
 * the kernel (the vector and the scalar kernel agree bit for bit).
 *
 * <p>The two scans find the next tile entry that may enter a candidate list; the engine then re-checks it in
 * scalar code with the same float arithmetic, so a vector scan only skips, it never decides.
 */
interface DotKernel {
  int width();

  void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride);

  /**
   * The first b in [from, to) whose score is at most {@code thr}, else {@code to}. The score of dot product t is
   * {@code -t} when {@code bias} is null, else {@code bias[biasOff + b] - 2t}.
   */
  default int nextRow(float[] t, int off, int from, int to, float[] bias, int biasOff, float thr) {
    for (int b = from; b < to; b++) {
      float s = bias == null ? -t[off + b] : bias[biasOff + b] - 2f * t[off + b];
      if (s <= thr) return b;
    }
    return to;
  }

  /**
   * The first b in [from, to) whose score is at most {@code thr[b]}, else {@code to}. The score of dot product t
   * is {@code bias - 2t} when {@code euclidean}, else {@code -(t * scale)}.
   */
  default int nextColumn(float[] t, int off, int from, int to, boolean euclidean, float bias, float scale, float[] thr) {
    for (int b = from; b < to; b++) {
      float s = euclidean ? bias - 2f * t[off + b] : -(t[off + b] * scale);
      if (s <= thr[b]) return b;
    }
    return to;
  }

  /** The Vector API kernel when jdk.incubator.vector is in the boot layer (it is for ./vectory and the tests), else scalar. */
  static DotKernel best() {
    return Holder.BEST;
  }

  /** One kernel per JVM: choosing it loads (and warms) the Vector API classes once. */
  final class Holder {
    private Holder() {}

    static final DotKernel BEST = choose();

    private static DotKernel choose() {
      if (!Boolean.getBoolean("vectory.scalar") && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
        try {
          return (DotKernel) Class.forName("io.vectory.core.compare.VectorDotKernel").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
          // fall through to the scalar kernel
        }
      }
      return new ScalarDotKernel(32);
    }
  }
}
