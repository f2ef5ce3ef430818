/**
 * The Streams app's Prometheus metrics (Micrometer) and the HTTP endpoint that serves them. The names are the ones
 * the Prometheus rules in dashboards/prometheus use; {@link io.vectory.streams.metrics.VectoryMetrics} registers them
 * and {@link io.vectory.streams.metrics.MetricsServer} serves {@code /metrics}.
 */
package io.vectory.streams.metrics;
