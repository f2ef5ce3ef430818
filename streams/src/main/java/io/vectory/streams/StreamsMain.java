package io.vectory.streams;

import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import io.vectory.streams.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The Streams app as a plain process: runs until SIGTERM/Ctrl-C, then shuts down cleanly. Prints one
 * line per committed comparison, alert and dead letter on stdout, and "RUNNING" once it is processing.
 *
 * <pre>
 * java -cp ... io.vectory.streams.StreamsMain --bootstrap-servers 127.0.0.1:9092 [--application-id vectory-pipeline]
 *     [--state-dir DIR] [--topic-prefix P] [--partitions 3] [--schema-registry URL] [--config pipeline.properties]
 *     [--property key=value ...]   (Streams or pipeline settings, e.g. compare.k=20, session.timeout.ms=10000)
 *     [--metrics-port 0] [--metrics-host 127.0.0.1]   (Prometheus /metrics; 0 = off, the default here)
 * </pre>
 */
public final class StreamsMain {
  private StreamsMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    Properties extra = new Properties();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) usage("expected --option value, got '" + a + "'");
      String v = args[++i];
      if (a.equals("--property")) {
        int eq = v.indexOf('=');
        if (eq <= 0) usage("--property expects key=value, got '" + v + "'");
        extra.setProperty(v.substring(0, eq), v.substring(eq + 1));
      } else {
        opts.put(a.substring(2), v);
      }
    }
    String bootstrap = opts.getOrDefault("bootstrap-servers", System.getenv().getOrDefault("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
    String appId = opts.getOrDefault("application-id", "vectory-pipeline");
    Path stateDir = Path.of(opts.getOrDefault("state-dir", Path.of(System.getProperty("user.home"), ".vectory", "streams").toString()));
    Properties pipelineProps = new Properties();
    if (opts.containsKey("config")) {
      try (Reader r = Files.newBufferedReader(Path.of(opts.get("config")))) {
        pipelineProps.load(r);
      } catch (IOException e) {
        usage("--config " + opts.get("config") + ": " + e.getMessage());
      }
    }
    pipelineProps.putAll(extra);
    int partitions = Integer.parseInt(opts.getOrDefault("partitions", "3"));
    Topics topics = Topics.withPrefix(opts.getOrDefault("topic-prefix", ""));
    EventSerdes serdes = opts.containsKey("schema-registry")
        ? EventSerdes.registry(Map.of("schema.registry.url", opts.get("schema-registry")))
        : EventSerdes.singleObject();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PipelineConfig config = PipelineConfig.fromProperties(pipelineProps, topics, serdes).withMeterRegistry(registry);
    int metricsPort = Integer.parseInt(opts.getOrDefault("metrics-port", "0"));
    MetricsServer metrics = metricsPort == 0 ? null : MetricsServer.start(registry, opts.getOrDefault("metrics-host", "127.0.0.1"), metricsPort);
    Properties streamsProps = PipelineRunner.streamsProperties(bootstrap, appId, stateDir);
    streamsProps.putAll(extra); // Streams settings pass through; pipeline keys are ignored by Streams.

    CountDownLatch stop = new CountDownLatch(1);
    PipelineRunner runner = PipelineRunner.start(config, streamsProps, partitions, printer(), Duration.ofMinutes(2));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runner.close(Duration.ofSeconds(30));
      if (metrics != null) metrics.close();
      stop.countDown();
    }, "vectory-shutdown"));
    System.out.println("RUNNING application.id=" + appId + " bootstrap=" + bootstrap + " input=" + topics.spaceEvents.name()
        + (metrics == null ? "" : " metrics=" + metrics.url()));
    System.out.flush();
    stop.await();
  }

  static PipelineRunner.Listener printer() {
    return printer(System.out);
  }

  /** One line per event, stable and greppable: the numbers say what they are. */
  public static PipelineRunner.Listener printer(java.io.PrintStream out) {
    return printer(line -> {
      out.println(line);
      out.flush();
    });
  }

  /** The same lines, handed to {@code out} one at a time. */
  public static PipelineRunner.Listener printer(java.util.function.Consumer<String> out) {
    return new PipelineRunner.Listener() {
      @Override
      public void onComparison(ComparisonResult r) {
        out.accept(String.format(Locale.ROOT, "comparison %s %s %s@%d vs %s@%d k=%d %s mean_jaccard=%.6f cka=%s n=%d compute_ms=%d",
            r.getA().getExperiment(), r.getRelation(), r.getA().getSpace(), r.getA().getStep(), r.getB().getSpace(), r.getB().getStep(),
            r.getK(), r.getIncludeSelf() ? "self-included" : "self-excluded", r.getMeanJaccard(),
            r.getCka() == null ? "null" : String.format(Locale.ROOT, "%.6f", r.getCka()), r.getN(), r.getComputeMillis()));
      }

      @Override
      public void onAlert(DriftAlert a) {
        out.accept("alert " + a.getA().getExperiment() + " " + a.getRule() + " " + a.getMessage());
      }

      @Override
      public void onDeadLetter(DeadLetter d) {
        out.accept("dead-letter " + d.getKey() + " " + d.getReason());
      }
    };
  }

  private static void usage(String message) {
    System.err.println("StreamsMain: " + message);
    System.exit(2);
  }
}
