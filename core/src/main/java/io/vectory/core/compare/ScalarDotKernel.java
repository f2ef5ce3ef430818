package io.vectory.core.compare;

/** The fallback kernel without the Vector API; results are bit-identical to {@link VectorDotKernel}. */
final class ScalarDotKernel implements DotKernel {
  private final int width;

  ScalarDotKernel(int width) {
    this.width = width;
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public void panels(float[] a, int aOff, int aRow, int aCol, int rows,
      float[] b, int bOff, int bRow, int panelStep, int nPanels, int len,
      float[] out, int outOff, int outStride) {
    for (int pc = 0; pc < nPanels; pc++) {
      int bo = bOff + pc * panelStep;
      for (int r = 0; r < rows; r++) {
        int ao = aOff + r * aRow;
        int oo = outOff + r * outStride + pc * width;
        for (int t = 0; t < width; t++) {
          float acc = 0f;
          for (int p = 0; p < len; p++) acc = Math.fma(a[ao + p * aCol], b[bo + p * bRow + t], acc);
          out[oo + t] = acc;
        }
      }
    }
  }
}
