package io.vectory.streams;

import io.vectory.avro.StoredKnnLists;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;

/** A checkpoint's kept k-NN lists as the state store holds them ({@link StoredKnnLists}): int arrays packed little-endian. */
final class KnnListsState {
  private KnnListsState() {}

  static StoredKnnLists stored(KnnLists l) {
    return new StoredKnnLists(l.n(), l.k(), io.vectory.avro.Metric.valueOf(l.metric().name()), l.includeSelf(),
        l.queryRows() == null ? null : KnnLists.pack(l.queryRows()), KnnLists.pack(l.neighbours()));
  }

  static KnnLists of(StoredKnnLists s) {
    return new KnnLists(s.getN(), s.getK(), Metric.valueOf(s.getMetric().name()), s.getIncludeSelf(),
        s.getQueryRows() == null ? null : KnnLists.unpack(s.getQueryRows()), KnnLists.unpack(s.getNeighbours()));
  }
}
