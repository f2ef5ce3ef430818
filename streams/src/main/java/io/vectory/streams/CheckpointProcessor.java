package io.vectory.streams;

import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.CheckpointProtocol;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
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
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.LinearCka;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.space.Space;
import io.vectory.core.space.Spaces;
import io.vectory.core.vectors.FloatMatrix;
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
final class CheckpointProcessor implements Processor<String, SpaceEvent, String, SpecificRecord> {
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
  /** Kept linear-CKA terms of this task's retained checkpoints ({@link #ckaTerm}). */
  private final Map<String, Double> ckaTerms = new HashMap<>();

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
    // Beside the application's state folder, not in the task's (a failed exactly-once task's state is rebuilt).
    java.io.File appDir = context.stateDir().getAbsoluteFile().getParentFile();
    this.attempts = AttemptLedger.open(appDir.toPath().resolveSibling(appDir.getName() + ".attempts"));
    long timeout = config.checkpointTimeout().toMillis();
    // Check often enough that a stale checkpoint waits at most ~1.25 × the timeout.
    long every = Math.max(100, Math.min(timeout / 4, 60_000));
    context.schedule(Duration.ofMillis(every), config.timeoutClock(), this::expireStale);
  }

  @Override
  public void process(Record<String, SpaceEvent> record) {
    if (record.value() == null) {
      deadLetter(record.key(), null, "value", "value: null (a tombstone); expected a SpaceEvent", null);
      return;
    }
    Object event = record.value().getEvent();
    CheckpointKey ck = switch (event) {
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
    return type + (event instanceof EmbeddingChunk c ? " " + c.getSequence() : "") + " of " + CheckpointNames.of(ck);
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
    // The sink indexes exactly what was validated, in order.
    forward(exp, SpaceEvent.newBuilder().setEvent(s.registered()).build(), ComparisonTopology.INDEXED_SINK);
    forEachChunk(ck, c -> forward(exp, SpaceEvent.newBuilder().setEvent(c).build(), ComparisonTopology.INDEXED_SINK));
    forward(exp, SpaceEvent.newBuilder().setEvent(done).build(), ComparisonTopology.INDEXED_SINK);
    put(s.asRetained());
    // Its k-NN lists, once: every comparison with it, now and as a later reference, merges them.
    Space a = load(s);
    long knnStart = System.nanoTime();
    KnnLists own = keepLists(ck, s.registered(), a, true);
    long ownKnnNanos = System.nanoTime() - knnStart;

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

    Double previousJaccard = null;
    if (!relations.isEmpty()) {
      for (Map.Entry<String, List<Relation>> e : relations.entrySet()) {
        CheckpointKey refKey = refKeys.get(e.getKey());
        CheckpointState ref = checkpoint(refKey);
        ComparisonResult.Builder result;
        try {
          // The first comparison carries the new checkpoint's own k-NN pass, so a checkpoint's compute_ms add up.
          result = compare(s, a, own, ref, load(ref), ownKnnNanos);
          ownKnnNanos = 0;
        } catch (RuntimeException ex) {
          log.warn("cannot compare {} with {}", CheckpointNames.of(ck), CheckpointNames.of(refKey), ex);
          deadLetter(exp, ck, "compare", "comparison with " + CheckpointNames.of(refKey) + " (" + e.getValue() + ") failed: " + ex.getMessage(), null);
          continue;
        }
        for (Relation rel : e.getValue()) {
          ComparisonResult r = ComparisonResult.newBuilder(result).setRelation(rel).build();
          forward(exp, r, ComparisonTopology.COMPARISONS_SINK);
          metrics.comparison(exp, ck.getSpace(), rel.name(), r.getMeanJaccard());
          if (rel == Relation.PREVIOUS) {
            previousJaccard = r.getMeanJaccard();
            checkDrift(r, space);
          }
        }
      }
    }

    DriftThresholds t = config.drift(exp);
    SpaceState next = space == null
        ? new SpaceState(ck.getStep(), ck.getStep(), new double[0])
        : space.next(ck.getStep(), previousJaccard == null ? 0 : previousJaccard, previousJaccard != null, t.window());
    spaces.put(StoreKeys.space(exp, ck.getSpace()), next.stored());
    if (space != null && space.previousStep() != space.firstStep()) {
      pruneIfUnused(StoreKeys.checkpointKey(exp, ck.getSpace(), space.previousStep()), pinned, next);
    }
  }

  private static void addRef(Map<String, List<Relation>> rel, Map<String, CheckpointKey> keys, CheckpointKey k, Relation r) {
    String sk = StoreKeys.checkpoint(k);
    rel.computeIfAbsent(sk, x -> new ArrayList<>()).add(r);
    keys.put(sk, k);
  }

  /**
   * Compares checkpoint a (lists {@code listsA}, null if its pass failed) with the retained reference b. When both
   * hold their ids in the same row order, the kept lists are merged (no k-NN pass, except b's if it has none kept
   * that serve); otherwise a's rows index other points than b's, and the pair is aligned and compared directly.
   *
   * @param extraNanos time already spent for this comparison (a's own k-NN pass), added to its compute time
   */
  private ComparisonResult.Builder compare(CheckpointState sa, Space a, KnnLists listsA, CheckpointState sb, Space b, long extraNanos) {
    SpaceRegistered ra = sa.registered(), rb = sb.registered();
    CompareOptions o = options(ra, rb);
    long start = System.nanoTime();
    ComparisonOutcome out;
    if (a.ids().equals(b.ids())) {
      if (listsA == null) listsA = keepLists(ra.getCheckpoint(), ra, a, false);
      KnnLists listsB = keepLists(rb.getCheckpoint(), rb, b, false);
      out = engine.compare(listsA, listsB, a.vectors(), b.vectors(), o, ckaTerm(sa, a), ckaTerm(sb, b));
    } else {
      var pair = Spaces.alignById(a, b);
      out = engine.compare(pair.a(), pair.b(), o);
    }
    long nanos = System.nanoTime() - start + extraNanos;
    metrics.compared(Duration.ofNanos(nanos));
    Map<String, Double> labelMeans = Map.of();
    List<String> labels = a.columns().get(config.labelColumn());
    // The pair is in a's row order, so a's label column is already one label per compared row.
    if (labels != null) labelMeans = out.meanByLabel(labels.toArray(String[]::new));
    return ComparisonResults.of(out, labelMeans)
        .setDataset(ra.getDataset())
        .setModel(ra.getModel())
        .setA(ra.getCheckpoint())
        .setB(rb.getCheckpoint())
        .setRelation(Relation.PREVIOUS)
        .setComputeMillis(Math.round(nanos / 1e6))
        .setComputedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()));
  }

  private CompareOptions options(SpaceRegistered ra, SpaceRegistered rb) {
    return new CompareOptions(config.k(), coreMetric(ra.getMetric()), coreMetric(rb.getMetric()), config.includeSelf(), config.sample(), config.seed());
  }

  /**
   * The checkpoint's k-NN lists for this app's k, self rule and query rows under its own metric: the kept ones when
   * they serve ({@link KnnLists#serves}), else computed now and kept beside the checkpoint's state.
   *
   * @param tolerant whether a failed pass is logged and gives null (at acceptance: its comparisons then fail, each
   *     dead-lettered with the reason) instead of throwing
   */
  private KnnLists keepLists(CheckpointKey ck, SpaceRegistered r, Space s, boolean tolerant) {
    String key = StoreKeys.checkpoint(ck);
    io.vectory.core.compare.Metric metric = coreMetric(r.getMetric());
    int[] queries = SpaceComparator.queryRows(s.vectors().rows(), options(r, r));
    StoredKnnLists stored = knn.get(key);
    if (stored != null) {
      KnnLists kept = KnnListsState.of(stored);
      if (kept.n() == s.vectors().rows() && kept.serves(config.k(), metric, config.includeSelf(), queries)) return kept;
    }
    try {
      KnnLists lists = engine.knn(s.vectors(), metric, config.k(), config.includeSelf(), queries);
      knn.put(key, KnnListsState.stored(lists));
      return lists;
    } catch (RuntimeException e) {
      if (!tolerant) throw e;
      log.warn("no k-NN lists for {}: {}", CheckpointNames.of(ck), e.getMessage());
      return null;
    }
  }

  /**
   * The checkpoint's own linear-CKA term ({@link LinearCka#selfTerm}), computed once and kept while this task runs, so
   * each comparison computes only the cross term. Keyed by the checkpoint and the offset of its first event (another
   * publish of the same step is other data); dropped with the checkpoint. Not in a state store: after a restart each
   * reference's term is computed once again, the result is the same.
   */
  private double ckaTerm(CheckpointState s, Space space) {
    return ckaTerms.computeIfAbsent(ckaKey(s), x -> LinearCka.selfTerm(space.vectors()));
  }

  private static String ckaKey(CheckpointState s) {
    return StoreKeys.checkpoint(s.key()) + s.sourcePartition() + "/" + s.sourceOffset();
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
      SpaceState space = spaceState(ref);
      if (space != null) pruneIfUnused(ref, list, space);
    }
    pins.put(exp, new StoredPins(list));
  }

  /** Deletes a retained checkpoint unless it is still the first, the previous, or pinned. */
  private void pruneIfUnused(CheckpointKey k, List<CheckpointKey> pinned, SpaceState space) {
    if (k.getStep() == space.firstStep() || k.getStep() == space.previousStep() || pinned.contains(k)) return;
    CheckpointState cs = checkpoint(k);
    if (cs != null && cs.retained()) drop(k);
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
      DeadLetter d = DeadLetter.newBuilder()
          .setSourceTopic(config.topics().spaceEvents.name()).setPartition(s.sourcePartition()).setOffset(s.sourceOffset())
          .setKey(ck.getExperiment()).setCheckpoint(CheckpointNames.of(ck)).setReason(reason)
          .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs())).build();
      log.warn(reason);
      metrics.deadLetter("timeout");
      context.forward(new Record<String, SpecificRecord>(ck.getExperiment(), d, now), ComparisonTopology.DEAD_LETTER_SINK);
    }
  }

  /** Removes a checkpoint's state and chunks. */
  private void drop(CheckpointKey ck) {
    String prefix = StoreKeys.checkpoint(ck);
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, EmbeddingChunk> it = chunks.prefixScan(prefix, KEYS)) {
      while (it.hasNext()) keys.add(it.next().key);
    }
    for (String k : keys) chunks.delete(k);
    knn.delete(prefix);
    ckaTerms.keySet().removeIf(k -> k.startsWith(prefix));
    checkpoints.delete(prefix);
  }

  private void forEachChunk(CheckpointKey ck, java.util.function.Consumer<EmbeddingChunk> f) {
    try (KeyValueIterator<String, EmbeddingChunk> it = chunks.prefixScan(StoreKeys.checkpoint(ck), KEYS)) {
      while (it.hasNext()) {
        f.accept(it.next().value);
      }
    }
  }

  /** Reads an accepted checkpoint back from its chunks into one matrix. */
  private Space load(CheckpointState s) {
    SpaceRegistered r = s.registered();
    CheckpointProtocol.Assembly assembly = new CheckpointProtocol.Assembly(r);
    forEachChunk(s.key(), assembly::add);
    CheckpointProtocol.Assembled a = assembly.result();
    List<String> colNames = r.getMetadataColumns();
    Map<String, List<String>> columns = new LinkedHashMap<>();
    for (int j = 0; j < colNames.size(); j++) {
      List<String> col = new ArrayList<>(a.ids().size());
      for (List<String> row : a.metadata()) col.add(row.get(j));
      columns.put(colNames.get(j), col);
    }
    return new Space(CheckpointNames.of(s.key()), a.ids(), FloatMatrix.wrap(a.ids().size(), a.dimension(), a.vectors()), columns);
  }

  private void forward(String key, SpecificRecord value, String child) {
    context.forward(new Record<>(key, value, context.currentStreamTimeMs()), child);
  }

  /** @param category the {@code reason} label of the dead-letter counter: one short word, not the message */
  private void deadLetter(String key, CheckpointKey ck, String category, String reason, ByteBuffer payload) {
    metrics.deadLetter(category);
    RecordMetadata m = context.recordMetadata().orElse(null);
    log.warn(reason);
    DeadLetter d = DeadLetter.newBuilder()
        .setSourceTopic(m == null ? config.topics().spaceEvents.name() : m.topic())
        .setPartition(m == null ? -1 : m.partition())
        .setOffset(m == null ? -1 : m.offset())
        .setKey(key)
        .setCheckpoint(ck == null ? null : CheckpointNames.of(ck))
        .setReason(reason)
        .setPayload(payload)
        .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
    forward(key, d, ComparisonTopology.DEAD_LETTER_SINK);
  }
}
