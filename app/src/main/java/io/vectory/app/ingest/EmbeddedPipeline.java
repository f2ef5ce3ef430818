package io.vectory.app.ingest;

import io.vectory.app.demo.DemoRun;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.broker.EmbeddedKafka;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.sink.SpaceWriter;
import io.vectory.store.EmbeddedSpaceStore;
import io.vectory.streams.PipelineConfig;
import io.vectory.streams.PipelineRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole pipeline in this process, for `vectory serve-ingest` with nothing configured (as `vectory demo` runs it):
 * the in-process broker, the Streams app, and the embedded store fed from indexed-spaces, so `ls`, `compare`,
 * `report` and `run` see what a training loop publishes. The broker's log and the Streams state live in a scratch
 * folder removed on close; the store keeps what was indexed.
 */
final class EmbeddedPipeline implements AutoCloseable {
  private final Path scratch;
  private final EmbeddedSpaceStore store;
  private final EmbeddedKafka kafka;
  private final PipelineRunner runner;
  private final DemoRun.StoreFeeder feeder;

  private EmbeddedPipeline(Path scratch, EmbeddedSpaceStore store, EmbeddedKafka kafka, PipelineRunner runner, DemoRun.StoreFeeder feeder) {
    this.scratch = scratch;
    this.store = store;
    this.kafka = kafka;
    this.runner = runner;
    this.feeder = feeder;
  }

  static EmbeddedPipeline start(Path dataDir, PrintWriter log) throws Exception {
    Path scratch = Files.createTempDirectory("vectory-serve-ingest-");
    EmbeddedSpaceStore store = new EmbeddedSpaceStore(dataDir);
    EmbeddedKafka kafka = null;
    PipelineRunner runner = null;
    try {
      kafka = new EmbeddedKafka(scratch).start();
      Topics topics = Topics.defaults();
      EventSerdes serdes = EventSerdes.singleObject();
      SpaceWriter writer = new SpaceWriter(store);
      Consumer<String> say = line -> {
        synchronized (log) {
          log.println("vectory serve-ingest: " + line);
          log.flush();
        }
      };
      PipelineRunner.Listener results = new PipelineRunner.Listener() {
        @Override
        public void onComparison(ComparisonResult r) {
          writer.comparisons(List.of(r));
          say.accept(String.format("%s/%s@%d vs @%d (%s): mean k-NN Jaccard %.4f", r.getA().getExperiment(), r.getA().getSpace(),
              r.getA().getStep(), r.getB().getStep(), r.getRelation(), r.getMeanJaccard()));
        }

        @Override
        public void onAlert(DriftAlert a) {
          writer.alerts(List.of(a));
          say.accept("drift alert: " + a.getMessage());
        }

        @Override
        public void onDeadLetter(DeadLetter d) {
          writer.deadLetters(List.of(d)); // `vectory ls` shows it with its reason
          say.accept("rejected " + (d.getCheckpoint() == null ? d.getSourceTopic() + "@" + d.getOffset() : d.getCheckpoint()) + ": " + d.getReason());
        }
      };
      Properties props = PipelineRunner.streamsProperties(kafka.bootstrapServers(), "vectory-serve-ingest", scratch.resolve("streams-state"));
      props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
      runner = PipelineRunner.start(PipelineConfig.defaults(topics, serdes), props, 1, results, Duration.ofSeconds(60));
      DemoRun.StoreFeeder feeder = new DemoRun.StoreFeeder(kafka.bootstrapServers(), topics, serdes, writer);
      feeder.start();
      return new EmbeddedPipeline(scratch, store, kafka, runner, feeder);
    } catch (Exception | Error e) {
      if (runner != null) runner.close();
      if (kafka != null) kafka.close();
      store.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String describe() {
    return "the embedded pipeline (in-process Kafka " + kafka.bootstrapServers() + ", Streams app, store " + store.location() + ")";
  }

  @Override
  public void close() {
    feeder.close();
    runner.close();
    kafka.close();
    store.close();
    try (var walk = Files.walk(scratch)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // a scratch folder left in /tmp is harmless
    }
  }
}
