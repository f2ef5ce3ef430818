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
        // Accumulate in place, p outer and columns inner, so C2 can vectorise the column loop; each output still
        // sees one fma per p in increasing p from 0, the same sequence as the vector kernel.
        java.util.Arrays.fill(out, oo, oo + width, 0f);
        for (int p = 0; p < len; p++) {
          float av = a[ao + p * aCol];
          int bp = bo + p * bRow;
          for (int t = 0; t < width; t++) out[oo + t] = Math.fma(av, b[bp + t], out[oo + t]);
        }
      }
    }
  }
}
