package io.vectory.streams;

import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.CheckpointProtocol;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.CompareWork;
import io.vectory.avro.PendingComparison;
import io.vectory.avro.SpaceLocation;
import io.vectory.avro.StoredJob;
import io.vectory.avro.WorkDone;
import io.vectory.avro.WorkKind;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.DriftRule;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.ReferencePinned;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.avro.StoredCheckpoint;
import io.vectory.avro.StoredKnnLists;
import io.vectory.avro.StoredPins;
import io.vectory.avro.StoredSpace;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.LinearCka;
import io.vectory.streams.metrics.VectoryMetrics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of the pipeline, one instance per partition (so per set of experiments): stores chunks as
 * they arrive, validates a checkpoint on its completion, re-emits a good one for indexing, compares it
 * with the previous, first and pinned checkpoints of its space, applies the drift rules, and sends
 * everything it cannot accept to the dead letters with the reason.
 */
final class CheckpointProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger log = LoggerFactory.getLogger(CheckpointProcessor.class);
  private static final StringSerializer KEYS = new StringSerializer();

  /**
   * Attempts at a record whose processing throws (an {@code Error} or an unexpected runtime exception) before it is
   * dead-lettered with the last failure and its partition moves on; each failed attempt aborts the task's
   * transaction, so nothing of it is committed.
   */
  static final int MAX_ATTEMPTS = 3;

  private final PipelineConfig config;
  private final ComparisonEngine engine;
  private final VectoryMetrics metrics;
  private AttemptLedger attempts;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, StoredCheckpoint> checkpoints;
  private KeyValueStore<String, EmbeddingChunk> chunks;
  private KeyValueStore<String, StoredSpace> spaces;
  private KeyValueStore<String, StoredPins> pins;
  private KeyValueStore<String, StoredKnnLists> knn;
  /** Answers of a tiled pass's shards until the last one comes (each holds every row's partial lists and distances). */
  private KeyValueStore<String, WorkDone> knnShards;
  private KeyValueStore<String, StoredJob> jobs;

  CheckpointProcessor(PipelineConfig config, ComparisonEngine engine) {
    this.config = config;
    this.engine = engine;
    this.metrics = config.metrics();
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.checkpoints = context.getStateStore(ComparisonTopology.CHECKPOINT_STORE);
    this.chunks = context.getStateStore(ComparisonTopology.CHUNK_STORE);
    this.spaces = context.getStateStore(ComparisonTopology.SPACE_STORE);
    this.pins = context.getStateStore(ComparisonTopology.PIN_STORE);
    this.knn = context.getStateStore(ComparisonTopology.KNN_STORE);
    this.knnShards = context.getStateStore(ComparisonTopology.KNN_SHARD_STORE);
    this.jobs = context.getStateStore(ComparisonTopology.JOB_STORE);
    // Beside the application's state folder, not in the task's (a failed exactly-once task's state is rebuilt).
    java.io.File appDir = context.stateDir().getAbsoluteFile().getParentFile();
    this.attempts = AttemptLedger.open(appDir.toPath().resolveSibling(appDir.getName() + ".attempts"));
    long timeout = config.checkpointTimeout().toMillis();
    // Check often enough that a stale checkpoint waits at most ~1.25 × the timeout.
    long every = Math.max(100, Math.min(timeout / 4, 60_000));
    context.schedule(Duration.ofMillis(every), config.timeoutClock(), this::expireStale);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (record.value() == null) {
      deadLetter(record.key(), null, "value", "value: null (a tombstone); expected a SpaceEvent", null);
      return;
    }
    // Space events from training loops; answers from the compare workers (the other input, co-partitioned with it).
    Object event = record.value() instanceof SpaceEvent e ? e.getEvent() : record.value();
    CheckpointKey ck = switch (event) {
      case WorkDone e -> e.getCheckpoint();
      case SpaceRegistered e -> e.getCheckpoint();
      case EmbeddingChunk e -> e.getCheckpoint();
      case CheckpointCompleted e -> e.getCheckpoint();
      case ReferencePinned e -> e.getReference();
      default -> null;
    };
    if (ck == null) {
      deadLetter(record.key(), null, "event", "event: unexpected type " + (event == null ? "null" : event.getClass().getName()), null);
      return;
    }
    if (!ck.getExperiment().equals(record.key())) {
      deadLetter(record.key(), ck, "key", "key: record key is '" + record.key() + "'; expected the experiment name '" + ck.getExperiment()
          + "' (every event of an experiment is keyed by it, so it stays on one partition)", null);
      return;
    }
    RecordMetadata m = context.recordMetadata().orElse(null);
    String attemptKey = m == null ? null : AttemptLedger.key(m.topic(), m.partition(), m.offset());
    String what = describe(event, ck);
    AttemptLedger.Entry failedBefore = attemptKey == null ? null : attempts.get(attemptKey, what);
    if (failedBefore != null && failedBefore.failures() >= MAX_ATTEMPTS) {
      // A poison record: every attempt failed. Dead-letter it and move on, so the records behind it are processed.
      if (event instanceof CheckpointCompleted || event instanceof SpaceRegistered) drop(ck);
      if (event instanceof WorkDone d) abandon(d, what + " could not be processed");
      deadLetter(record.key(), ck, "poison", what + " dead-lettered after " + failedBefore.failures() + " failed attempts (the limit is "
          + MAX_ATTEMPTS + "); the last failed with " + failedBefore.lastFailure(), null);
      attempts.clear(attemptKey);
      return;
    }
    try {
      switch (event) {
        case SpaceRegistered e -> onRegistered(e);
        case EmbeddingChunk e -> onChunk(e);
        case CheckpointCompleted e -> onCompleted(e);
        case ReferencePinned e -> onPinned(e);
        case WorkDone e -> onWorkDone(e);
        default -> throw new IllegalStateException();
      }
    } catch (Error | RuntimeException t) {
      // Kafka's own exceptions (a fenced producer, a store that cannot read its state) are not about this record.
      if (attemptKey == null || t instanceof org.apache.kafka.common.KafkaException) throw t;
      String failure = t.getClass().getName() + ": " + t.getMessage();
      int n = attempts.failed(attemptKey, what, failure);
      log.error("{} failed (attempt {} of {}); the task's transaction is aborted and the record read again{}", what, n, MAX_ATTEMPTS,
          n >= MAX_ATTEMPTS ? ", then dead-lettered" : "", t);
      throw t;
    }
    if (failedBefore != null) attempts.clear(attemptKey);
  }

  /** The record, as the ledger and a poison dead letter name it: event type and checkpoint (and chunk sequence). */
  private static String describe(Object event, CheckpointKey ck) {
    String type = event.getClass().getSimpleName();
    return type + (event instanceof EmbeddingChunk c ? " " + c.getSequence() : "")
        + (event instanceof WorkDone d ? " (" + d.getKind() + " " + d.getShard() + ")" : "") + " of " + CheckpointNames.of(ck);
  }

  private long now() {
    return config.timeoutClock() == PunctuationType.WALL_CLOCK_TIME ? context.currentSystemTimeMs() : context.currentStreamTimeMs();
  }

  private CheckpointState stateOrNew(CheckpointKey ck) {
    CheckpointState stored = checkpoint(ck);
    if (stored != null) return stored;
    RecordMetadata m = context.recordMetadata().orElse(null);
    return new CheckpointState(ck, false, null, 0, now(), m == null ? -1 : m.partition(), m == null ? -1 : m.offset(), List.of());
  }

  private void onRegistered(SpaceRegistered e) {
    CheckpointKey ck = e.getCheckpoint();
    CheckpointState s = stateOrNew(ck);
    if (s.retained()) {
      deadLetter(ck.getExperiment(), ck, "duplicate", "SpaceRegistered: checkpoint " + CheckpointNames.of(ck) + " was already accepted; expected a new step", null);
      return;
    }
    s = s.registered() != null
        ? s.withProblem("SpaceRegistered: received twice; expected once per checkpoint", now())
        : s.withRegistered(e, now());
    put(s);
  }

  private void onChunk(EmbeddingChunk c) {
    CheckpointKey ck = c.getCheckpoint();
    CheckpointState s = stateOrNew(ck);
    if (s.retained()) {
      deadLetter(ck.getExperiment(), ck, "duplicate", "EmbeddingChunk " + c.getSequence() + ": checkpoint " + CheckpointNames.of(ck)
          + " was already accepted; expected chunks only before its CheckpointCompleted", null);
      return;
    }
    if (c.getSequence() < 0) {
      s = s.withProblem("sequence: chunk with negative sequence " + c.getSequence() + "; expected 0..chunks-1", now());
    } else {
      String key = StoreKeys.chunk(ck, c.getSequence());
      if (chunks.get(key) != null) {
        s = s.withProblem("sequence: chunk " + c.getSequence() + " received twice; expected each sequence once", now());
      } else {
        chunks.put(key, c);
        s = s.withChunk(now());
      }
    }
    put(s);
  }

  private void onCompleted(CheckpointCompleted done) {
    CheckpointKey ck = done.getCheckpoint();
    CheckpointState s = checkpoint(ck);
    if (s == null) {
      deadLetter(ck.getExperiment(), ck, "incomplete", "CheckpointCompleted: no SpaceRegistered or EmbeddingChunk received for " + CheckpointNames.of(ck)
          + "; expected them first (or it timed out earlier)", null);
      return;
    }
    if (s.retained()) {
      deadLetter(ck.getExperiment(), ck, "duplicate", "CheckpointCompleted: " + CheckpointNames.of(ck) + " was already accepted; expected one completion", null);
      return;
    }
    CheckpointProtocol.Validation v = new CheckpointProtocol.Validation(s.registered(), s.problems());
    forEachChunk(ck, v::accept);
    List<String> problems = new ArrayList<>(v.finish(done));
    SpaceState space = spaceState(ck);
    if (space != null && ck.getStep() <= space.previousStep()) {
      problems.add("step: " + ck.getStep() + " is not after the previous accepted checkpoint of this space (step " + space.previousStep()
          + "); expected increasing steps");
    }
    if (!problems.isEmpty()) {
      drop(ck);
      deadLetter(ck.getExperiment(), ck, VectoryMetrics.problemCategory(problems.get(0)), "checkpoint " + CheckpointNames.of(ck) + " rejected: " + String.join("; ", problems), null);
      return;
    }
    accept(s, done, space);
  }

  private void accept(CheckpointState s, CheckpointCompleted done, SpaceState space) {
    CheckpointKey ck = s.key();
    String exp = ck.getExperiment();
    SpaceRegistered reg = s.registered();
    // The sink indexes exactly what was validated, in order; the same pass takes what comparisons need of the rows.
    RowsDigest rows = new RowsDigest(reg.getMetadataColumns().indexOf(config.labelColumn()));
    forward(exp, SpaceEvent.newBuilder().setEvent(reg).build(), ComparisonTopology.INDEXED_SINK);
    forEachChunk(ck, c -> {
      rows.add(c);
      forward(exp, SpaceEvent.newBuilder().setEvent(c).build(), ComparisonTopology.INDEXED_SINK);
    });
    // Its CheckpointCompleted follows once its comparisons are settled (complete()): clients take it as the verdict.
    put(s.asRetained());
    RecordMetadata m = context.recordMetadata().orElseThrow();
    int n = Math.toIntExact(reg.getRows());
    SpaceLocation where = new SpaceLocation(m.topic(), m.partition(), s.sourceOffset(), m.offset(), n, reg.getDimension());
    // Its vectors stay in space-events only (the workers read them there): none in this app's state or changelogs.
    deleteChunks(ck);

    String job = CheckpointNames.of(ck) + "@" + m.partition() + "/" + s.sourceOffset();

    // References, deduplicated: on the second checkpoint the previous one is also the first.
    Map<String, List<Relation>> relations = new LinkedHashMap<>();
    Map<String, CheckpointKey> refKeys = new HashMap<>();
    if (space != null) {
      addRef(relations, refKeys, StoreKeys.checkpointKey(exp, ck.getSpace(), space.previousStep()), Relation.PREVIOUS);
      addRef(relations, refKeys, StoreKeys.checkpointKey(exp, ck.getSpace(), space.firstStep()), Relation.FIRST);
    }
    List<CheckpointKey> pinned = pinned(exp);
    for (CheckpointKey p : pinned) {
      if (p.equals(ck)) continue;
      CheckpointState ps = checkpoint(p);
      if (ps != null && ps.retained()) addRef(relations, refKeys, p, Relation.PINNED);
    }
    ByteBuffer digest = rows.digest();
    List<PendingComparison> pending = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<CompareWork> work = new ArrayList<>(knnWork(job, ck, where, reg.getMetric()));
    int shards = work.size();
    for (Map.Entry<String, List<Relation>> e : relations.entrySet()) {
      CheckpointKey refKey = refKeys.get(e.getKey());
      StoredJob ref = jobs.get(e.getKey());
      if (ref == null) {
        failed.add("comparison with " + CheckpointNames.of(refKey) + " (" + e.getValue() + ") not possible: the reference was "
            + "accepted by an earlier release, which kept no location of its events; publish it again");
        continue;
      }
      boolean direct = !ref.getIdsDigest().equals(digest);
      pending.add(new PendingComparison(refKey, e.getValue(), direct, false, null, null, null, 0L));
      CompareWork.Builder w = item(job, direct ? WorkKind.DIRECT : WorkKind.CKA, ck, where, reg.getMetric())
          .setReference(refKey).setReferenceSource(ref.getSource()).setReferenceMetric(ref.getMetric())
          .setLabelColumn(config.labelColumn());
      work.add(w.build());
    }
    jobs.put(StoreKeys.checkpoint(ck), StoredJob.newBuilder()
        .setJob(job).setCheckpoint(ck).setSource(where).setIdsDigest(digest).setLabels(rows.labels()).setLabelCodes(rows.labelCodes())
        .setShards(shards).setShardsDone(0).setKnnMillis(0).setCkaSelf(null)
        .setDataset(reg.getDataset()).setModel(reg.getModel()).setMetric(reg.getMetric())
        .setAcceptedAt(context.currentSystemTimeMs()).setPending(pending).setFailure(null)
        .setCompleted(done).setFailedComparisons(failed).build());
    work.forEach(this::send);
    completeIfSettled(StoreKeys.checkpoint(ck));
    int sample = config.sampleFor(n);
    log.info("accepted {} ({} × {}, {}): {} k-NN shard(s), {} comparison(s) sent to the compare workers", CheckpointNames.of(ck), n,
        reg.getDimension(), sample == 0 ? "exact" : sample + " sampled queries", shards, pending.size());

    SpaceState next = space == null
        ? new SpaceState(ck.getStep(), ck.getStep(), new double[0])
        : space.next(ck.getStep(), 0, false, config.drift(exp).window());
    spaces.put(StoreKeys.space(exp, ck.getSpace()), next.stored());
    pruneUnused(exp);
  }

  private CompareWork.Builder item(String job, WorkKind kind, CheckpointKey ck, SpaceLocation where, io.vectory.avro.Metric metric) {
    return CompareWork.newBuilder().setJob(job).setKind(kind).setCheckpoint(ck).setSource(where).setMetric(metric)
        .setK(config.k()).setIncludeSelf(config.includeSelf()).setSample(config.sampleFor(where.getRows())).setSeed(config.seed())
        .setShard(0).setShards(1).setQueryFrom(0).setQueryTo(0);
  }

  /** The k-NN shards of a checkpoint's pass under this app's k, self rule, sampling and shard size. */
  private List<CompareWork> knnWork(String job, CheckpointKey ck, SpaceLocation where, io.vectory.avro.Metric metric) {
    int[] q = queryRows(where, metric);
    int nq = q == null ? where.getRows() : q.length;
    int shards = WorkShards.count(nq, config.shardRows());
    List<CompareWork> out = new ArrayList<>(shards);
    for (int i = 0; i < shards; i++) {
      int from = WorkShards.from(nq, shards, i), to = WorkShards.from(nq, shards, i + 1);
      out.add(item(job, WorkKind.KNN, ck, where, metric).setShard(i).setShards(shards).setQueryFrom(from).setQueryTo(to).build());
    }
    return out;
  }

  /** The query rows of a checkpoint's pass under this app's k, self rule and sampling: null for every row. */
  private int[] queryRows(SpaceLocation where, io.vectory.avro.Metric metric) {
    return WorkShards.queryRows(where.getRows(), config.k(), coreMetric(metric), config.includeSelf(), config.sampleFor(where.getRows()), config.seed());
  }

  /** Where shard {@code shard} of a checkpoint's pass waits for the others, in the k-NN (or tiled-shard) store. */
  private static String shardKey(String checkpointKey, int shard) {
    return checkpointKey + "#" + String.format("%06d", shard);
  }

  /** Keyed by job and shard, so a checkpoint's items spread over the work topic's partitions (and so the workers). */
  private void send(CompareWork w) {
    String key = w.getJob() + "#" + w.getKind() + "#" + w.getShard() + (w.getReference() == null ? "" : "#" + CheckpointNames.of(w.getReference()));
    context.forward(new Record<String, SpecificRecord>(key, w, context.currentStreamTimeMs()), ComparisonTopology.WORK_SINK);
  }

  /** Whether a checkpoint's complete kept lists answer this app's comparisons (not when kept under another k, self rule or sample). */
  private boolean listsServe(String key, StoredJob j) {
    StoredKnnLists stored = knn.get(key);
    if (stored == null) return false;
    KnnLists l = KnnListsState.of(stored);
    SpaceLocation where = j.getSource();
    return l.n() == where.getRows() && l.serves(config.k(), coreMetric(j.getMetric()), config.includeSelf(), queryRows(where, j.getMetric()));
  }

  /** Its kept lists do not serve: computed again by the workers (its comparisons wait for them). */
  private void recompute(String key, StoredJob j) {
    log.info("k-NN lists kept for {} do not serve k={}, {}; computing them again", CheckpointNames.of(j.getCheckpoint()), config.k(),
        config.includeSelf() ? "self included" : "self excluded");
    knn.delete(key);
    deleteByPrefix(knnShards, key);
    List<CompareWork> work = knnWork(j.getJob(), j.getCheckpoint(), j.getSource(), j.getMetric());
    j.setShards(work.size());
    j.setShardsDone(0);
    jobs.put(key, j);
    work.forEach(this::send);
  }

  private static void addRef(Map<String, List<Relation>> rel, Map<String, CheckpointKey> keys, CheckpointKey k, Relation r) {
    String sk = StoreKeys.checkpoint(k);
    rel.computeIfAbsent(sk, x -> new ArrayList<>()).add(r);
    keys.put(sk, k);
  }

  /** A compare worker's answer: a k-NN shard, a pair's CKA or a direct compare; each is matched by job, so a retry cannot double it. */
  private void onWorkDone(WorkDone d) {
    String key = StoreKeys.checkpoint(d.getCheckpoint());
    StoredJob j = jobs.get(key);
    if (j == null || !j.getJob().equals(d.getJob())) {
      log.info("answer to {} {} ignored: that publish of the checkpoint is no longer held (dropped or published again)", d.getKind(), d.getJob());
      return;
    }
    if (d.getError() != null) {
      if (d.getKind() == WorkKind.KNN) {
        // Its lists will not come: every comparison waiting for them fails (in finishReady), each dead-lettered.
        if (j.getFailure() == null) j.setFailure(d.getError());
      } else {
        PendingComparison p = pendingWith(j, d.getReference());
        if (p != null) {
          removePending(j, p);
          failComparison(j, p, d.getError());
        }
      }
    } else {
      switch (d.getKind()) {
        case KNN -> {
          String shardKey = shardKey(key, d.getShard());
          SpaceLocation where = j.getSource();
          io.vectory.core.compare.Metric metric = coreMetric(j.getMetric());
          int[] queries = queryRows(where, j.getMetric());
          boolean tiled = WorkShards.tiled(queries, j.getShards(), where.getRows(), config.k());
          boolean seen = tiled ? knnShards.get(shardKey) != null : knn.get(shardKey) != null;
          if (j.getShardsDone() < j.getShards() && !seen) {
            j.setShardsDone(j.getShardsDone() + 1);
            j.setKnnMillis(j.getKnnMillis() + d.getComputeMillis());
            if (d.getCkaSelf() != null) j.setCkaSelf(d.getCkaSelf());
            boolean last = j.getShardsDone() == j.getShards();
            if (tiled) {
              if (last) knn.put(key, KnnListsState.stored(mergeTiles(d, key, where.getRows(), metric, j.getShards())));
              else knnShards.put(shardKey, d);
            } else {
              int nq = queries == null ? where.getRows() : queries.length;
              int from = WorkShards.from(nq, j.getShards(), d.getShard()), to = WorkShards.from(nq, j.getShards(), d.getShard() + 1);
              int[] rows = WorkShards.shardRows(where.getRows(), queries, j.getShards(), from, to);
              KnnLists part = new KnnLists(where.getRows(), config.k(), metric, config.includeSelf(), rows, KnnLists.unpack(d.getNeighbours()));
              if (last) knn.put(key, KnnListsState.stored(concat(part, d.getShard(), key, queries, j.getShards())));
              else knn.put(shardKey, KnnListsState.stored(part));
            }
          }
        }
        case CKA, DIRECT -> {
          PendingComparison p = pendingWith(j, d.getReference());
          if (p != null && !p.getCkaDone()) {
            p.setCkaDone(true);
            p.setCka(d.getCka());
            p.setCkaCross(d.getCkaCross());
            p.setComparison(d.getComparison());
            p.setComputeMillis(p.getComputeMillis() + d.getComputeMillis());
          }
        }
      }
    }
    jobs.put(key, j);
    completeIfSettled(key);
    finishReady();
    pruneUnused(d.getCheckpoint().getExperiment());
  }

  /**
   * A worker's answer that cannot be processed (a poison record): the comparison it completes is dropped (the poison
   * dead letter names it), or, for a k-NN shard, the checkpoint's lists are marked failed so each comparison waiting for
   * them is dead-lettered with the reason.
   */
  private void abandon(WorkDone d, String reason) {
    String key = StoreKeys.checkpoint(d.getCheckpoint());
    StoredJob j = jobs.get(key);
    if (j == null || !j.getJob().equals(d.getJob())) return;
    if (d.getKind() == WorkKind.KNN) {
      if (j.getFailure() == null) j.setFailure(reason);
    } else {
      PendingComparison p = pendingWith(j, d.getReference());
      if (p != null) removePending(j, p);
    }
    jobs.put(key, j);
    completeIfSettled(key);
    finishReady(); // the comparisons waiting for lists that will not come fail now, not at the next record
  }

  /** A comparison of j that will not be made: its reason is dead-lettered when the checkpoint's completion is re-emitted. */
  private static void failComparison(StoredJob j, PendingComparison p, String why) {
    List<String> f = new ArrayList<>(j.getFailedComparisons());
    f.add("comparison with " + CheckpointNames.of(p.getReference()) + " (" + p.getRelations() + ") failed: " + why);
    j.setFailedComparisons(f);
  }

  /**
   * Once each comparison of a checkpoint is published or failed: re-emits its CheckpointCompleted to indexed-spaces,
   * then dead-letters the failed ones, in this transaction. A client that reads the completion there has read every
   * result of the checkpoint before it (its verdict), and a failed comparison is not taken for a rejected checkpoint.
   */
  private void completeIfSettled(String key) {
    StoredJob j = jobs.get(key);
    if (j == null || !j.getPending().isEmpty() || j.getCompleted() == null) return;
    CheckpointKey ck = j.getCheckpoint();
    forward(ck.getExperiment(), SpaceEvent.newBuilder().setEvent(j.getCompleted()).build(), ComparisonTopology.INDEXED_SINK);
    SpaceLocation at = j.getSource();
    for (String reason : j.getFailedComparisons()) {
      emitDeadLetter(ck.getExperiment(), ck, "compare", reason, null, at.getTopic(), at.getPartition(), at.getLastOffset());
    }
    j.setCompleted(null);
    j.setFailedComparisons(List.of());
    jobs.put(key, j);
  }

  /** A stored job's list comes back from Avro read-only: replace it rather than edit it. */
  private static void removePending(StoredJob j, PendingComparison p) {
    List<PendingComparison> left = new ArrayList<>(j.getPending());
    left.remove(p);
    j.setPending(left);
  }

  /** The whole pass's lists from a tiled pass's shards (the last one given, the others from the store, then removed). */
  private KnnLists mergeTiles(WorkDone last, String key, int n, io.vectory.core.compare.Metric metric, int shards) {
    List<ExactKnn.ShardLists> parts = new ArrayList<>(shards);
    for (int i = 0; i < shards; i++) {
      String shardKey = shardKey(key, i);
      WorkDone d = i == last.getShard() ? last : knnShards.get(shardKey);
      if (d == null) throw new IllegalStateException("k-NN shard " + shardKey + " counted done but not stored");
      parts.add(new ExactKnn.ShardLists(n, config.k(), KnnLists.unpack(d.getNeighbours()), WorkShards.unpackDistances(d.getDistances())));
      if (i != last.getShard()) knnShards.delete(shardKey);
    }
    return new KnnLists(n, config.k(), metric, config.includeSelf(), null, ExactKnn.mergeShards(parts));
  }

  /** The whole pass's lists from its shards (the last one given, the others from the store, which are then removed). */
  private KnnLists concat(KnnLists last, int lastShard, String key, int[] queries, int shards) {
    if (shards == 1) return new KnnLists(last.n(), last.k(), last.metric(), last.includeSelf(), queries, last.neighbours());
    int[][] parts = new int[shards][];
    for (int i = 0; i < shards; i++) {
      String shardKey = shardKey(key, i);
      parts[i] = i == lastShard ? last.neighbours() : KnnListsState.of(knn.get(shardKey)).neighbours();
      knn.delete(shardKey);
    }
    int total = 0;
    for (int[] p : parts) total += p.length;
    int[] all = new int[total];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return new KnnLists(last.n(), last.k(), last.metric(), last.includeSelf(), queries, all);
  }

  private static PendingComparison pendingWith(StoredJob j, CheckpointKey reference) {
    for (PendingComparison p : j.getPending()) if (p.getReference().equals(reference)) return p;
    return null;
  }

  private static boolean listsDone(StoredJob j) {
    return j.getShardsDone() == j.getShards();
  }

  /**
   * Publishes every waiting comparison whose inputs are all in: a direct one's answer, or both checkpoints' complete
   * k-NN lists and the pair's CKA, merged here (a merge of n·k row indexes: light). In step order within a space: a
   * checkpoint whose earlier sibling still waits waits too, so the drift rules and the latest-Jaccard gauge see a space's
   * steps as they came, however the workers' answers interleave.
   */
  private void finishReady() {
    List<org.apache.kafka.streams.KeyValue<String, StoredJob>> waiting = new ArrayList<>();
    try (KeyValueIterator<String, StoredJob> it = jobs.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        if (!kv.value.getPending().isEmpty()) waiting.add(kv);
      }
    }
    // Offsets of one partition are the order the checkpoints were accepted in.
    waiting.sort(java.util.Comparator.comparingLong(kv -> kv.value.getSource().getLastOffset()));
    java.util.Set<String> held = new java.util.HashSet<>();
    for (var kv : waiting) {
      StoredJob j = jobs.get(kv.key);
      CheckpointKey ck = j.getCheckpoint();
      String space = StoreKeys.space(ck.getExperiment(), ck.getSpace());
      if (held.contains(space)) continue;
      List<PendingComparison> left = new ArrayList<>();
      boolean changed = false;
      for (PendingComparison p : j.getPending()) {
        String refKey = StoreKeys.checkpoint(p.getReference());
        StoredJob ref = jobs.get(refKey);
        String failure = j.getFailure() != null ? j.getFailure() : ref == null ? "the reference is no longer held" : ref.getFailure();
        if (failure != null && !p.getDirect()) {
          failComparison(j, p, failure);
          changed = true;
          continue;
        }
        if (!p.getDirect() && listsDone(ref) && !listsServe(refKey, ref)) {
          recompute(refKey, ref);
          ref = jobs.get(refKey);
        }
        boolean ready = p.getDirect() ? p.getComparison() != null : p.getCkaDone() && listsDone(j) && listsDone(ref);
        if (!ready) {
          left.add(p);
          continue;
        }
        changed = true;
        long knnMillis = j.getKnnMillis();
        j.setKnnMillis(0); // the first comparison published carries the checkpoint's own k-NN pass, so compute_ms add up
        publish(ck, j, p, ref, knnMillis);
      }
      if (changed) {
        j.setPending(left);
        jobs.put(kv.key, j);
        completeIfSettled(kv.key);
      }
      if (!left.isEmpty()) held.add(space);
    }
  }

  /**
   * A pair's linear CKA: the worker's whole value (Gram form), else its cross term over both checkpoints' own terms,
   * which their k-NN shard 0 answered before their lists were done. NaN when undefined.
   */
  private static double cka(StoredJob j, PendingComparison p, StoredJob ref) {
    if (p.getCkaCross() != null) {
      return LinearCka.fromTerms(p.getCkaCross(), j.getCkaSelf() == null ? Double.NaN : j.getCkaSelf(),
          ref.getCkaSelf() == null ? Double.NaN : ref.getCkaSelf());
    }
    return p.getCka() == null ? Double.NaN : p.getCka();
  }

  private void publish(CheckpointKey ck, StoredJob j, PendingComparison p, StoredJob ref, long knnMillis) {
    long start = System.nanoTime();
    ComparisonResult.Builder result;
    if (p.getDirect()) {
      result = ComparisonResult.newBuilder(p.getComparison());
    } else {
      CompareOptions o = new CompareOptions(config.k(), coreMetric(j.getMetric()), coreMetric(ref.getMetric()), config.includeSelf(),
          config.sampleFor(j.getSource().getRows()), config.seed());
      KnnLists la = KnnListsState.of(knn.get(StoreKeys.checkpoint(ck)));
      KnnLists lb = KnnListsState.of(knn.get(StoreKeys.checkpoint(p.getReference())));
      ComparisonOutcome out;
      try {
        out = engine.merge(la, lb, o, cka(j, p, ref));
      } catch (RuntimeException e) {
        log.warn("cannot compare {} with {}", CheckpointNames.of(ck), CheckpointNames.of(p.getReference()), e);
        failComparison(j, p, e.getMessage());
        return;
      }
      String[] labels = RowsDigest.labelsOf(j.getLabels(), j.getLabelCodes());
      Map<String, Double> labelMeans = labels == null ? Map.of() : out.meanByLabel(labels);
      result = ComparisonResults.of(out, labelMeans);
    }
    long nanos = System.nanoTime() - start;
    long millis = knnMillis + p.getComputeMillis() + Math.round(nanos / 1e6);
    metrics.compared(Duration.ofMillis(millis));
    result.setDataset(j.getDataset()).setModel(j.getModel()).setA(ck).setB(p.getReference())
        .setComputeMillis(millis).setComputedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()));
    String exp = ck.getExperiment();
    for (Relation rel : p.getRelations()) {
      ComparisonResult r = result.setRelation(rel).build();
      forward(exp, r, ComparisonTopology.COMPARISONS_SINK);
      metrics.comparison(exp, ck.getSpace(), rel.name(), r.getMeanJaccard());
      if (rel == Relation.PREVIOUS) {
        SpaceState space = spaceState(ck);
        checkDrift(r, space);
        if (space != null) spaces.put(StoreKeys.space(exp, ck.getSpace()), space.withJaccard(r.getMeanJaccard(), config.drift(exp).window()).stored());
      }
    }
  }

  static io.vectory.core.compare.Metric coreMetric(io.vectory.avro.Metric m) {
    return io.vectory.core.compare.Metric.valueOf(m.name());
  }

  private void checkDrift(ComparisonResult r, SpaceState space) {
    DriftThresholds t = config.drift(r.getA().getExperiment());
    double value = r.getMeanJaccard();
    if (t.floor() > 0 && value < t.floor()) {
      alert(r, DriftRule.JACCARD_FLOOR, t.floor(), null, String.format(
          "mean Jaccard (k=%d) of %s with the previous checkpoint %s is %.4f, below the floor %.4f",
          r.getK(), CheckpointNames.of(r.getA()), CheckpointNames.of(r.getB()), value, t.floor()));
    }
    if (space != null && space.trailing().length >= t.minHistory()) {
      double mean = space.trailingMean();
      if (mean - value > t.drop()) {
        alert(r, DriftRule.TRAILING_DROP, t.drop(), mean, String.format(
            "mean Jaccard (k=%d) of %s with the previous checkpoint is %.4f, %.4f below the trailing mean %.4f of the last %d; allowed drop %.4f",
            r.getK(), CheckpointNames.of(r.getA()), value, mean - value, mean, space.trailing().length, t.drop()));
      }
    }
  }

  private void alert(ComparisonResult r, DriftRule rule, double threshold, Double trailing, String message) {
    DriftAlert a = DriftAlert.newBuilder()
        .setDataset(r.getDataset()).setModel(r.getModel()).setA(r.getA()).setB(r.getB())
        .setRule(rule).setValue(r.getMeanJaccard()).setThreshold(threshold).setTrailingMean(trailing)
        .setMessage(message).setRaisedAt(Instant.ofEpochMilli(context.currentSystemTimeMs())).build();
    forward(r.getA().getExperiment(), a, ComparisonTopology.ALERTS_SINK);
  }

  private void onPinned(ReferencePinned p) {
    CheckpointKey ref = p.getReference();
    String exp = ref.getExperiment();
    List<CheckpointKey> list = pinned(exp);
    if (p.getPinned()) {
      if (list.contains(ref)) return;
      SpaceState space = spaceState(ref);
      boolean stored = checkpoints.get(StoreKeys.checkpoint(ref)) != null;
      if (!stored && space != null && ref.getStep() <= space.previousStep()) {
        deadLetter(exp, ref, "pin", "ReferencePinned: " + CheckpointNames.of(ref) + " is not stored (only the first, the previous and pinned "
            + "checkpoints of a space are kept, or it was never accepted); expected a pin before the next checkpoint of its space completes", null);
        return;
      }
      list.add(ref);
    } else {
      if (!list.remove(ref)) return;
    }
    pins.put(exp, new StoredPins(list));
    pruneUnused(exp);
  }

  /**
   * Drops each retained checkpoint of the experiment that no comparison needs any more: not the first or the previous
   * of its space, not pinned, with no comparison of its own waiting and none waiting for it. A checkpoint stays while
   * work on it is in flight, however many later ones arrive meanwhile.
   */
  private void pruneUnused(String exp) {
    List<CheckpointKey> pinned = pinned(exp);
    java.util.Set<CheckpointKey> needed = new java.util.HashSet<>();
    List<CheckpointKey> held = new ArrayList<>();
    try (KeyValueIterator<String, StoredJob> it = jobs.all()) {
      while (it.hasNext()) {
        StoredJob j = it.next().value;
        if (!j.getPending().isEmpty()) needed.add(j.getCheckpoint());
        for (PendingComparison p : j.getPending()) needed.add(p.getReference());
        if (j.getCheckpoint().getExperiment().equals(exp)) held.add(j.getCheckpoint());
      }
    }
    for (CheckpointKey k : held) {
      if (needed.contains(k) || pinned.contains(k)) continue;
      SpaceState space = spaceState(k);
      if (space != null && (k.getStep() == space.firstStep() || k.getStep() == space.previousStep())) continue;
      drop(k);
    }
  }

  private SpaceState spaceState(CheckpointKey ck) {
    StoredSpace s = spaces.get(StoreKeys.space(ck.getExperiment(), ck.getSpace()));
    return s == null ? null : SpaceState.of(s);
  }

  private CheckpointState checkpoint(CheckpointKey ck) {
    StoredCheckpoint s = checkpoints.get(StoreKeys.checkpoint(ck));
    return s == null ? null : CheckpointState.of(s);
  }

  private void put(CheckpointState s) {
    checkpoints.put(StoreKeys.checkpoint(s.key()), s.stored());
  }

  private List<CheckpointKey> pinned(String experiment) {
    StoredPins p = pins.get(experiment);
    return p == null ? new ArrayList<>() : new ArrayList<>(p.getPins());
  }

  private void expireStale(long now) {
    long timeout = config.checkpointTimeout().toMillis();
    List<CheckpointState> stale = new ArrayList<>();
    try (KeyValueIterator<String, StoredCheckpoint> it = checkpoints.all()) {
      while (it.hasNext()) {
        CheckpointState s = CheckpointState.of(it.next().value);
        if (!s.retained() && now - s.lastActivity() >= timeout) stale.add(s);
      }
    }
    for (CheckpointState s : stale) {
      CheckpointKey ck = s.key();
      drop(ck);
      String reason = "checkpoint " + CheckpointNames.of(ck) + " incomplete: no CheckpointCompleted within " + timeout + " ms ("
          + (config.timeoutClock() == PunctuationType.WALL_CLOCK_TIME ? "wall-clock" : "stream time") + ") of its last event; received "
          + s.chunksReceived() + " chunk(s)" + (s.registered() == null ? " and no SpaceRegistered" : " of " + s.registered().getRows() + " rows");
      emitDeadLetter(ck.getExperiment(), ck, "timeout", reason, null, config.topics().spaceEvents.name(), s.sourcePartition(), s.sourceOffset());
    }
  }

  /** Removes a checkpoint's state and chunks. */
  private void drop(CheckpointKey ck) {
    String prefix = StoreKeys.checkpoint(ck);
    deleteChunks(ck);
    deleteByPrefix(knn, prefix); // the whole pass's lists and any shards of it
    deleteByPrefix(knnShards, prefix);
    jobs.delete(prefix);
    checkpoints.delete(prefix);
  }

  private void deleteChunks(CheckpointKey ck) {
    deleteByPrefix(chunks, StoreKeys.checkpoint(ck));
  }

  /** Deletes every key of a store under a prefix (collected first: a store is not changed while it is scanned). */
  private static <V> void deleteByPrefix(KeyValueStore<String, V> store, String prefix) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
      while (it.hasNext()) keys.add(it.next().key);
    }
    for (String k : keys) store.delete(k);
  }

  private void forEachChunk(CheckpointKey ck, java.util.function.Consumer<EmbeddingChunk> f) {
    try (KeyValueIterator<String, EmbeddingChunk> it = chunks.prefixScan(StoreKeys.checkpoint(ck), KEYS)) {
      while (it.hasNext()) {
        f.accept(it.next().value);
      }
    }
  }

  private void forward(String key, SpecificRecord value, String child) {
    context.forward(new Record<>(key, value, context.currentStreamTimeMs()), child);
  }

  /** @param category the {@code reason} label of the dead-letter counter: one short word, not the message */
  private void deadLetter(String key, CheckpointKey ck, String category, String reason, ByteBuffer payload) {
    RecordMetadata m = context.recordMetadata().orElse(null);
    emitDeadLetter(key, ck, category, reason, payload, m == null ? config.topics().spaceEvents.name() : m.topic(), m == null ? -1 : m.partition(),
        m == null ? -1 : m.offset());
  }

  private void emitDeadLetter(String key, CheckpointKey ck, String category, String reason, ByteBuffer payload, String topic, int partition,
      long offset) {
    metrics.deadLetter(category);
    log.warn(reason);
    DeadLetter d = DeadLetter.newBuilder()
        .setSourceTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setKey(key)
        .setCheckpoint(ck == null ? null : CheckpointNames.of(ck))
        .setReason(reason)
        .setPayload(payload)
        .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
    forward(key, d, ComparisonTopology.DEAD_LETTER_SINK);
  }
}
