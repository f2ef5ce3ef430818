package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.avro.DriftRule;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Relation;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.WorkDone;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on TopologyTestDriver with real vectors (hashed bags of words of the datasets module's fortunes
 * corpus). Expected numbers come from the compare engine run offline on the same pair, and from an
 * independent brute-force k-NN here; nothing is hard-coded.
 */
class ComparisonTopologyTest {
  static final int DIM = 64;
  static final int CHUNK_ROWS = 200;
  static TestData data;

  @TempDir Path stateDir;
  final Topics topics = Topics.withPrefix("t.");
  final EventSerdes serdes = EventSerdes.singleObject();
  TopologyTestDriver driver;
  TestWorkers workers;
  TestOutputTopic<String, ComparisonResult> results;
  TestOutputTopic<String, DriftAlert> alerts;
  TestOutputTopic<String, DeadLetter> dead;
  TestOutputTopic<String, SpaceEvent> indexed;

  @BeforeAll
  static void load() {
    data = TestData.fortunes(DIM, Integer.MAX_VALUE);
  }

  PipelineConfig config() {
    return PipelineConfig.defaults(topics, serdes).withCheckpointTimeout(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME);
  }

  void start(PipelineConfig config) {
    Properties base = new Properties();
    base.put(StreamsConfig.APPLICATION_ID_CONFIG, "vectory-test");
    base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    base.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(ComparisonTopology.buildTopology(config), ComparisonTopology.streamsProperties(config, base));
    workers = new TestWorkers(driver, topics, serdes, ComparisonEngine.EXACT);
    results = driver.createOutputTopic(topics.comparisons.name(), Serdes.String().deserializer(), topics.comparisons.valueSerde(serdes).deserializer());
    alerts = driver.createOutputTopic(topics.alerts.name(), Serdes.String().deserializer(), topics.alerts.valueSerde(serdes).deserializer());
    dead = driver.createOutputTopic(topics.deadLetters.name(), Serdes.String().deserializer(), topics.deadLetters.valueSerde(serdes).deserializer());
    indexed = driver.createOutputTopic(topics.indexedSpaces.name(), Serdes.String().deserializer(), topics.indexedSpaces.valueSerde(serdes).deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) driver.close();
  }

  void send(String experiment, List<SpaceEvent> events) {
    for (SpaceEvent e : events) workers.pipe(experiment, e);
  }

  List<SpaceEvent> checkpoint(String exp, long step, float[][] vectors) {
    return CheckpointEvents.of(CheckpointEvents.key(exp, "head", step), data.ids, vectors, data.labels, CHUNK_ROWS);
  }

  static CompareOptions options() {
    return new CompareOptions(10, Metric.COSINE, Metric.COSINE, false, 0, 42L);
  }

  /** The engine's answer for the pair, computed outside the pipeline. */
  static void assertMatchesEngine(ComparisonResult r, float[][] a, float[][] b) {
    var expected = SpaceComparator.compare(FloatMatrix.of(a), FloatMatrix.of(b), options(), ProgressListener.NONE);
    assertEquals(expected.n(), r.getN(), "n");
    assertEquals(10, r.getK());
    assertFalse(r.getIncludeSelf());
    assertTrue(r.getExact());
    assertEquals(expected.meanJaccard(), r.getMeanJaccard(), 1e-12, "mean Jaccard");
    assertArrayEquals(expected.histogram(), r.getHistogram().stream().mapToLong(Long::longValue).toArray(), "histogram");
    assertEquals(expected.cka(), r.getCka(), 1e-9, "cka");
    Map<String, Double> byLabel = expected.meanByLabel(data.labels.toArray(new String[0]));
    assertEquals(byLabel.keySet(), r.getLabelMeans().keySet());
    byLabel.forEach((label, mean) -> assertEquals(mean, r.getLabelMeans().get(label), 1e-12, "label " + label));
  }

