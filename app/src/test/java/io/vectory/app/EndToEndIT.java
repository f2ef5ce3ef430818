package io.vectory.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vectory.app.demo.DemoCorpus;
import io.vectory.app.demo.MetricLearningTrainer;
import io.vectory.app.demo.SentenceEncoder;
import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.Metric;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.CheckpointProtocol;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.sink.Docs;
import io.vectory.sink.IndexNames;
import io.vectory.sink.OpenSearchClients;
import io.vectory.streams.PipelineConfig;
import io.vectory.streams.PipelineRunner;
import io.vectory.streams.metrics.MetricsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ExpandWildcard;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.mapping.KnnVectorProperty;
import org.opensearch.client.opensearch.core.msearch.MultiSearchResponseItem;
import org.opensearch.client.opensearch.core.msearch.RequestItem;
import org.opensearch.client.opensearch.core.search.Hit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's end-to-end test against the real stack: Kafka, Apicurio (registry wire format), OpenSearch with k-NN, and
 * the Connect worker running the Vectory sink connector.
 *
 * <p>Real vectors: the fortunes corpus (1,307 labelled quotes) embedded by all-MiniLM-L6-v2 (the demo's encoder,
 * cached under target/test-data), then three epochs of the demo's triplet-loss head (64-d, unit length) per experiment,
 * two experiments with different seeds. Each epoch is a checkpoint published with {@link CheckpointPublisher}. Malformed
 * checkpoints go in between: a bad checksum, a missing chunk, one that never completes (timeout), and bytes that are
 * not a SpaceEvent at all.
 *
 * <p>Asserted: every comparison equals {@link SpaceComparator} run offline on the same pair (k 10, cosine, self
 * excluded, exact); every vector of every good checkpoint is in its k-NN index with the published values, and a k-NN
 * query (k 10) with each point's vector finds that point (all 7,842 points, no sampling); the comparison documents are in
 * {@code <prefix>comparisons}; each malformed checkpoint is in the dead-letter topic with its reason and no index;
 * /metrics counted it all. Everything it creates (topics, consumer groups, indices, connector, subjects) is deleted.
 */
class EndToEndIT {
  static final int K = 10;
  static final int EPOCHS = 3;
  static final String SPACE = "head";
  static final List<String> EXPERIMENTS = List.of("alpha", "beta");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  final String bootstrap = env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  final String registry = env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
  final String opensearch = stripSlash(env("VECTORY_OPENSEARCH", "http://127.0.0.1:9200"));
  final String connect = stripSlash(env("VECTORY_CONNECT", "http://127.0.0.1:8083"));
  final String run = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
  final String topicPrefix = run + ".";
  final String indexPrefix = run + "-";
  final String connector = "vectory-opensearch-sink-" + run;
  final Topics topics = Topics.withPrefix(topicPrefix);
  final IndexNames indices = new IndexNames(indexPrefix);
  /** Connect, the registry and /metrics over plain HTTP; OpenSearch through its client. */
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final OpenSearchClient os = OpenSearchClients.open(OpenSearchClients.Settings.of(opensearch, Duration.ofSeconds(60)));

  static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  static void log(String fmt, Object... args) {
    System.err.printf("[EndToEndIT] " + fmt + "%n", args);
  }

  /** One experiment's checkpoints: step → row-major n × dim vectors, the same rows (ids) in every step. */
  record Run(String experiment, List<String> ids, List<String> labels, int dim, Map<Long, float[]> steps) {
    float[][] rows(long step) {
      float[] v = steps.get(step);
      float[][] out = new float[ids.size()][];
      for (int i = 0; i < out.length; i++) out[i] = java.util.Arrays.copyOfRange(v, i * dim, (i + 1) * dim);
      return out;
    }
  }

