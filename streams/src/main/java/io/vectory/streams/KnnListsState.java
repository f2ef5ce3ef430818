package io.vectory.streams;

import io.vectory.avro.StoredKnnLists;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A checkpoint's kept k-NN lists as the state store holds them ({@link StoredKnnLists}): int arrays packed little-endian. */
final class KnnListsState {
  private KnnListsState() {}

  static StoredKnnLists stored(KnnLists l) {
    return new StoredKnnLists(l.n(), l.k(), io.vectory.avro.Metric.valueOf(l.metric().name()), l.includeSelf(),
        l.queryRows() == null ? null : pack(l.queryRows()), pack(l.neighbours()));
  }

  static KnnLists of(StoredKnnLists s) {
    return new KnnLists(s.getN(), s.getK(), Metric.valueOf(s.getMetric().name()), s.getIncludeSelf(),
        s.getQueryRows() == null ? null : unpack(s.getQueryRows()), unpack(s.getNeighbours()));
  }

  private static ByteBuffer pack(int[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(v);
    return b;
  }

  private static int[] unpack(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (d.remaining() % 4 != 0) throw new IllegalArgumentException("k-NN lists: " + d.remaining() + " bytes is not a whole number of int32");
    int[] v = new int[d.remaining() / 4];
    d.asIntBuffer().get(v);
    return v;
  }
}
