package io.vectory.store;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.streams.ComparisonResults;
import io.vectory.avro.Relation;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.space.AlignedPair;
import io.vectory.core.space.Space;
import io.vectory.core.space.Spaces;
import io.vectory.sink.IndexInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares two spaces of a store with core's {@link SpaceComparator} (the code the Streams app runs), reading
 * each space's exact k-NN lists from the store ({@link SpaceStore#knnLists}) so a pair compared before, or a
 * reference compared with anything before, costs only the Jaccard merge.
 *
 * <p>Kept lists are used when both spaces hold the same ids in the same row order and every point is a query;
 * otherwise (a sample, or rows in another order, where the lists' tie-break by row would differ) both k-NN
 * passes run, and {@link Outcome} says so.
 */
public final class StoredComparison {

  private StoredComparison() {}

  /**
   * @param outcome the comparison
   * @param a space A, as loaded
   * @param b space B, aligned to A's row order
   * @param passA whether a k-NN pass over A ran for this comparison (false: its kept lists were read)
   * @param passB the same for B
   * @param kept whether both spaces' lists are now kept in the store (false: a sample, or rows in another order)
   */
  public record Outcome(ComparisonOutcome outcome, Space a, Space b, boolean passA, boolean passB, boolean kept) {
    public int knnPasses() {
      return (passA ? 1 : 0) + (passB ? 1 : 0);
    }
  }

  public static Outcome compare(SpaceStore store, IndexInfo ia, IndexInfo ib, CompareOptions o, boolean recompute, ProgressListener p) {
    Space a = store.loadSpace(ia.name());
    Space b = store.loadSpace(ib.name());
    return compare(store, ia, a, ib, b, o, recompute, p);
  }

  /** As above, with the spaces already loaded (in their index's row order). */
  public static Outcome compare(SpaceStore store, IndexInfo ia, Space a, IndexInfo ib, Space b, CompareOptions o, boolean recompute,
      ProgressListener p) {
    AlignedPair pair = Spaces.alignById(a, b);
    Space bAligned = a.ids().equals(b.ids()) ? b : new Space(b.name(), pair.ids(), pair.b(), Map.of());
    int n = pair.ids().size();
    if (n >= 2 && o.k() <= n - 1 && o.sample() == 0 && a.ids().equals(b.ids())) {
      ProgressListener pa = (done, total) -> p.progress(done, 2 * total);
      ProgressListener pb = (done, total) -> p.progress(total + done, 2 * total);
      SpaceStore.KeptLists la = store.knnLists(ia.name(), o.metricA(), o.k(), o.includeSelf(), recompute, pa);
      SpaceStore.KeptLists lb = store.knnLists(ib.name(), o.metricB(), o.k(), o.includeSelf(), recompute, pb);
      ComparisonOutcome out = SpaceComparator.compare(la.lists(), lb.lists(), pair.a(), pair.b(), o);
      return new Outcome(out, a, b, la.computed(), lb.computed(), true);
    }
    return new Outcome(SpaceComparator.compare(pair.a(), pair.b(), o, p), a, bAligned, true, true, false);
  }

  /** The comparison as the pipeline publishes it: checkpoint {@code a} against reference {@code b}. */
  public static ComparisonResult result(IndexInfo a, IndexInfo b, Relation relation, ComparisonOutcome out, Map<String, Double> labelMeans) {
    return ComparisonResults.of(out, labelMeans)
        .setDataset(a.dataset() == null ? "" : a.dataset())
        .setModel(a.model() == null ? "" : a.model())
        .setA(key(a))
        .setB(key(b))
        .setRelation(relation)
        .setComputeMillis(Math.round(out.nanos() / 1e6))
        .setComputedAt(Instant.now())
        .build();
  }

  private static CheckpointKey key(IndexInfo i) {
    if (!i.isCheckpoint()) throw new IllegalArgumentException(i.name() + " is not a checkpoint");
    return CheckpointKey.newBuilder().setExperiment(i.experiment()).setSpace(i.space()).setStep(i.step()).build();
  }
}