  /** Sends checkpoints 0, s1 and s2 of e1 and checks their four comparisons, in order, against the engine's. */
  List<ComparisonResult> sendThreeAndMatchTheEngine(long s1, long s2, float[][] v0, float[][] v1, float[][] v2) {
    send("e1", checkpoint("e1", 0, v0));
    assertTrue(results.isEmpty(), "the first checkpoint has nothing to be compared with");
    send("e1", checkpoint("e1", s1, v1));
    send("e1", checkpoint("e1", s2, v2));
    List<ComparisonResult> rs = results.readValuesToList();
    assertEquals(List.of(s1 + " PREVIOUS 0", s1 + " FIRST 0", s2 + " PREVIOUS " + s1, s2 + " FIRST 0"),
        rs.stream().map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).toList());
    assertMatchesEngine(rs.get(0), v1, v0);
    assertMatchesEngine(rs.get(1), v1, v0);
    assertMatchesEngine(rs.get(2), v2, v1);
    assertMatchesEngine(rs.get(3), v2, v0);
    return rs;
  }

  @Test
  void validCheckpointsAreComparedWithPreviousAndFirstExactlyAsTheEngineDoes() {
    start(config());
    float[][] v0 = data.base, v1 = data.perturbed(0.02, 1), v2 = data.perturbed(0.04, 2);
    List<ComparisonResult> rs = sendThreeAndMatchTheEngine(10, 20, v0, v1, v2);
    // An independent brute force agrees with the pipeline too (not only the engine with itself).
    // Float vs double distances may order a near-tie differently: one swapped neighbour moves the mean by < 1e-4.
    assertEquals(BruteForce.meanJaccard(v2, v1, 10), rs.get(2).getMeanJaccard(), 1e-3);
    assertTrue(rs.get(2).getMeanJaccard() > 0.3 && rs.get(2).getMeanJaccard() < 1, "a real, imperfect overlap: " + rs.get(2).getMeanJaccard());

    // Every accepted checkpoint is re-emitted for the sink, register, chunks in order, completion.
    List<SpaceEvent> idx = indexed.readValuesToList();
    int perCheckpoint = 2 + (data.rows() + CHUNK_ROWS - 1) / CHUNK_ROWS;
    assertEquals(3 * perCheckpoint, idx.size());
    assertEquals(checkpoint("e1", 10, v1), idx.subList(perCheckpoint, 2 * perCheckpoint));
    assertTrue(dead.isEmpty(), () -> "no dead letters expected: " + dead.readValuesToList());
    assertTrue(alerts.isEmpty(), "small perturbations must not raise drift alerts");
  }

  @Test
  void aCheckpointsCompletionIsReEmittedOnceItsComparisonsAreSettled() {
    start(config());
    send("e1", checkpoint("e1", 0, data.base));
    assertEquals(checkpoint("e1", 0, data.base), indexed.readValuesToList(), "nothing to compare: completed at acceptance");
    List<SpaceEvent> cp1 = checkpoint("e1", 1, data.perturbed(0.02, 1));
    for (SpaceEvent e : cp1) workers.pipeHeld("e1", e);
    assertEquals(cp1.subList(0, cp1.size() - 1), indexed.readValuesToList(), "registration and chunks at acceptance; the completion waits");
    assertTrue(results.isEmpty());
    workers.drain();
    assertEquals(List.of("PREVIOUS 0", "FIRST 0"), results.readValuesToList().stream().map(r -> r.getRelation() + " " + r.getB().getStep()).toList());
    assertEquals(List.of(cp1.get(cp1.size() - 1)), indexed.readValuesToList(), "the completion, once both comparisons are out");
  }

  @Test
  void aPassSplitInTileShardsGivesTheWholePassesComparisons() {
    start(config().withShardRows(400)); // 1,307 rows: 4 shards of the self-join's tile pairs
    sendThreeAndMatchTheEngine(1, 2, data.base, data.perturbed(0.03, 1), data.perturbed(0.06, 2));
    assertEquals(12, workers.done.stream().filter(w -> w.getKind() == io.vectory.avro.WorkKind.KNN).count(), "4 k-NN shards per checkpoint");
    assertTrue(dead.isEmpty(), () -> "dead letters: " + dead.readValuesToList());
  }

  @Test
  void aCheckpointAboveTheSampleSizeIsComparedOnSampledQueriesWithItsConfidenceInterval() {
    start(config().withSampling(1000, 300)); // 1,307 rows > 1,000: 300 seeded queries
    float[][] v0 = data.base, v1 = data.perturbed(0.05, 1);
    send("e1", checkpoint("e1", 0, v0));
    send("e1", checkpoint("e1", 1, v1));
    ComparisonResult r = results.readValuesToList().get(0);
    var expected = SpaceComparator.compare(FloatMatrix.of(v1), FloatMatrix.of(v0),
        new CompareOptions(10, Metric.COSINE, Metric.COSINE, false, 300, config().seed()), ProgressListener.NONE);
    assertFalse(r.getExact());
    assertEquals(300L, r.getQueries());
    assertEquals(expected.meanJaccard(), r.getMeanJaccard(), 1e-12, "the engine's sampled mean on the same queries");
    assertEquals(expected.ciLow(), r.getCiLow(), 1e-12);
    assertEquals(expected.ciHigh(), r.getCiHigh(), 1e-12);
    assertTrue(r.getCiLow() < r.getMeanJaccard() && r.getMeanJaccard() < r.getCiHigh(), () -> "CI around the mean: " + r);
    assertEquals(300L, r.getHistogram().stream().mapToLong(Long::longValue).sum(), "the histogram counts the sampled queries");
  }

  @Test
  void answersInAnyOrderPublishASpacesComparisonsInStepOrder() {
    start(config());
    send("e1", checkpoint("e1", 0, data.base));
    for (long step = 1; step <= 2; step++) for (SpaceEvent e : checkpoint("e1", step, data.perturbed(0.02 * step, step))) workers.pipeHeld("e1", e);
    workers.drain(true); // step 2's items answered first: its comparison with step 0 is ready before step 1's
    assertEquals(List.of("1 PREVIOUS 0", "1 FIRST 0", "2 PREVIOUS 1", "2 FIRST 0"),
        results.readValuesToList().stream().map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).toList());
  }

  @Test
  void aFailedComparisonIsDeadLetteredWithTheCompletionNotInsteadOfIt() {
    start(config().withCompare(data.rows(), false, 0)); // k = n: no k-NN list can be made
    send("e1", checkpoint("e1", 0, data.base));
    List<SpaceEvent> cp1 = checkpoint("e1", 1, data.perturbed(0.02, 1));
    for (SpaceEvent e : cp1) workers.pipeHeld("e1", e);
    assertTrue(dead.isEmpty(), "nothing dead-lettered before the checkpoint's comparisons are settled");
    workers.drain();
    List<SpaceEvent> idx = indexed.readValuesToList();
    assertEquals(cp1.get(cp1.size() - 1), idx.get(idx.size() - 1), "accepted: its completion re-emitted");
    List<DeadLetter> d = dead.readValuesToList();
    assertEquals(1, d.size(), () -> "dead letters: " + d);
    assertEquals("e1/head@1", d.get(0).getCheckpoint());
    assertEquals("comparison with e1/head@0 ([PREVIOUS, FIRST]) failed: k must be between 1 and n - 1 = " + (data.rows() - 1) + ", got " + data.rows(),
        d.get(0).getReason());
    assertEquals(topics.spaceEvents.name(), d.get(0).getSourceTopic(), "points at the checkpoint's completion in space-events");
    assertTrue(results.isEmpty());
  }

  @Test
  void onlyFirstPreviousAndPinnedCheckpointsStayInTheStores() {
    start(config());
    for (int s = 0; s < 4; s++) send("e1", checkpoint("e1", s, data.perturbed(0.01 * s, s)));
    var jobs = driver.<String, io.vectory.avro.StoredJob>getKeyValueStore(ComparisonTopology.JOB_STORE);
    var kept = new java.util.TreeSet<Long>();
    try (var it = jobs.all()) {
      it.forEachRemaining(kv -> kept.add(Long.parseLong(kv.key.split("\u0000")[2])));
    }
    assertEquals(java.util.Set.of(0L, 3L), kept, "first and previous only");
    var lists = new java.util.TreeSet<Long>();
    try (var it = knnStore().all()) {
      it.forEachRemaining(kv -> lists.add(Long.parseLong(kv.key.split("\u0000")[2])));
    }
    assertEquals(java.util.Set.of(0L, 3L), lists, "k-NN lists of the first and previous only");
    // No vectors in the app's state: accepted checkpoints are read back from space-events by the workers.
    try (var it = driver.<String, io.vectory.avro.EmbeddingChunk>getKeyValueStore(ComparisonTopology.CHUNK_STORE).all()) {
      assertFalse(it.hasNext(), "no chunk is kept once its checkpoint is accepted");
    }
  }

  @Test
  void pinnedReferencesAreComparedUntilUnpinned() {
    start(config());
    float[][] v0 = data.base, v1 = data.perturbed(0.02, 1), v2 = data.perturbed(0.03, 2), v3 = data.perturbed(0.05, 3), v4 = data.perturbed(0.06, 4);
    CheckpointKey ref = CheckpointEvents.key("e1", "head", 1);
    send("e1", checkpoint("e1", 0, v0));
    send("e1", checkpoint("e1", 1, v1));
    workers.pipe("e1", CheckpointEvents.pin(ref, true));
    send("e1", checkpoint("e1", 2, v2));
    send("e1", checkpoint("e1", 3, v3));
    results.readValuesToList();
    // Not lost though it is no longer previous: step 4 still has a PINNED result against 1.
    send("e1", checkpoint("e1", 4, v4));
    List<ComparisonResult> rs = results.readValuesToList();
    List<ComparisonResult> pinned = rs.stream().filter(r -> r.getRelation() == Relation.PINNED).toList();
    assertEquals(1, pinned.size(), () -> "results: " + rs);
    assertEquals(ref, pinned.get(0).getB());
    assertMatchesEngine(pinned.get(0), v4, v1);

    workers.pipe("e1", CheckpointEvents.pin(ref, false));
    send("e1", checkpoint("e1", 5, data.perturbed(0.07, 5)));
    assertTrue(results.readValuesToList().stream().noneMatch(r -> r.getRelation() == Relation.PINNED), "unpinned: no PINNED result");

    // A checkpoint already pruned cannot be pinned: said in a dead letter, not silently ignored.
    workers.pipe("e1", CheckpointEvents.pin(CheckpointEvents.key("e1", "head", 3), true));
    DeadLetter d = dead.readValue();
    assertTrue(d.getReason().contains("ReferencePinned") && d.getReason().contains("not stored"), d.getReason());
    assertEquals("e1/head@3", d.getCheckpoint());
  }

  interface Corruption {
    void apply(List<SpaceEvent> events);
  }

  void assertRejected(String experiment, Corruption corruption, String... reasonParts) {
    List<SpaceEvent> bad = checkpoint(experiment, 1, data.perturbed(0.02, 7));
    corruption.apply(bad);
    send(experiment, checkpoint(experiment, 0, data.base));
    send(experiment, bad);
    send(experiment, checkpoint(experiment, 2, data.perturbed(0.03, 8)));

    List<DeadLetter> ds = dead.readValuesToList();
    assertEquals(1, ds.size(), () -> "one dead letter: " + ds);
    DeadLetter d = ds.get(0);
    assertEquals(experiment + "/head@1", d.getCheckpoint());
    assertEquals(topics.spaceEvents.name(), d.getSourceTopic());
    for (String part : reasonParts) assertTrue(d.getReason().contains(part), () -> "reason '" + d.getReason() + "' should mention '" + part + "'");
    // The good ones pass: step 2 is compared with step 0, which is both its previous and its first.
    List<String> rs = results.readValuesToList().stream().map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).toList();
    assertEquals(List.of("2 PREVIOUS 0", "2 FIRST 0"), rs);
    // The rejected checkpoint's chunks are gone from the store.
    try (var it = driver.<String, io.vectory.avro.EmbeddingChunk>getKeyValueStore(ComparisonTopology.CHUNK_STORE).prefixScan(experiment + "\u0000head\u00001\u0000", new org.apache.kafka.common.serialization.StringSerializer())) {
      assertFalse(it.hasNext());
    }
  }

  @Test
  void missingChunkIsDeadLettered() {
    start(config());
    assertRejected("e1", ev -> ev.remove(3), "sequence", "missing chunk 2", "chunks: CheckpointCompleted.chunks is 7; received 6");
  }

  @Test
  void badChecksumIsDeadLettered() {
    start(config());
    assertRejected("e1", ev -> {
      EmbeddingChunk c = CheckpointEvents.chunk(ev.get(2));
      ByteBuffer v = c.getVectors();
      v.order(ByteOrder.LITTLE_ENDIAN).putFloat(4, v.order(ByteOrder.LITTLE_ENDIAN).getFloat(4) + 0.5f); // a flipped value in transit
    }, "checksum: CRC-32C");
  }

  @Test
  void duplicateIdsAreDeadLettered() {
    start(config());
    assertRejected("e1", ev -> {
      EmbeddingChunk c = CheckpointEvents.chunk(ev.get(3));
      c.getIds().set(5, data.ids.get(0));
    }, "ids: 1 duplicate id", "'" + data.ids.get(0) + "'");
  }

  @Test
  void wrongRowCountIsDeadLettered() {
    start(config());
    assertRejected("e1", ev -> {
      CheckpointCompleted done = CheckpointEvents.completed(ev);
      done.setRows(done.getRows() + 1);
    }, "rows: CheckpointCompleted.rows is " + (data.rows() + 1) + "; the chunks hold " + data.rows());
  }

  @Test
  void nonFiniteValuesAreDeadLettered() {
    start(config());
    assertRejected("e1", ev -> {
      float[][] v = data.perturbed(0.02, 7);
      v[450][3] = Float.NaN;
      List<SpaceEvent> fresh = checkpoint("e1", 1, v); // checksum consistent: the publisher sent a NaN
      ev.clear();
      ev.addAll(fresh);
    }, "non-finite", "row 450 component 3");
  }

  @Test
  void checkpointWithoutCompletionTimesOut() {
    start(config());
    send("e1", checkpoint("e1", 0, data.base));
    List<SpaceEvent> partial = checkpoint("e1", 1, data.perturbed(0.02, 1));
    send("e1", partial.subList(0, 3)); // register + 2 chunks, then the publisher dies
    driver.advanceWallClockTime(Duration.ofSeconds(30));
    assertTrue(dead.isEmpty(), "not yet timed out");
    driver.advanceWallClockTime(Duration.ofSeconds(60));
    DeadLetter d = dead.readValue();
    assertEquals("e1/head@1", d.getCheckpoint());
    assertTrue(d.getReason().contains("no CheckpointCompleted within 60000 ms") && d.getReason().contains("received 2 chunk(s)"), d.getReason());
    assertTrue(dead.isEmpty());
    // Its late completion is refused too, and a later checkpoint still compares with step 0.
    workers.pipe("e1", partial.get(partial.size() - 1));
    assertTrue(dead.readValue().getReason().contains("no SpaceRegistered or EmbeddingChunk"));
    send("e1", checkpoint("e1", 2, data.perturbed(0.03, 2)));
    assertEquals(2, results.readValuesToList().size());
  }

  @Test
  void checkpointTimeoutOnStreamTime() {
    start(config().withCheckpointTimeout(Duration.ofSeconds(10), PunctuationType.STREAM_TIME));
    List<SpaceEvent> partial = checkpoint("e1", 1, data.base);
    for (SpaceEvent e : partial.subList(0, 2)) workers.pipe("e1", e, 1_000L);
    workers.pipe("e2", CheckpointEvents.pin(CheckpointEvents.key("e2", "head", 9), true), 5_000L);
    assertTrue(dead.isEmpty());
    workers.pipe("e2", CheckpointEvents.pin(CheckpointEvents.key("e2", "head", 9), false), 12_000L);
    assertEquals("e1/head@1", dead.readValue().getCheckpoint());
  }

  @Test
  void undecodableBytesGoToDeadLettersWithTheirPayload() {
    start(config());
    byte[] junk = "{\"not\":\"avro\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // The handler as Streams calls it: it must resume and hand back one dead letter carrying the bytes.
    DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
    handler.configure(Map.of(ComparisonTopology.DEAD_LETTER_TOPIC_CONFIG, topics.deadLetters.name(), ComparisonTopology.EVENT_SERDES_CONFIG, serdes));
    var consumed = new org.apache.kafka.clients.consumer.ConsumerRecord<>(topics.spaceEvents.name(), 2, 41L, "e1".getBytes(java.nio.charset.StandardCharsets.UTF_8), junk);
    Exception cause;
    try {
      topics.spaceEvents.valueSerde(serdes).deserializer().deserialize(topics.spaceEvents.name(), junk);
      throw new AssertionError("junk decoded");
    } catch (org.apache.kafka.common.errors.SerializationException e) {
      cause = e;
    }
    var response = handler.handleError(null, consumed, cause);
    assertEquals(org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result.RESUME, response.result());
    assertEquals(1, response.deadLetterQueueRecords().size());
    var out = response.deadLetterQueueRecords().get(0);
    assertEquals(topics.deadLetters.name(), out.topic());
    DeadLetter d = topics.deadLetters.valueSerde(serdes).deserializer().deserialize(out.topic(), out.value());
    assertEquals("e1", d.getKey());
    assertEquals(2, d.getPartition());
    assertEquals(41L, d.getOffset());
    assertTrue(d.getReason().contains("cannot decode") && d.getReason().contains("C3 01"), d.getReason());
    byte[] payload = new byte[d.getPayload().remaining()];
    d.getPayload().get(payload);
    assertArrayEquals(junk, payload);
    assertNull(d.getCheckpoint());

    // In the topology the bad record is skipped and the pipeline keeps going. (TopologyTestDriver drops
    // records a handler produces while a record is enqueued, before processing: it clears its mock
    // producer first. The real-broker ComparisonPipelineIT checks the dead letter arrives.)
    TestInputTopic<String, byte[]> raw = driver.createInputTopic(topics.spaceEvents.name(), Serdes.String().serializer(), new ByteArraySerializer());
    send("e1", checkpoint("e1", 0, data.base));
    raw.pipeInput("e1", junk);
    workers.skipped();
    send("e1", checkpoint("e1", 1, data.perturbed(0.02, 1)));
    assertEquals(2, results.readValuesToList().size(), "the pipeline kept going");
  }

  @Test
  void recordKeyedByAnotherExperimentIsDeadLettered() {
    start(config());
    send("other", checkpoint("e1", 0, data.base).subList(0, 1));
    DeadLetter d = dead.readValue();
    assertTrue(d.getReason().startsWith("key: record key is 'other'; expected the experiment name 'e1'"), d.getReason());
  }

  /** Mean Jaccard with the previous checkpoint for each step after the first, from the engine offline. */
  static List<Double> previousJaccards(List<float[][]> steps) {
    List<Double> out = new ArrayList<>();
    for (int i = 1; i < steps.size(); i++) {
      out.add(SpaceComparator.compare(FloatMatrix.of(steps.get(i)), FloatMatrix.of(steps.get(i - 1)), options(), ProgressListener.NONE).meanJaccard());
    }
    return out;
  }

  /** What the drift rules should raise, derived here from the offline Jaccards: "step RULE". */
  static List<String> expectedAlerts(List<Double> js, DriftThresholds t) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < js.size(); i++) {
      double v = js.get(i);
      if (v < t.floor()) out.add((i + 1) + " " + DriftRule.JACCARD_FLOOR);
      List<Double> trail = js.subList(Math.max(0, i - t.window()), i);
      if (trail.size() >= t.minHistory()) {
        double mean = trail.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        if (mean - v > t.drop()) out.add((i + 1) + " " + DriftRule.TRAILING_DROP);
      }
    }
    return out;
  }

  @Test
  void driftRulesFireOnAShuffleAndStayQuietOnSmoothTraining() {
    DriftThresholds loose = new DriftThresholds(0.05, 0.2, 3, 2);
    DriftThresholds strict = new DriftThresholds(0.05, 0.2, 3, 2);
    start(config().withDrift(loose, Map.of("strict", strict)));
    // Smooth: a random walk with small steps, like a model that has settled.
    List<float[][]> smooth = data.walk(6, 0.01, 100);
    // Drifting: the same walk, then a big step (trailing drop), then a shuffle (below any floor).
    List<float[][]> drifting = new ArrayList<>(smooth.subList(0, 4));
    drifting.add(new TestData(drifting.get(3)).perturbed(0.05, 200));
    drifting.add(TestData.shuffled(drifting.get(4), 201));

    for (int s = 0; s < smooth.size(); s++) send("calm", checkpoint("calm", s, smooth.get(s)));
    for (int s = 0; s < drifting.size(); s++) send("strict", checkpoint("strict", s, drifting.get(s)));

    List<DriftAlert> as = alerts.readValuesToList();
    Map<String, List<String>> got = as.stream().collect(Collectors.groupingBy(a -> a.getA().getExperiment(),
        Collectors.mapping(a -> a.getA().getStep() + " " + a.getRule(), Collectors.toList())));
    List<String> calmExpected = expectedAlerts(previousJaccards(smooth), loose);
    List<String> strictExpected = expectedAlerts(previousJaccards(drifting), strict);
    assertEquals(List.of(), calmExpected, "the smooth run is meant to be quiet");
    assertTrue(strictExpected.contains("5 " + DriftRule.JACCARD_FLOOR) && strictExpected.contains("4 " + DriftRule.TRAILING_DROP),
        () -> "the drifting run is meant to trip both rules: " + strictExpected);
    assertNull(got.get("calm"), () -> "calm alerts: " + got.get("calm"));
    assertEquals(strictExpected, got.get("strict"));
    for (DriftAlert a : as) {
      assertEquals(a.getA().getStep() - 1, a.getB().getStep());
      assertNotNull(a.getMessage());
      if (a.getRule() == DriftRule.TRAILING_DROP) assertNotNull(a.getTrailingMean());
    }
  }

  @Test
  void perExperimentThresholdsOverrideTheDefaults() {
    Properties p = new Properties();
    p.setProperty("drift.floor", "0.01");
    p.setProperty("drift.floor.picky", "0.999");
    start(PipelineConfig.fromProperties(p, topics, serdes));
    for (String exp : List.of("relaxed", "picky")) {
      send(exp, checkpoint(exp, 0, data.base));
      send(exp, checkpoint(exp, 1, data.perturbed(0.02, 1)));
    }
    List<DriftAlert> as = alerts.readValuesToList();
    assertEquals(List.of("picky"), as.stream().map(a -> a.getA().getExperiment()).toList());
    assertEquals(0.999, as.get(0).getThreshold());
  }

  org.apache.kafka.streams.state.KeyValueStore<String, io.vectory.avro.StoredKnnLists> knnStore() {
    return driver.getKeyValueStore(ComparisonTopology.KNN_STORE);
  }

  static KnnLists lists(float[][] v, int k) {
    return KnnLists.compute(FloatMatrix.of(v), Metric.COSINE, k, false, null, ProgressListener.NONE);
  }

  @Test
  void eachCheckpointsKnnListsAreKeptOnAcceptanceAndReusedAsAReference() {
    start(config());
    float[][] v0 = data.base, v1 = data.perturbed(0.02, 1), v2 = data.perturbed(0.04, 2);
    send("e1", checkpoint("e1", 0, v0));
    send("e1", checkpoint("e1", 1, v1));
    String k0 = StoreKeys.checkpoint(CheckpointEvents.key("e1", "head", 0));
    String k1 = StoreKeys.checkpoint(CheckpointEvents.key("e1", "head", 1));
    for (var e : Map.of(k0, v0, k1, v1).entrySet()) {
      KnnLists kept = KnnListsState.of(knnStore().get(e.getKey()));
      assertEquals(10, kept.k());
      assertEquals(Metric.COSINE, kept.metric());
      assertFalse(kept.includeSelf());
      assertTrue(kept.exact());
      assertArrayEquals(lists(e.getValue(), 10).neighbours(), kept.neighbours(), "kept lists of " + e.getKey().replace('\u0000', '/'));
    }
    results.readValuesToList();

    // Swap step 0's kept lists for step 1's: if the comparison with the first checkpoint reuses them (no k-NN pass
    // of the reference), step 2 vs FIRST now yields exactly step 2 vs PREVIOUS, not the engine's answer for v2 vs v0.
    knnStore().put(k0, KnnListsState.stored(lists(v1, 10)));
    send("e1", checkpoint("e1", 2, v2));
    List<ComparisonResult> rs = results.readValuesToList();
    assertEquals(List.of("2 PREVIOUS 1", "2 FIRST 0"), rs.stream().map(r -> r.getA().getStep() + " " + r.getRelation() + " " + r.getB().getStep()).toList());
    assertMatchesEngine(rs.get(0), v2, v1);
    assertEquals(rs.get(0).getMeanJaccard(), rs.get(1).getMeanJaccard(), 0, "FIRST merged the reference's kept lists");
    double direct = SpaceComparator.compare(FloatMatrix.of(v2), FloatMatrix.of(v0), options(), ProgressListener.NONE).meanJaccard();
    assertTrue(Math.abs(direct - rs.get(1).getMeanJaccard()) > 1e-3, () -> "the swap should show: direct " + direct + " vs " + rs.get(1).getMeanJaccard());
    // Step 1 is neither first nor previous now: its lists went with its chunks.
    assertNull(knnStore().get(k1));
    assertNotNull(knnStore().get(StoreKeys.checkpoint(CheckpointEvents.key("e1", "head", 2))));
  }

  @Test
  void aCheckpointsOwnCkaTermIsComputedOnceByItsPassAndEachReferenceCostsTheCrossTerm() {
    start(config());
    float[][] v0 = data.base, v1 = data.perturbed(0.02, 1), v2 = data.perturbed(0.04, 2);
    send("e1", checkpoint("e1", 0, v0));
    send("e1", checkpoint("e1", 1, v1));
    results.readValuesToList();
    int before = workers.answered.size();
    send("e1", checkpoint("e1", 2, v2));
    List<WorkDone> step2 = workers.answered.subList(before, workers.answered.size());
    List<String> kinds = step2.stream().map(d -> d.getKind() + (d.getCkaSelf() != null ? " self" : "") + (d.getCkaCross() != null ? " cross" : "")
        + (d.getCka() != null ? " whole" : "")).sorted().toList();
    assertEquals(List.of("CKA cross", "CKA cross", "KNN self"), kinds, "one own term (with the pass), one cross term per reference");
    List<ComparisonResult> rs = results.readValuesToList();
    assertEquals(2, rs.size());
    assertMatchesEngine(rs.get(0), v2, v1);
    assertMatchesEngine(rs.get(1), v2, v0);
  }

  @Test
  void keptListsThatDoNotServeTheComparisonAreComputedAgain() {
    start(config());
    float[][] v0 = data.base, v1 = data.perturbed(0.02, 1);
    send("e1", checkpoint("e1", 0, v0));
    String k0 = StoreKeys.checkpoint(CheckpointEvents.key("e1", "head", 0));
    // Lists kept at k = 5 cannot give k = 10 neighbours.
    knnStore().put(k0, KnnListsState.stored(lists(v0, 5)));
    send("e1", checkpoint("e1", 1, v1));
    List<ComparisonResult> rs = results.readValuesToList();
    assertEquals(2, rs.size());
    assertMatchesEngine(rs.get(0), v1, v0);
    assertEquals(10, KnnListsState.of(knnStore().get(k0)).k(), "recomputed and kept at the app's k");
    assertTrue(dead.isEmpty(), () -> "no dead letters expected: " + dead.readValuesToList());
  }

  @Test
  void aCheckpointWithItsIdsInAnotherOrderIsAlignedAndComparedDirectly() {
    start(config());
    float[][] v0 = data.base, v1 = data.perturbed(0.02, 1);
    send("e1", checkpoint("e1", 0, v0));
    int n = data.rows();
    List<String> ids = new ArrayList<>(data.ids), labels = new ArrayList<>(data.labels);
    java.util.Collections.reverse(ids);
    java.util.Collections.reverse(labels);
    float[][] rev1 = new float[n][], rev0 = new float[n][];
    for (int i = 0; i < n; i++) {
      rev1[i] = v1[n - 1 - i];
      rev0[i] = v0[n - 1 - i];
    }
    send("e1", CheckpointEvents.of(CheckpointEvents.key("e1", "head", 1), ids, rev1, labels, CHUNK_ROWS));
    List<ComparisonResult> rs = results.readValuesToList();
    assertEquals(2, rs.size());
    // Rows of the new checkpoint are the reference's in reverse: the pair is aligned by id, in the new one's order.
    var expected = SpaceComparator.compare(FloatMatrix.of(rev1), FloatMatrix.of(rev0), options(), ProgressListener.NONE);
    ComparisonResult r = rs.get(0);
    assertEquals(expected.meanJaccard(), r.getMeanJaccard(), 1e-12, "mean Jaccard");
    assertArrayEquals(expected.histogram(), r.getHistogram().stream().mapToLong(Long::longValue).toArray(), "histogram");
    assertEquals(expected.cka(), r.getCka(), 1e-9, "cka");
    expected.meanByLabel(labels.toArray(new String[0])).forEach((label, mean) -> assertEquals(mean, r.getLabelMeans().get(label), 1e-12, label));
  }

  /** Exact cosine k-NN Jaccard written independently of core: ties by lower row, self excluded. */
  static final class BruteForce {
    static double meanJaccard(float[][] a, float[][] b, int k) {
      int[][] na = knn(a, k), nb = knn(b, k);
      double sum = 0;
      for (int i = 0; i < a.length; i++) {
        java.util.Set<Integer> sa = new java.util.HashSet<>();
        for (int x : na[i]) sa.add(x);
        int inter = 0;
        for (int x : nb[i]) if (sa.contains(x)) inter++;
        sum += inter / (double) (2 * k - inter);
      }
      return sum / a.length;
    }

    static int[][] knn(float[][] v, int k) {
      int n = v.length;
      double[] norm = new double[n];
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (float x : v[i]) s += (double) x * x;
        norm[i] = Math.sqrt(s);
      }
      int[][] out = new int[n][];
      for (int i = 0; i < n; i++) {
        Integer[] order = new Integer[n - 1];
        double[] dist = new double[n];
        for (int j = 0, o = 0; j < n; j++) {
          if (j == i) continue;
          double dot = 0;
          for (int c = 0; c < v[i].length; c++) dot += (double) v[i][c] * v[j][c];
          dist[j] = 1 - dot / (norm[i] * norm[j]);
          order[o++] = j;
        }
        java.util.Arrays.sort(order, (x, y) -> dist[x] != dist[y] ? Double.compare(dist[x], dist[y]) : Integer.compare(x, y));
        out[i] = new int[k];
        for (int c = 0; c < k; c++) out[i][c] = order[c];
      }
      return out;
    }
  }
}
