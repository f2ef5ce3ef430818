package io.vectory.core.npy;

import io.vectory.core.vectors.FloatMatrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One array read from a {@code .npy} file or an {@code .npz} entry: its header and raw little- or big-endian
 * bytes. Conversion to floats (or, for id arrays, to strings) happens on demand and checks the dtype and shape.
 *
 * @param source the file (and entry) it came from, used in every error message
 * @param descr the NumPy dtype string, e.g. {@code <f4}
 * @param fortranOrder whether the data is column-major
 * @param shape the dimensions
 * @param data exactly the data bytes (position 0, limit = element count * item size)
 */
public record NpyArray(String source, String descr, boolean fortranOrder, long[] shape, ByteBuffer data) {

  /** The number of elements (the product of the shape). */
  public long size() {
    long n = 1;
    for (long s : shape) n = Math.multiplyExact(n, s);
    return n;
  }

  /** The shape as NumPy prints it: {@code (3, 4)}, {@code (5,)}. */
  public String shapeString() {
    return Npy.shapeString(shape);
  }

  /**
   * The array as a rows × dimensions float matrix. Requires a 2-D float array (float16/32/64, either byte
   * order, C or Fortran order) with only finite values.
   */
  public FloatMatrix toFloatMatrix() throws NpyFormatException {
    Dtype t = Dtype.parse(source, descr);
    if (t.kind != 'f') {
      throw new NpyFormatException(source + ": unsupported dtype '" + descr + "' (" + t.describe()
          + "); expected floating point vectors: float32 ('<f4' or '>f4'), float64 ('<f8') or float16 ('<f2')");
    }
    if (shape.length != 2) {
      throw new NpyFormatException(source + ": expected a 2-D array (rows, dimensions), found shape " + shapeString());
    }
    if (shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE || size() > Integer.MAX_VALUE - 16) {
      throw new NpyFormatException(source + ": shape " + shapeString() + " is too large (at most 2^31 values)");
    }
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    int n = rows * cols;
    float[] values = new float[n];
    ByteBuffer b = data.duplicate().order(t.order);
    switch (t.size) {
      case 4 -> b.asFloatBuffer().get(values);
      case 8 -> {
        var d = b.asDoubleBuffer();
        for (int i = 0; i < n; i++) values[i] = (float) d.get(i);
      }
      case 2 -> {
        var s = b.asShortBuffer();
        for (int i = 0; i < n; i++) values[i] = Float.float16ToFloat(s.get(i));
      }
      default -> throw new NpyFormatException(source + ": unsupported dtype '" + descr
          + "'; expected float32 ('<f4' or '>f4'), float64 ('<f8') or float16 ('<f2')");
    }
    if (fortranOrder && rows > 1 && cols > 1) {
      float[] c = new float[n];
      for (int col = 0; col < cols; col++) {
        int from = col * rows;
        for (int r = 0; r < rows; r++) c[r * cols + col] = values[from + r];
      }
      values = c;
    }
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(values[i])) {
        float v = values[i];
        String what = Float.isNaN(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
        if (t.size == 8 && Float.isInfinite(v)) {
          double dv = b.asDoubleBuffer().get(fortranOrder ? (i % cols) * rows + i / cols : i);
          if (Double.isFinite(dv)) what = "out of float32 range (" + dv + ")";
        }
        throw new NpyFormatException(source + ": row " + (i / cols) + " (column " + (i % cols) + ") is " + what
            + "; expected finite values in every row");
      }
    }
    return FloatMatrix.wrap(rows, cols, values);
  }

  /** A 1-D array of strings (NumPy 'U' or 'S') or integers, as strings: how {@code .npz} files carry ids. */
  public List<String> toStrings() throws NpyFormatException {
    Dtype t = Dtype.parse(source, descr);
    if (shape.length != 1) {
      throw new NpyFormatException(source + ": expected a 1-D array of ids, found shape " + shapeString());
    }
    int n = Math.toIntExact(shape[0]);
    List<String> out = new ArrayList<>(n);
    ByteBuffer b = data.duplicate().order(t.order);
    switch (t.kind) {
      case 'U' -> {
        for (int i = 0; i < n; i++) {
          StringBuilder sb = new StringBuilder();
          for (int c = 0; c < t.size / 4; c++) {
            int cp = b.getInt((i * (t.size / 4) + c) * 4);
            if (cp == 0) break;
            sb.appendCodePoint(cp);
          }
          out.add(sb.toString());
        }
      }
      case 'S' -> {
        byte[] item = new byte[t.size];
        for (int i = 0; i < n; i++) {
          b.get(i * t.size, item);
          int len = 0;
          while (len < item.length && item[len] != 0) len++;
          out.add(new String(item, 0, len, StandardCharsets.UTF_8));
        }
      }
      case 'i', 'u' -> {
        for (int i = 0; i < n; i++) {
          long v = switch (t.size) {
            case 1 -> t.kind == 'u' ? Byte.toUnsignedLong(b.get(i)) : b.get(i);
            case 2 -> t.kind == 'u' ? Short.toUnsignedLong(b.getShort(i * 2)) : b.getShort(i * 2);
            case 4 -> t.kind == 'u' ? Integer.toUnsignedLong(b.getInt(i * 4)) : b.getInt(i * 4);
            default -> b.getLong(i * 8);
          };
          out.add(t.kind == 'u' && t.size == 8 ? Long.toUnsignedString(v) : Long.toString(v));
        }
      }
      default -> throw new NpyFormatException(source + ": unsupported dtype '" + descr + "' for ids ("
          + t.describe() + "); expected strings ('<U…', '|S…') or integers");
    }
    return out;
  }

  @Override
  public String toString() {
    return "NpyArray[" + source + ", " + descr + ", " + (fortranOrder ? "F" : "C") + ", " + Arrays.toString(shape) + "]";
  }

  /** A parsed simple dtype string: byte order, kind letter, item size in bytes. */
  record Dtype(ByteOrder order, char kind, int size) {
    static Dtype parse(String source, String descr) throws NpyFormatException {
      if (descr.length() < 2) throw unsupported(source, descr, "not a simple dtype");
      char o = descr.charAt(0);
      ByteOrder order = switch (o) {
        case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN; // '=' is native; NumPy writes it only on little-endian hosts here
        case '>' -> ByteOrder.BIG_ENDIAN;
        default -> throw unsupported(source, descr, "no byte-order prefix");
      };
      char kind = descr.charAt(1);
      if (kind == 'O') return new Dtype(order, 'O', 8);
      int size;
      try {
        size = Integer.parseInt(descr.substring(2));
      } catch (NumberFormatException e) {
        throw unsupported(source, descr, "not a simple dtype");
      }
      int itemBytes = kind == 'U' ? size * 4 : size;
      if (itemBytes <= 0) throw unsupported(source, descr, "zero-sized items");
      return new Dtype(order, kind, itemBytes);
    }

    int itemSize() {
      return size;
    }

    String describe() {
      return switch (kind) {
        case 'f' -> "float" + (size * 8);
        case 'i' -> "integers";
        case 'u' -> "unsigned integers";
        case 'b' -> "booleans";
        case 'c' -> "complex numbers";
        case 'O' -> "Python objects";
        case 'U', 'S' -> "strings";
        case 'M', 'm' -> "dates/times";
        case 'V' -> "raw/structured records";
        default -> "kind '" + kind + "'";
      };
    }

    private static NpyFormatException unsupported(String source, String descr, String why) {
      return new NpyFormatException(source + ": unsupported dtype '" + descr + "' (" + why
          + "); expected float32 ('<f4' or '>f4'), float64 ('<f8') or float16 ('<f2')");
    }
  }
}
