package io.vectory.app.pipeline;

import io.vectory.app.KafkaOptions;
import io.vectory.app.TopicsOption;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.ingest.IngestSettings;
import io.vectory.schemas.EventSerdes;
import io.vectory.streams.PipelineConfig;
import io.vectory.streams.PipelineRunner;
import io.vectory.streams.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vectory pipeline}: the Kafka Streams app against real servers, until Ctrl-C. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Streams app: assemble and validate checkpoints from the space-events topic, compare each with the",
      "previous, the first and pinned checkpoints of its space, raise drift alerts, dead-letter what is bad.",
      "Prints one line per comparison, alert and dead letter on stdout; runs until Ctrl-C (clean shutdown).",
      "Comparisons run in this instance's compare worker and in those of every other instance with the same",
      "application id (more instances, more workers: a checkpoint's k-NN shards spread over them).",
      "Pipeline settings (--config file or -P): compare.k, compare.include.self, compare.sample, compare.seed,",
      "compare.sample.above (rows above which queries are sampled, with a CI; default 250000, 0 = never),",
      "compare.sample.large (those queries; default 10000), compare.shard.rows (queries per k-NN shard; 0 = one), label.column,",
      "checkpoint.timeout.ms, checkpoint.timeout.clock (wall|stream), drift.floor, drift.drop, drift.window,",
      "drift.min.history, and drift.<rule>.<experiment> per experiment. Other -P keys go to Kafka Streams.",
      "Prometheus metrics (comparisons, compare time, latest Jaccard, dead letters, consumer lag) are served at",
      "http://<metrics-host>:<metrics-port>/metrics; dashboards/prometheus has alerting rules on them."
    })
