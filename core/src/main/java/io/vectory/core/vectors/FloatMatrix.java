package io.vectory.core.vectors;

import java.util.Objects;

/** A dense row-major matrix of floats: one embedding per row. The array is shared, not copied. */
public final class FloatMatrix {
  private final int rows;
  private final int cols;
  private final float[] data;

  private FloatMatrix(int rows, int cols, float[] data) {
    if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          "shape " + rows + "x" + cols + " needs " + ((long) rows * cols) + " values, got " + data.length);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /** Wraps {@code data} (row-major, length rows*cols) without copying. */
  public static FloatMatrix wrap(int rows, int cols, float[] data) {
    return new FloatMatrix(rows, cols, Objects.requireNonNull(data, "data"));
  }

  /** Copies the given rows, which must all have the same length. */
  public static FloatMatrix of(float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] data = new float[Math.multiplyExact(rows.length, cols)];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != cols) {
        throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, row 0 has " + cols);
      }
      System.arraycopy(rows[r], 0, data, r * cols, cols);
    }
    return new FloatMatrix(rows.length, cols, data);
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The backing row-major array (not a copy). */
  public float[] data() {
    return data;
  }

  public float get(int r, int c) {
    Objects.checkIndex(r, rows);
    Objects.checkIndex(c, cols);
    return data[r * cols + c];
  }

  /** Copies row {@code r} into {@code dst} (length at least cols) and returns it. */
  public float[] row(int r, float[] dst) {
    Objects.checkIndex(r, rows);
    System.arraycopy(data, r * cols, dst, 0, cols);
    return dst;
  }

  /** A new matrix holding the given rows of this one, in the given order. */
  public FloatMatrix selectRows(int[] rowIndexes) {
    float[] out = new float[Math.multiplyExact(rowIndexes.length, cols)];
    for (int i = 0; i < rowIndexes.length; i++) {
      Objects.checkIndex(rowIndexes[i], rows);
      System.arraycopy(data, rowIndexes[i] * cols, out, i * cols, cols);
    }
    return new FloatMatrix(rowIndexes.length, cols, out);
  }

  /** Each row's Euclidean length, summed in double. */
  public double[] rowNorms() {
    double[] norms = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0, o = r * cols; c < cols; c++) s += (double) data[o + c] * data[o + c];
      norms[r] = Math.sqrt(s);
    }
    return norms;
  }

  /** The first row whose values are all zero, or -1: cosine distance is undefined for such a row. */
  public int firstZeroRow() {
    outer:
    for (int r = 0; r < rows; r++) {
      for (int c = 0, o = r * cols; c < cols; c++) if (data[o + c] != 0f) continue outer;
      return r;
    }
    return -1;
  }

  @Override
  public String toString() {
    return "FloatMatrix[" + rows + "x" + cols + "]";
  }
}
