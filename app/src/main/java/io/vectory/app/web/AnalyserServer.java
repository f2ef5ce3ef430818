package io.vectory.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectory.core.projection.Projections;
import io.vectory.core.projection.UmapOptions;
import io.vectory.store.SpaceStore;
import io.vectory.sink.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * The web analyser: one static page and a small JSON API over a {@link SpaceStore}, on the JDK's HttpServer.
 *
 * <pre>
 *   GET /                                  the page (vanilla JS, canvas; no external scripts)
 *   GET /api/info                          the store's location
 *   GET /api/spaces                        complete indices: name (experiment/space@step), rows, metric, columns
 *   GET /api/projection?space=S&amp;method=M   M = pca | umap | pca+umap: ids, x, y, metadata columns, description
 *   GET /api/progress?space=S&amp;method=M     how far that projection has got
 *   GET /api/coincidence?a=A&amp;b=B&amp;k=10     per-point k-NN Jaccard between A and B, in A's row order
 *   GET /api/neighbours?a=A&amp;b=B&amp;id=ID&amp;k=10 the point's k nearest neighbours in A and in B, side by side
 * </pre>
 * Errors are JSON {@code {"error": "..."}}: 400 for bad parameters or an unknown space, 503 when the store cannot
 * be reached, 500 otherwise.
 */
public final class AnalyserServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAGE = "/io/vectory/app/web/index.html";

  private final HttpServer http;
  private final ExecutorService pool;
  private final Analyser analyser;

  private AnalyserServer(HttpServer http, ExecutorService pool, Analyser analyser) {
    this.http = http;
    this.pool = pool;
    this.analyser = analyser;
  }

  /** Starts serving {@code store} on host:port (port 0: any free port). The store stays the caller's to close. */
  public static AnalyserServer start(SpaceStore store, String host, int port, UmapOptions umap) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "vectory-http");
      t.setDaemon(true);
      return t;
    });
    AnalyserServer s = new AnalyserServer(http, pool, new Analyser(store, umap));
    http.createContext("/", s::handle);
    http.setExecutor(pool);
    http.start();
    return s;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public String url() {
    String host = http.getAddress().getHostString();
    if (host.contains(":")) host = "[" + host + "]";
    return "http://" + host + ":" + port() + "/";
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        send(ex, 405, Map.of("error", ex.getRequestMethod() + " not allowed; the analyser's API is read-only (GET)"));
        return;
      }
      String path = ex.getRequestURI().getPath();
      Map<String, String> q = query(ex.getRequestURI());
      try {
        switch (path) {
          case "/", "/index.html" -> page(ex);
          case "/api/info" -> send(ex, 200, Map.of("store", analyser.location()));
          case "/api/spaces" -> send(ex, 200, analyser.spaces());
          case "/api/projection" -> send(ex, 200, analyser.projection(required(q, "space"), method(q)));
          case "/api/progress" -> send(ex, 200, analyser.progress(required(q, "space"), method(q)));
          case "/api/coincidence" -> send(ex, 200, analyser.coincidence(required(q, "a"), required(q, "b"), intParam(q, "k", 10)));
          case "/api/neighbours" -> send(ex, 200, analyser.neighbours(required(q, "a"), q.get("b"), required(q, "id"), intParam(q, "k", 10)));
          default -> send(ex, 404, Map.of("error", "no such page: " + path));
        }
      } catch (IllegalArgumentException e) {
        send(ex, 400, Map.of("error", String.valueOf(e.getMessage())));
      } catch (StoreUnavailableException | UncheckedIOException e) {
        send(ex, 503, Map.of("error", String.valueOf(e.getMessage())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        send(ex, 503, Map.of("error", "interrupted"));
      } catch (RuntimeException e) {
        send(ex, 500, Map.of("error", e.toString()));
      }
    }
  }

  private static Projections.Method method(Map<String, String> q) {
    return Projections.Method.parse(q.getOrDefault("method", "pca"));
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isBlank()) throw new IllegalArgumentException("missing query parameter '" + name + "'");
    return v;
  }

  private static int intParam(Map<String, String> q, String name, int dflt) {
    String v = q.get(name);
    if (v == null || v.isBlank()) return dflt;
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query parameter '" + name + "' must be an integer, got '" + v + "'");
    }
  }

  static Map<String, String> query(URI uri) {
    Map<String, String> m = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null) return m;
    for (String part : raw.split("&")) {
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      m.put(k, v);
    }
    return m;
  }

  private static void page(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = AnalyserServer.class.getResourceAsStream(PAGE)) {
      if (in == null) throw new IllegalStateException("missing resource " + PAGE);
      body = in.readAllBytes();
    }
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    write(ex, 200, body);
  }

  private static void send(HttpExchange ex, int status, Object value) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    write(ex, status, JSON.writeValueAsBytes(value));
  }

  private static void write(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
    boolean gzip = body.length > 8192 && accept != null && accept.contains("gzip");
    if (gzip) {
      ex.getResponseHeaders().set("Content-Encoding", "gzip");
      ex.sendResponseHeaders(status, 0);
      try (OutputStream out = new GZIPOutputStream(ex.getResponseBody())) {
        out.write(body);
      }
    } else {
      boolean head = "HEAD".equals(ex.getRequestMethod());
      ex.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    http.stop(0);
    analyser.close();
    pool.shutdownNow();
  }
}