public final class PipelineCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin KafkaOptions kafka;

  @Option(names = "--opensearch", description = "OpenSearch URL, for the sink connector that indexes this pipeline's output (default: $VECTORY_OPENSEARCH or http://127.0.0.1:9200). The pipeline itself only needs Kafka.")
  String opensearch;

  @Option(names = "--application-id", defaultValue = "vectory-pipeline", description = "Kafka Streams application.id (consumer group, state and changelog names; default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", description = "Local state (RocksDB) directory (default: ~/.vectory/streams).")
  Path stateDir;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions for topics this creates (default: ${DEFAULT-VALUE}); experiments spread over them.")
  int partitions;

  @CommandLine.Mixin TopicsOption topicsOption;

  @Option(names = "--config", description = "Properties file with pipeline (and Kafka Streams) settings.")
  Path config;

  @Option(names = {"-P", "--property"}, description = "A pipeline or Kafka Streams setting, key=value (repeatable), e.g. -P compare.k=20 -P drift.floor.myrun=0.3.")
  Map<String, String> properties = new java.util.LinkedHashMap<>();

  @CommandLine.Mixin MetricsOptions metricsOptions;

  @Option(names = "--registry-wait", paramLabel = "SECONDS", defaultValue = "120",
      description = "How long to wait at start for an unreachable schema registry before giving up with exit 1, having consumed nothing (default: ${DEFAULT-VALUE}). Mid-run, an unreachable registry pauses processing until it answers.")
  long registryWaitSeconds;

  @Option(names = "--until-comparisons", description = "Exit after this many comparison results (for scripts and benchmarks); default: run until Ctrl-C.")
  Integer untilComparisons;

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    java.io.PrintWriter err = spec.commandLine().getErr();
    IngestSettings settings;
    try {
      settings = kafka.settings();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Properties pipelineProps = new Properties();
    if (config != null) {
      try (Reader r = Files.newBufferedReader(config)) {
        pipelineProps.load(r);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--config " + config + ": cannot read: " + e.getMessage());
      }
    }
    pipelineProps.putAll(properties);
    PipelineConfig pc;
    try {
      pc = PipelineConfig.fromProperties(pipelineProps, topicsOption.topics(), EventSerdes.fromConfig(settings.serdeConfig()));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), (config != null ? config + ": " : "") + e.getMessage());
    }
    metricsOptions.check(spec.commandLine());
    if (registryWaitSeconds < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--registry-wait: expected seconds >= 0, got " + registryWaitSeconds);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    pc = pc.withMeterRegistry(registry);
    Path state = stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".vectory", "streams");
    Properties streamsProps = PipelineRunner.streamsProperties(settings.bootstrapServers(), applicationId, state);
    settings.clientConfig().forEach(streamsProps::put);
    pipelineProps.forEach(streamsProps::put); // Streams ignores the pipeline's own keys
    String os = opensearch != null ? opensearch : System.getenv().getOrDefault("VECTORY_OPENSEARCH", "http://127.0.0.1:9200");

    CountDownLatch stop = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger();
    PipelineRunner.Listener printer = PipelineRunner.Listener.lines(line -> {
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    });
    PipelineRunner.Listener listener = new PipelineRunner.Listener() {
      @Override
      public void onComparison(ComparisonResult r) {
        printer.onComparison(r);
        if (untilComparisons != null && seen.incrementAndGet() >= untilComparisons) stop.countDown();
      }

      @Override
      public void onAlert(DriftAlert a) {
        printer.onAlert(a);
      }

      @Override
      public void onDeadLetter(DeadLetter d) {
        printer.onDeadLetter(d);
      }
    };
    err.println("vectory pipeline: starting " + applicationId + " on " + settings.describe() + ", state " + state
        + "; reading " + pc.topics().spaceEvents.name() + "; results to " + pc.topics().comparisons.name() + " (indexed into " + io.vectory.schemas.RegistryClient.withoutUserInfo(os) + " by the sink connector)");
    // Bound before Streams starts, so a taken port fails fast instead of after a rebalance.
    MetricsServer metrics;
    try {
      metrics = metricsOptions.start(registry);
    } catch (java.io.UncheckedIOException e) {
      err.println("vectory pipeline: " + e.getMessage() + " (choose another --metrics-port, or 0 for none)");
      err.flush();
      return 1;
    }
    if (metrics != null) err.println("vectory pipeline: metrics at " + metrics.url());
    MetricsServer metricsServer = metrics;
    PipelineRunner runner;
    try {
      PipelineRunner.requireWritableStateDir(streamsProps);
      PipelineRunner.awaitRegistry(pc.serdes(), Duration.ofSeconds(registryWaitSeconds), line -> {
        err.println("vectory pipeline: " + line);
        err.flush();
      });
      runner = PipelineRunner.start(pc, streamsProps, partitions, listener, Duration.ofMinutes(2));
    } catch (IllegalStateException | java.util.concurrent.TimeoutException e) {
      err.println("vectory pipeline: cannot start: " + e.getMessage());
      err.flush();
      if (metricsServer != null) metricsServer.close();
      return 1;
    }
    Thread hook = new Thread(() -> {
      err.println("vectory pipeline: shutting down");
      runner.close(Duration.ofSeconds(30));
      if (metricsServer != null) metricsServer.close();
      stop.countDown();
    }, "vectory-pipeline-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    err.println("vectory pipeline: running (Ctrl-C to stop)");
    err.flush();
    while (!stop.await(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      RuntimeException failure = runner.failure();
      if (failure != null) {
        // It stopped by itself: its settings cannot read the input. Nothing past that record was committed.
        Runtime.getRuntime().removeShutdownHook(hook);
        runner.close(Duration.ofSeconds(30));
        if (metricsServer != null) metricsServer.close();
        err.println("vectory pipeline: stopped: " + failure.getMessage() + "; no offset was committed past that record");
        err.flush();
        return 1;
      }
    }
    if (untilComparisons != null) {
      Runtime.getRuntime().removeShutdownHook(hook);
      runner.close(Duration.ofSeconds(30));
      if (metricsServer != null) metricsServer.close();
    }
    return 0;
  }
}
