package io.vectory.streams.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a Prometheus registry's scrape at {@code GET /metrics} with the JDK's own HTTP server (no web framework in
 * the app). One daemon thread; a scrape renders the registry on that thread.
 */
public final class MetricsServer implements AutoCloseable {
  /** The Prometheus text exposition format Micrometer writes by default. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code host:port} (port 0: any free port, see {@link #port()}) and starts serving.
   *
   * @throws UncheckedIOException naming the address when it cannot be bound (e.g. the port is taken)
   */
  public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("metrics port: expected 0..65535, got " + port);
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    s.createContext("/metrics", ex -> {
      try (ex) {
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
          send(ex, 405, "method " + ex.getRequestMethod() + " not allowed; expected GET\n");
        } else if (!ex.getRequestURI().getPath().equals("/metrics")) {
          send(ex, 404, "not found; the metrics are at /metrics\n");
        } else {
          send(ex, 200, registry.scrape());
        }
      }
    });
    s.createContext("/", ex -> {
      try (ex) {
        send(ex, 404, "not found; the metrics are at /metrics\n");
      }
    });
    ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vectory-metrics-http");
      t.setDaemon(true);
      return t;
    });
    s.setExecutor(exec);
    s.start();
    return new MetricsServer(s, exec);
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", status == 200 ? CONTENT_TYPE : "text/plain; charset=utf-8");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The bound port (the real one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://host:port/metrics}. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics";
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
