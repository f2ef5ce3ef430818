package io.vectory.ingest;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/** Row-major float32 vectors from a {@code float[][]} or a {@code FloatBuffer}, read without copying the whole. */
abstract sealed class Rows {

  abstract int rows();

  abstract int dimension();

  abstract float get(int row, int col);

  /** Writes rows [from, to) into {@code le} (little-endian) as float32. */
  abstract void put(int from, int to, ByteBuffer le);

  static Rows of(float[][] v) {
    return new Arrays2d(v);
  }

  static Rows of(FloatBuffer v, int dimension) {
    return new Buffer(v, dimension);
  }

  static final class Arrays2d extends Rows {
    private final float[][] v;
    private final int dim;

    Arrays2d(float[][] v) {
      this.v = v;
      this.dim = v.length == 0 || v[0] == null ? 0 : v[0].length;
    }

    int rows() { return v.length; }

    int dimension() { return dim; }

    float get(int row, int col) { return v[row][col]; }

    float[] row(int r) { return v[r]; }

    void put(int from, int to, ByteBuffer le) {
      java.nio.FloatBuffer out = le.asFloatBuffer();
      for (int r = from; r < to; r++) out.put(v[r]);
      le.position(le.position() + 4 * (to - from) * dim);
    }
  }

  static final class Buffer extends Rows {
    private final FloatBuffer v;
    private final int base;
    private final int dim;

    Buffer(FloatBuffer v, int dim) {
      this.v = v;
      this.base = v.position();
      this.dim = dim;
    }

    int rows() { return dim == 0 ? 0 : v.remaining() / dim; }

    int dimension() { return dim; }

    int remaining() { return v.remaining(); }

    float get(int row, int col) { return v.get(base + row * dim + col); }

    void put(int from, int to, ByteBuffer le) {
      FloatBuffer src = v.duplicate();
      src.position(base + from * dim).limit(base + to * dim);
      le.asFloatBuffer().put(src);
      le.position(le.position() + 4 * (to - from) * dim);
    }
  }
}
