package io.vectory.core.compare;

/**
 * Block dot products, the hot loop of the engine: for {@code rows} rows of A and {@code nPanels} panels of
 * {@link #width()} columns of B,
 * {@code out[outOff + r*outStride + pc*W + t] = Σ_{p<len} a[aOff + r*aRow + p*aCol] * b[bOff + pc*panelStep + p*bRow + t]}.
 *
 * <p>Every output is accumulated the same way, whatever its position: one fused multiply-add per p, in
 * increasing p, starting from 0. So a pair's float result does not depend on the blocking, the thread or
 * the kernel (the vector and the scalar kernel agree bit for bit).
 */
interface DotKernel {
  int width();

  void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride);

  /** The Vector API kernel when jdk.incubator.vector is in the boot layer (it is for ./vectory and the tests), else scalar. */
  static DotKernel best() {
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
