package io.vectory.schemas;

import io.vectory.avro.CompareWork;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.WorkDone;
import java.util.List;

/** The one place topic names live. Names can be prefixed (e.g. per environment) with {@link #withPrefix}. */
public final class Topics {

  /** Register, chunk, completion and pin events from training loops, keyed by experiment. */
  public final TopicSpec<SpaceEvent> spaceEvents;
  /** Validated, complete checkpoints re-emitted chunk by chunk for the sink to index. */
  public final TopicSpec<SpaceEvent> indexedSpaces;
  /** Comparison results, keyed by experiment. */
  public final TopicSpec<ComparisonResult> comparisons;
  /** Drift alerts, keyed by experiment. */
  public final TopicSpec<DriftAlert> alerts;
  /** Records the pipeline could not accept, with the reason. */
  public final TopicSpec<DeadLetter> deadLetters;
  /**
   * The Streams app's comparison work for the compare workers (k-NN shards, CKA, direct compares), keyed by job and
   * shard so one checkpoint's shards spread over the partitions and every worker instance takes some.
   */
  public final TopicSpec<CompareWork> compareWork;
  /** The workers' answers, keyed by experiment (so co-partitioned with space events) back into the Streams app. */
  public final TopicSpec<WorkDone> workResults;

  private Topics(String prefix) {
    spaceEvents = new TopicSpec<>(prefix + "vectory.space-events", SpaceEvent.class);
    indexedSpaces = new TopicSpec<>(prefix + "vectory.indexed-spaces", SpaceEvent.class);
    comparisons = new TopicSpec<>(prefix + "vectory.comparisons", ComparisonResult.class);
    alerts = new TopicSpec<>(prefix + "vectory.alerts", DriftAlert.class);
    deadLetters = new TopicSpec<>(prefix + "vectory.dead-letters", DeadLetter.class);
    compareWork = new TopicSpec<>(prefix + "vectory.compare-work", CompareWork.class);
    workResults = new TopicSpec<>(prefix + "vectory.work-results", WorkDone.class);
  }

  public static Topics defaults() {
    return new Topics("");
  }

  public static Topics withPrefix(String prefix) {
    return new Topics(prefix);
  }

  public List<TopicSpec<?>> all() {
    return List.of(spaceEvents, indexedSpaces, comparisons, alerts, deadLetters, compareWork, workResults);
  }
}