  @Test
  void checkpointsFlowFromPublisherThroughStreamsAndConnectIntoOpenSearch() throws Exception {
    long t0 = System.nanoTime();
    requireStack();
    List<Run> runs = trainRuns();
    log("data: %d experiments x %d checkpoints of %d x %d (MiniLM + triplet head) in %.1f s", runs.size(), EPOCHS,
        runs.get(0).ids().size(), runs.get(0).dim(), (System.nanoTime() - t0) / 1e9);

    EventSerdes serdes = EventSerdes.registry(Map.of("schema.registry.url", registry));
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PipelineConfig config = PipelineConfig.defaults(topics, serdes)
        .withCompare(K, false, 0)
        .withCheckpointTimeout(Duration.ofSeconds(8), PunctuationType.WALL_CLOCK_TIME)
        .withMeterRegistry(meters);
    Properties streamsProps = PipelineRunner.streamsProperties(bootstrap, topicPrefix + "app", tmp.resolve("state"));
    PipelineRunner runner = null;
    MetricsServer metricsServer = null;
    boolean connectorCreated = false;
    try {
      PipelineRunner.createTopics(streamsProps, topics, 2);
      registerConnector();
      connectorCreated = true;
      runner = PipelineRunner.start(config, streamsProps, 2, null, Duration.ofMinutes(1));
      metricsServer = MetricsServer.start(meters, "127.0.0.1", 0);
      long tStart = System.nanoTime();

      // Good and malformed checkpoints, interleaved; the malformed ones use steps no good one uses.
      try (CheckpointPublisher publisher = CheckpointPublisher.builder(bootstrap).serdes(serdes).topics(topics)
               .transactionalId(run + "-publisher").maxChunkBytes(128 * 1024).build();
           KafkaProducer<String, SpaceEvent> raw = rawProducer(serdes);
           KafkaProducer<String, byte[]> bytes = new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer())) {
        for (long step = 1; step <= EPOCHS; step++) {
          for (Run r : runs) publish(publisher, r, step);
          if (step == 1) {
            Run a = runs.get(0), b = runs.get(1);
            // alpha@101: one float changed after the checksum was taken.
            List<SpaceEvent> badChecksum = events(a, 101, a.steps().get(2L), 400);
            ByteBuffer v = ((EmbeddingChunk) badChecksum.get(2).getEvent()).getVectors().order(ByteOrder.LITTLE_ENDIAN);
            v.putFloat(12, v.getFloat(12) + 0.125f);
            send(raw, a.experiment(), badChecksum);
            // alpha@102: chunk 1 of 4 never sent.
            List<SpaceEvent> missing = events(a, 102, a.steps().get(2L), 400);
            missing.remove(2);
            send(raw, a.experiment(), missing);
            // beta@103: registered and one chunk, then the publisher "dies": no completion.
            send(raw, b.experiment(), events(b, 103, b.steps().get(2L), 400).subList(0, 2));
            // Bytes that are not a SpaceEvent in any encoding.
            bytes.send(new ProducerRecord<>(topics.spaceEvents.name(), b.experiment(), "{\"not\":\"a SpaceEvent\"}".getBytes(StandardCharsets.UTF_8))).get();
          }
        }
        raw.flush();
      }
      log("published 6 good and 4 malformed checkpoints in %.1f s", (System.nanoTime() - tStart) / 1e9);

      // 1. Comparisons: 2 per experiment per checkpoint after the first (previous, first), equal to the engine offline.
      int expected = runs.size() * (EPOCHS - 1) * 2;
      assertTrue(runner.awaitComparisons(expected, Duration.ofSeconds(60)), "comparisons within 60 s: " + runner.comparisons().size());
      PipelineRunner r0 = runner;
      await("4 dead letters", Duration.ofSeconds(40), () -> r0.deadLetters().size() >= 4);
      log("pipeline: %d comparisons, %d dead letters %.1f s after the first publish", runner.comparisons().size(),
          runner.deadLetters().size(), (System.nanoTime() - tStart) / 1e9);
      List<ComparisonResult> results = runner.comparisons();
      assertEquals(expected, results.size(), () -> "no extra comparisons: " + describe(results));
      Map<String, Run> byExp = new HashMap<>();
      for (Run r : runs) byExp.put(r.experiment(), r);
      for (ComparisonResult c : results) assertMatchesEngine(c, byExp.get(c.getA().getExperiment()));
      for (Run r : runs) {
        List<String> got = results.stream().filter(c -> c.getA().getExperiment().equals(r.experiment()))
            .map(c -> c.getA().getStep() + " " + c.getRelation() + " " + c.getB().getStep()).sorted().toList();
        assertEquals(List.of("2 FIRST 1", "2 PREVIOUS 1", "3 FIRST 1", "3 PREVIOUS 2"), got, r.experiment());
      }

      // 2. Dead letters: each malformed checkpoint once, with its reason; nothing else.
      List<DeadLetter> dead = runner.deadLetters();
      assertEquals(4, dead.size(), () -> "dead letters: " + dead);
      assertDeadLetter(dead, "alpha/head@101", "checksum: CRC-32C");
      assertDeadLetter(dead, "alpha/head@102", "missing chunk 1", "chunks: CheckpointCompleted.chunks is 4; received 3");
      assertDeadLetter(dead, "beta/head@103", "no CheckpointCompleted within 8000 ms", "received 1 chunk(s)");
      DeadLetter junk = dead.stream().filter(d -> d.getCheckpoint() == null).findFirst().orElseThrow(() -> new AssertionError("no decode dead letter: " + dead));
      assertTrue(junk.getReason().contains("cannot decode") && junk.getPayload() != null, junk.getReason());

      // 3. OpenSearch via the Connect sink: every good checkpoint's index holds every vector, and k-NN finds each point.
      long tIndex = System.nanoTime();
      int points = 0;
      for (Run r : runs) {
        for (long step = 1; step <= EPOCHS; step++) points += assertIndexed(r, step);
      }
      log("OpenSearch: %d points in %d k-NN indices, each found by a k=%d query with its own vector, %.1f s", points,
          runs.size() * EPOCHS, K, (System.nanoTime() - tIndex) / 1e9);
      for (String bad : List.of(indices.space("alpha", SPACE, 101), indices.space("alpha", SPACE, 102), indices.space("beta", SPACE, 103))) {
        assertFalse(os.indices().exists(e -> e.index(bad)).value(), "a rejected checkpoint has no index: " + bad);
      }
      assertComparisonDocs(results);

      // 4. /metrics counted the same run.
      assertMetrics(metricsServer, results);
      log("total %.1f s", (System.nanoTime() - t0) / 1e9);
    } finally {
      if (metricsServer != null) metricsServer.close();
      if (runner != null) {
        // Leave the group on close (Streams stays a member until its session times out otherwise), so it can be deleted.
        runner.streams().close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
            org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
        runner.close(Duration.ofSeconds(30));
      }
      cleanUp(connectorCreated);
    }
  }

  // ---- data

  /** The demo's real data: MiniLM sentence embeddings of the fortunes, then three epochs of a triplet head per experiment. */
  static List<Run> trainRuns() throws Exception {
    DemoCorpus corpus = DemoCorpus.load();
    SentenceEncoder.Embeddings e = SentenceEncoder.embed(corpus, Path.of("target", "test-data"), new PrintStream(OutputStream.nullOutputStream()));
    ExecutorService pool = Executors.newFixedThreadPool(EXPERIMENTS.size());
    try {
      List<Future<Run>> futures = new ArrayList<>();
      for (int i = 0; i < EXPERIMENTS.size(); i++) {
        String exp = EXPERIMENTS.get(i);
        long seed = 7 + i;
        futures.add(pool.submit(() -> {
          MetricLearningTrainer.Config c = MetricLearningTrainer.Config.defaults().withEpochs(EPOCHS).withSeed(seed).withDrift(0, 1);
          MetricLearningTrainer t = new MetricLearningTrainer(c, e.data(), e.dim(), corpus.labelIndex(), corpus.ids(), corpus.labels());
          Map<Long, float[]> steps = new LinkedHashMap<>();
          for (MetricLearningTrainer.Checkpoint cp : t.train(MetricLearningTrainer.allRows(corpus.size()), cp -> {})) {
            steps.put((long) cp.step(), cp.vectors());
          }
          return new Run(exp, corpus.ids(), corpus.labels(), t.outDim(), steps);
        }));
      }
      List<Run> out = new ArrayList<>();
      for (Future<Run> f : futures) out.add(f.get(5, TimeUnit.MINUTES));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  void publish(CheckpointPublisher p, Run r, long step) {
    SpaceDescription d = SpaceDescription.of("fortunes", SentenceEncoder.MODEL + "+triplet-head").withEpoch((int) step)
        .withIdField("id").withColumns(Map.of("label", r.labels()));
    p.publish(r.experiment(), SPACE, step, r.ids(), r.rows(step), d);
  }

  /** The events a publisher sends for one checkpoint (register, chunks of {@code chunkRows}, completion), built here so tests can break them. */
  static List<SpaceEvent> events(Run r, long step, float[] vectors, int chunkRows) {
    CheckpointKey k = new CheckpointKey(r.experiment(), SPACE, step);
    int n = r.ids().size(), dim = r.dim();
    SpaceRegistered registered = SpaceRegistered.newBuilder()
        .setCheckpoint(k).setDataset("fortunes").setModel(SentenceEncoder.MODEL + "+triplet-head").setEpoch((int) step)
        .setDimension(dim).setRows(n).setMetric(Metric.COSINE).setParams(Map.of()).setIdField("id").setMetadataColumns(List.of("label"))
        .setRegisteredAt(Instant.now()).build();
    List<List<String>> meta = new ArrayList<>();
    for (String label : r.labels().subList(0, n)) meta.add(List.of(label));
    return CheckpointProtocol.events(registered, r.ids(), vectors, meta, chunkRows, Instant.now());
  }

  static SpaceEvent wrap(Object event) {
    return SpaceEvent.newBuilder().setEvent(event).build();
  }

  /**
   * Exactly-once reaches OpenSearch: a comparison written inside a transaction that is then aborted (as when an
   * instance dies mid-comparison and its work is redone) is never indexed, while the committed one after it is.
   * A sink reading read_uncommitted indexes both (the aborted record sits at the lower offset).
   */
  @Test
  void resultsOfAbortedTransactionsNeverReachOpenSearch() throws Exception {
    requireStack();
    EventSerdes serdes = EventSerdes.registry(Map.of("schema.registry.url", registry));
    boolean connectorCreated = false;
    try {
      PipelineRunner.createTopics(PipelineRunner.streamsProperties(bootstrap, topicPrefix + "app", tmp.resolve("state")), topics, 1);
      registerConnector();
      connectorCreated = true;
      String experiment = run + "-eos";
      ComparisonResult aborted = comparisonOf(experiment, 2, 0.111);
      ComparisonResult committed = comparisonOf(experiment, 3, 0.333);
      @SuppressWarnings("unchecked")
      Serializer<ComparisonResult> values = (Serializer<ComparisonResult>) topics.comparisons.valueSerde(serdes).serializer();
      Properties tx = producerProps();
      tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, run + "-eos");
      try (KafkaProducer<String, ComparisonResult> p = new KafkaProducer<>(tx, new StringSerializer(), values)) {
        p.initTransactions();
        p.beginTransaction();
        p.send(new ProducerRecord<>(topics.comparisons.name(), experiment, aborted)).get();
        p.abortTransaction();
        p.beginTransaction();
        p.send(new ProducerRecord<>(topics.comparisons.name(), experiment, committed));
        p.commitTransaction();
      }
      try (io.vectory.store.OpenSearchSpaceStore store = new io.vectory.store.OpenSearchSpaceStore(opensearch, indices, Duration.ofSeconds(30))) {
        await("the committed comparison indexed", Duration.ofSeconds(60), () -> {
          try {
            return !store.comparisons(experiment).isEmpty();
          } catch (io.vectory.sink.StoreUnavailableException e) {
            return false; // the results index was just created: its shard is not searchable yet
          }
        });
        Thread.sleep(1_000); // the connector's next poll would have carried an aborted record too
        List<Long> steps = store.comparisons(experiment).stream().map(c -> c.getA().getStep()).toList();
        assertEquals(List.of(3L), steps, "only the committed comparison (step 3) is in OpenSearch; step 2 was aborted");
      }
    } finally {
      cleanUp(connectorCreated);
    }
  }

  static ComparisonResult comparisonOf(String experiment, long step, double mean) {
    return ComparisonResult.newBuilder().setDataset("eos").setModel("none")
        .setA(new CheckpointKey(experiment, SPACE, step)).setB(new CheckpointKey(experiment, SPACE, step - 1))
        .setRelation(io.vectory.avro.Relation.PREVIOUS).setK(K).setMetricA(Metric.COSINE).setMetricB(Metric.COSINE)
        .setIncludeSelf(false).setExact(true).setN(100).setMeanJaccard(mean)
        .setHistogram(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 100L)).setLabelMeans(Map.of())
        .setCka(0.9).setComputeMillis(1).setComputedAt(Instant.ofEpochMilli(1_700_000_000_000L + step)).build();
  }

  Properties producerProps() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  @SuppressWarnings("unchecked")
  KafkaProducer<String, SpaceEvent> rawProducer(EventSerdes serdes) {
    Serializer<SpaceEvent> values = (Serializer<SpaceEvent>) topics.spaceEvents.valueSerde(serdes).serializer();
    return new KafkaProducer<>(producerProps(), new StringSerializer(), values);
  }

  void send(KafkaProducer<String, SpaceEvent> p, String key, List<SpaceEvent> events) throws Exception {
    for (SpaceEvent e : events) p.send(new ProducerRecord<>(topics.spaceEvents.name(), key, e)).get();
  }

  // ---- assertions

  static void assertMatchesEngine(ComparisonResult c, Run r) {
    float[][] a = r.rows(c.getA().getStep()), b = r.rows(c.getB().getStep());
    ComparisonOutcome want = SpaceComparator.compare(FloatMatrix.of(a), FloatMatrix.of(b),
        new CompareOptions(K, io.vectory.core.compare.Metric.COSINE, io.vectory.core.compare.Metric.COSINE, false, 0, 42L), ProgressListener.NONE);
    String what = c.getA().getExperiment() + " " + c.getA().getStep() + " " + c.getRelation() + " " + c.getB().getStep();
    assertEquals(r.ids().size(), c.getN(), what + " n");
    assertEquals(want.n(), c.getN(), what + " n");
    assertEquals(K, c.getK(), what);
    assertFalse(c.getIncludeSelf(), what);
    assertTrue(c.getExact(), what);
    assertEquals(want.meanJaccard(), c.getMeanJaccard(), 1e-12, what + " mean Jaccard");
    assertArrayEquals(want.histogram(), c.getHistogram().stream().mapToLong(Long::longValue).toArray(), what + " histogram");
    assertNotNull(c.getCka(), what + " cka");
    assertEquals(want.cka(), c.getCka(), 1e-9, what + " cka");
    Map<String, Double> byLabel = want.meanByLabel(r.labels().toArray(new String[0]));
    assertEquals(byLabel.keySet(), c.getLabelMeans().keySet(), what);
    byLabel.forEach((label, mean) -> assertEquals(mean, c.getLabelMeans().get(label), 1e-12, what + " label " + label));
    // Real training moves the space, but not to nothing: an overlap strictly between 0 and 1.
    assertTrue(c.getMeanJaccard() > 0.05 && c.getMeanJaccard() < 1, what + ": " + c.getMeanJaccard());
  }

  static void assertDeadLetter(List<DeadLetter> dead, String checkpoint, String... reasonParts) {
    List<DeadLetter> mine = dead.stream().filter(d -> checkpoint.equals(d.getCheckpoint())).toList();
    assertEquals(1, mine.size(), () -> checkpoint + ": one dead letter expected in " + dead);
    String reason = mine.get(0).getReason();
    for (String part : reasonParts) assertTrue(reason.contains(part), () -> checkpoint + ": reason '" + reason + "' should mention '" + part + "'");
  }

  /** Waits for the sink to index one checkpoint, checks every point and its vector, and runs a k-NN query per point. */
  int assertIndexed(Run r, long step) throws Exception {
    String index = indices.space(r.experiment(), SPACE, step);
    int n = r.ids().size();
    await(index + " holds " + n + " documents", Duration.ofSeconds(60), () -> count(index) == n);
    var property = os.indices().getMapping(g -> g.index(index)).get(index).mappings().properties().get(Docs.VECTOR);
    assertTrue(property.isKnnVector(), index + " mapping " + property);
    KnnVectorProperty mapping = property.knnVector();
    assertEquals(r.dim(), mapping.dimension(), index + " mapping " + property);
    assertEquals("lucene", mapping.method().engine(), index + " mapping " + property);

    // Every id with exactly the published vector.
    List<Hit<JsonNode>> hits = os.search(s -> s.index(index).size(n + 10).source(c -> c.filter(f -> f.includes(Docs.ID, Docs.VECTOR)))
        .query(q -> q.matchAll(m -> m)), JsonNode.class).hits().hits();
    assertEquals(n, hits.size(), index);
    Map<String, Integer> row = new HashMap<>();
    for (int i = 0; i < n; i++) row.put(r.ids().get(i), i);
    float[] v = r.steps().get(step);
    for (Hit<JsonNode> h : hits) {
      String id = h.id();
      Integer i = row.remove(id);
      assertNotNull(i, index + ": unexpected or repeated id " + id);
      JsonNode vec = h.source().path(Docs.VECTOR);
      assertEquals(r.dim(), vec.size(), index + " " + id);
      for (int j = 0; j < r.dim(); j++) assertEquals(v[i * r.dim() + j], (float) vec.get(j).asDouble(), 0f, index + " " + id + "[" + j + "]");
    }
    assertTrue(row.isEmpty(), () -> index + ": missing ids " + row.keySet());

    // A k-NN query (k 10) with each point's own vector finds that point: _msearch, 200 queries a request.
    List<String> misses = new ArrayList<>();
    for (int from = 0; from < n; from += 200) {
      int to = Math.min(n, from + 200);
      List<RequestItem> searches = new ArrayList<>();
      for (int i = from; i < to; i++) {
        List<Float> vec = new ArrayList<>(r.dim());
        for (int j = 0; j < r.dim(); j++) vec.add(v[i * r.dim() + j]);
        searches.add(RequestItem.of(it -> it.header(hd -> hd.index(index))
            .body(bd -> bd.size(K).source(c -> c.fetch(false)).query(q -> q.knn(kn -> kn.field(Docs.VECTOR).vector(vec).k(K))))));
      }
      List<MultiSearchResponseItem<JsonNode>> responses = os.msearch(m -> m.searches(searches), JsonNode.class).responses();
      assertEquals(to - from, responses.size(), index);
      for (int i = from; i < to; i++) {
        MultiSearchResponseItem<JsonNode> res = responses.get(i - from);
        assertFalse(res.isFailure(), () -> index + ": " + res.failure().error().reason());
        String want = r.ids().get(i);
        if (res.result().hits().hits().stream().noneMatch(h -> h.id().equals(want))) misses.add(want);
      }
    }
    assertEquals(List.of(), misses, index + ": points not among the top " + K + " of a k-NN query with their own vector");
    return n;
  }

  void assertComparisonDocs(List<ComparisonResult> results) throws Exception {
    String index = indices.comparisons();
    await(index + " holds " + results.size() + " documents", Duration.ofSeconds(60), () -> count(index) == results.size());
    Map<String, JsonNode> docs = new HashMap<>();
    for (Hit<JsonNode> h : os.search(s -> s.index(index).size(100).query(q -> q.matchAll(m -> m)), JsonNode.class).hits().hits()) {
      docs.put(h.id(), h.source());
    }
    for (ComparisonResult c : results) {
      JsonNode d = docs.get(Docs.comparisonId(c));
      assertNotNull(d, () -> "no document " + Docs.comparisonId(c) + " in " + docs.keySet());
      assertEquals(c.getA().getExperiment(), d.path("experiment").asText());
      assertEquals(c.getA().getStep(), d.path("step_a").asLong());
      assertEquals(c.getB().getStep(), d.path("step_b").asLong());
      assertEquals(c.getRelation().name().toLowerCase(java.util.Locale.ROOT), d.path("relation").asText());
      assertEquals(c.getMeanJaccard(), d.path("mean_jaccard").asDouble(), 1e-12);
      assertEquals(c.getCka(), d.path("cka").asDouble(), 1e-12);
      assertEquals(c.getN(), d.path("n").asLong());
      for (int i = 0; i < 10; i++) assertEquals((long) c.getHistogram().get(i), d.path("hist_" + i).asLong(), "hist_" + i);
    }
  }

  void assertMetrics(MetricsServer server, List<ComparisonResult> results) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    String scrape = r.body();
    for (String exp : EXPERIMENTS) {
      for (String rel : List.of("previous", "first")) {
        assertEquals(2.0, metric(scrape, "vectory_comparisons_total{experiment=\"" + exp + "\",relation=\"" + rel + "\"}"), scrape);
        ComparisonResult latest = results.stream()
            .filter(c -> c.getA().getExperiment().equals(exp) && c.getRelation().name().equalsIgnoreCase(rel) && c.getA().getStep() == EPOCHS)
            .findFirst().orElseThrow();
        assertEquals(latest.getMeanJaccard(), metric(scrape, "vectory_jaccard_latest{experiment=\"" + exp + "\",relation=\"" + rel + "\",space=\"head\"}"), 1e-12);
      }
    }
    // Per experiment three compares: 2 vs 1 (one compare serves both PREVIOUS and FIRST), 3 vs 2, 3 vs 1.
    assertEquals(6.0, metric(scrape, "vectory_compare_seconds_count"), scrape);
    for (String reason : List.of("checksum", "sequence", "timeout", "decode")) {
      assertEquals(1.0, metric(scrape, "vectory_dead_letters_total{reason=\"" + reason + "\"}"), scrape);
    }
    assertTrue(scrape.lines().anyMatch(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag_max{") && l.contains("client_id=\"" + topicPrefix + "app")),
        () -> "Kafka's consumer lag of the Streams app: " + scrape.lines().filter(l -> l.contains("lag_max")).toList());
  }

  static double metric(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0]))
        .orElseThrow(() -> new AssertionError("no series " + series));
  }

  static String describe(List<ComparisonResult> rs) {
    return rs.stream().map(c -> c.getA().getExperiment() + " " + c.getA().getStep() + " " + c.getRelation() + " " + c.getB().getStep()).toList().toString();
  }

  // ---- the stack

  void requireStack() throws Exception {
    try {
      os.cluster().health();
    } catch (IOException e) {
      throw new AssertionError("OpenSearch is not reachable at " + opensearch + " (" + e + "); start the stack: bin/stack up", e);
    }
    for (String[] check : new String[][] {{"the Connect worker", connect + "/connector-plugins"},
        {"the schema registry", registry + "/subjects"}}) {
      HttpResponse<String> r;
      try {
        r = request("GET", check[1], null);
      } catch (IOException e) {
        throw new AssertionError(check[0] + " is not reachable at " + check[1] + " (" + e + "); start the stack: bin/stack up", e);
      }
      assertEquals(200, r.statusCode(), check[0] + " at " + check[1] + ": " + r.body());
    }
    String plugins = request("GET", connect + "/connector-plugins", null).body();
    assertTrue(plugins.contains("io.vectory.sink.OpenSearchSinkConnector"),
        "the Connect worker at " + connect + " has no Vectory sink plugin (build it: mvn -pl sink package → sink/target/connect-plugin): " + plugins);
  }

  /**
   * Registers a sink connector of this run's own, from the shipped properties file with the topics, index prefix and
   * endpoints pointed at this run. A worker that already runs {@code vectory-opensearch-sink} reads the default topics,
   * not this run's prefixed ones, so it is left alone either way.
   */
  void registerConnector() throws Exception {
    Properties file = new Properties();
    try (Reader in = Files.newBufferedReader(connectorProperties())) {
      file.load(in);
    }
    Map<String, String> cfg = new LinkedHashMap<>();
    file.stringPropertyNames().forEach(k -> cfg.put(k, file.getProperty(k)));
    cfg.remove("name");
    cfg.put("topics", String.join(",", topics.indexedSpaces.name(), topics.comparisons.name(), topics.alerts.name(), topics.deadLetters.name()));
    cfg.put("topic.indexed-spaces", topics.indexedSpaces.name());
    cfg.put("topic.comparisons", topics.comparisons.name());
    cfg.put("topic.alerts", topics.alerts.name());
    cfg.put("topic.dead-letters", topics.deadLetters.name());
    cfg.put("index.prefix", indexPrefix);
    cfg.put("opensearch.url", opensearch);
    cfg.put("schema.registry.url", registry);
    cfg.put("errors.deadletterqueue.topic.name", topicPrefix + "vectory.sink-dead-letters");
    HttpResponse<String> r = request("PUT", connect + "/connectors/" + connector + "/config", JSON.writeValueAsString(cfg));
    assertTrue(r.statusCode() == 201 || r.statusCode() == 200, () -> "PUT connector " + connector + ": " + r.statusCode() + " " + r.body());
    await("connector " + connector + " and its task RUNNING", Duration.ofSeconds(30), () -> {
      JsonNode s = json(request("GET", connect + "/connectors/" + connector + "/status", null));
      return "RUNNING".equals(s.path("connector").path("state").asText()) && s.path("tasks").size() == 1
          && "RUNNING".equals(s.path("tasks").get(0).path("state").asText());
    });
    log("connector %s RUNNING on %s → OpenSearch %s, index prefix %s", connector, connect, opensearch, indexPrefix);
  }

  static Path connectorProperties() {
    Path rel = Path.of("sink", "src", "main", "connect", "vectory-opensearch-sink.properties");
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(rel))) return dir.resolve(rel);
    }
    throw new AssertionError(rel + " not found above " + Path.of("").toAbsolutePath());
  }

  void cleanUp(boolean connectorCreated) {
    List<String> problems = new ArrayList<>();
    if (connectorCreated) {
      try {
        HttpResponse<String> r = request("DELETE", connect + "/connectors/" + connector, null);
        if (r.statusCode() / 100 != 2) problems.add("DELETE connector " + connector + ": " + r.statusCode() + " " + r.body());
      } catch (Exception e) {
        problems.add("DELETE connector: " + e);
      }
    }
    try {
      os.indices().delete(d -> d.index(indexPrefix + "*").expandWildcards(ExpandWildcard.All));
    } catch (Exception e) {
      problems.add("DELETE indices " + indexPrefix + "*: " + e);
    } finally {
      OpenSearchClients.close(os);
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      // A group is deletable once its members have left (the connector's task stops asynchronously): retry a while.
      StackCleanUp.deleteGroups(admin, List.of(topicPrefix + "app", "connect-" + connector), 20, problems);
      List<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(n -> n.startsWith(topicPrefix)).toList();
      admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      problems.add("delete topics/groups: " + e);
    }
    try {
      for (JsonNode s : json(request("GET", registry + "/subjects", null))) {
        if (s.asText().startsWith(topicPrefix)) {
          request("DELETE", registry + "/subjects/" + URLEncoder.encode(s.asText(), StandardCharsets.UTF_8), null);
        }
      }
    } catch (Exception e) {
      problems.add("delete subjects: " + e);
    }
    if (!problems.isEmpty()) log("clean-up problems: %s", problems);
  }

  // ---- HTTP

  HttpResponse<String> request(String method, String url, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    if (r.statusCode() / 100 != 2) throw new AssertionError(r.request().method() + " " + r.uri() + ": HTTP " + r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }

  /** Documents in an index after a refresh; -1 while it does not exist. */
  long count(String index) throws Exception {
    try {
      os.indices().refresh(r -> r.index(index));
    } catch (OpenSearchException e) {
      if (e.status() == 404) return -1;
      throw e;
    }
    return os.count(c -> c.index(index)).count();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(String what, Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      Thread.sleep(200);
    }
  }
}
