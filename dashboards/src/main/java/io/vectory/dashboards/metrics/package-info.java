/**
 * Metric names shared by the Streams app (which exposes them on /metrics) and the Prometheus rules in
 * dashboards/prometheus. {@link io.vectory.dashboards.metrics.VectoryMetrics} registers them with Micrometer.
 */
package io.vectory.dashboards.metrics;
