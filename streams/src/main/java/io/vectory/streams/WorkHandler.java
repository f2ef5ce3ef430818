package io.vectory.streams;

import io.vectory.avro.CompareWork;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.WorkDone;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.LinearCka;
import io.vectory.core.compare.Metric;
import io.vectory.core.space.Space;
import io.vectory.core.space.Spaces;
import java.util.List;
import java.util.Map;

/**
 * Does one {@link CompareWork} item: a k-NN shard (shard 0 also the checkpoint's own CKA term), linear CKA's cross term
 * of a pair (CKA whole for wide spaces), or a direct compare of two checkpoints whose
 * rows differ. A pure function of the item, the vectors its {@link SpaceReader} returns and the engine; the compare
 * worker runs it outside any transaction and the tests run it beside TopologyTestDriver.
 */
final class WorkHandler {
  private WorkHandler() {}

  /** The item as logs and dead letters name it. */
  static String describe(CompareWork w) {
    return w.getKind() + (w.getShards() > 1 ? " shard " + w.getShard() + "/" + w.getShards() : "") + " of "
        + io.vectory.schemas.CheckpointNames.of(w.getCheckpoint())
        + (w.getReference() == null ? "" : " with " + io.vectory.schemas.CheckpointNames.of(w.getReference()));
  }

  /**
   * Whether trying the item again can help. An {@link IllegalArgumentException} means its input breaks a rule
   * (k not below the rows, spaces of different points): the same input gives the same answer, so it is not retried.
   */
  static boolean retryable(Throwable t) {
    return !(t instanceof IllegalArgumentException);
  }

  /** The answer to an item that failed every attempt: the pipeline dead-letters the comparisons that needed it, with this. */
  static WorkDone failed(CompareWork w, String worker, int attempts, String lastFailure) {
    return rejected(w, worker, describe(w) + " failed " + attempts + " times; the last with " + lastFailure);
  }

  /** The answer to an item whose input cannot be computed (a plain rule broken, e.g. k not below the rows): the rule's message. */
  static WorkDone rejected(CompareWork w, String worker, String message) {
    return WorkDone.newBuilder().setJob(w.getJob()).setKind(w.getKind()).setCheckpoint(w.getCheckpoint()).setShard(w.getShard())
        .setReference(w.getReference()).setWorker(worker).setComputeMillis(0).setError(message).build();
  }

  static WorkDone handle(CompareWork w, SpaceReader reader, ComparisonEngine engine, String worker) {
    WorkDone.Builder done = WorkDone.newBuilder()
        .setJob(w.getJob()).setKind(w.getKind()).setCheckpoint(w.getCheckpoint()).setShard(w.getShard())
        .setReference(w.getReference()).setWorker(worker);
    Space a = reader.read(w.getCheckpoint(), w.getSource());
    // compute_ms is the computation only: reading a space back from space-events (a cache miss) is not the engine's cost.
    long start = System.nanoTime();
    Metric metric = CheckpointProcessor.coreMetric(w.getMetric());
    switch (w.getKind()) {
      case KNN -> {
        int rows = a.vectors().rows();
        int[] queries = WorkShards.queryRows(rows, w.getK(), metric, w.getIncludeSelf(), w.getSample(), w.getSeed());
        if (WorkShards.tiled(queries, w.getShards(), rows, w.getK())) {
          var part = engine.knnShard(a.vectors(), metric, w.getK(), w.getIncludeSelf(), w.getShard(), w.getShards());
          done.setNeighbours(KnnLists.pack(part.neighbours())).setDistances(WorkShards.packDistances(part.distances()));
        } else {
          int[] shard = WorkShards.shardRows(rows, queries, w.getShards(), w.getQueryFrom(), w.getQueryTo());
          KnnLists lists = engine.knn(a.vectors(), metric, w.getK(), w.getIncludeSelf(), shard);
          done.setNeighbours(KnnLists.pack(lists.neighbours()));
        }
        // The checkpoint's own CKA term, once, beside its lists: each comparison with it then costs one cross term.
        if (w.getShard() == 0) done.setCkaSelf(LinearCka.selfTerm(a.vectors()));
      }
      case CKA -> {
        long t = System.nanoTime();
        Space b = reader.read(w.getReference(), w.getReferenceSource());
        start += System.nanoTime() - t;
        if (LinearCka.splitsIntoTerms(a.vectors(), b.vectors())) {
          done.setCkaCross(LinearCka.crossTerm(a.vectors(), b.vectors()));
        } else {
          double cka = LinearCka.compute(a.vectors(), b.vectors());
          done.setCka(Double.isFinite(cka) ? cka : null);
        }
      }
      case DIRECT -> {
        long t = System.nanoTime();
        Space b = reader.read(w.getReference(), w.getReferenceSource());
        start += System.nanoTime() - t;
        var pair = Spaces.alignById(a, b);
        CompareOptions o = new CompareOptions(w.getK(), metric, CheckpointProcessor.coreMetric(w.getReferenceMetric()), w.getIncludeSelf(),
            w.getSample(), w.getSeed());
        ComparisonOutcome out = engine.compare(pair.a(), pair.b(), o);
        Map<String, Double> labelMeans = Map.of();
        List<String> labels = a.columns().get(w.getLabelColumn());
        // The pair is in a's row order, so a's label column is already one label per compared row.
        if (labels != null) labelMeans = out.meanByLabel(labels.toArray(String[]::new));
        ComparisonResult r = ComparisonResults.of(out, labelMeans)
            .setDataset("").setModel("").setA(w.getCheckpoint()).setB(w.getReference())
            .setRelation(io.vectory.avro.Relation.ADHOC).setComputeMillis(0).setComputedAt(java.time.Instant.EPOCH).build();
        done.setComparison(r);
      }
    }
    return done.setComputeMillis(Math.round((System.nanoTime() - start) / 1e6)).build();
  }
}
