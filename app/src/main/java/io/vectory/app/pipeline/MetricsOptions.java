package io.vectory.app.pipeline;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vectory.streams.metrics.MetricsServer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where the pipeline serves its Prometheus metrics: the options, their check, and the server they start. */
public final class MetricsOptions {

  @Option(names = "--metrics-port", defaultValue = "9404", description = "Serve Prometheus metrics at /metrics on this port (default: ${DEFAULT-VALUE}; 0: off).")
  int port;

  @Option(names = "--metrics-host", defaultValue = "127.0.0.1", description = "Address the metrics endpoint binds (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for a scraper elsewhere).")
  String host;

  /** Refuses a port out of range as a usage error, before anything starts. */
  void check(CommandLine cmd) {
    if (port < 0 || port > 65535) throw new CommandLine.ParameterException(cmd, "--metrics-port: expected 0 (off) or a port 1..65535, got " + port);
  }

  /** The started endpoint, or null with --metrics-port 0; throws UncheckedIOException when the port is taken. */
  MetricsServer start(PrometheusMeterRegistry registry) {
    return port == 0 ? null : MetricsServer.start(registry, host, port);
  }
}
