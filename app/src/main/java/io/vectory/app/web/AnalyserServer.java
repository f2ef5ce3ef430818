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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * The web analyser: one static page and a small JSON API over a {@link SpaceStore}, on the JDK's HttpServer.
 *
 * <pre>
 *   GET /                                  the page; GET /app.js its script (bundled at build time, WebGL)
 *   GET /api/info                          the store's location; "opening": the pair the page opens on (the newest
 *                                          experiment's first and last step), null without experiments
 *   GET /api/spaces                        complete indices: name (experiment/space@step), rows, metric, columns
 *   GET /api/projection?space=S&amp;method=M&amp;slot=X   M = pca | umap | pca+umap: ids, x, y, metadata columns,
 *                                          description; a later request for the same slot cancels this one (409)
 *   GET /api/progress?space=S&amp;method=M     how far that projection has got
 *   GET /api/coincidence?a=A&amp;b=B&amp;k=10[&amp;metric_a=..&amp;metric_b=..]   per-point exact k-NN Jaccard over common ids
 *   GET /api/neighbours?a=A&amp;b=B&amp;id=ID&amp;k=10[&amp;metric_a=..]   the point's exact k nearest neighbours in A and B
 *   GET /api/experiment?name=E             the experiment's stored comparisons and drift alerts
 * </pre>
 * k lies in [1, min(100, n − 1)]. Errors are JSON {@code {"error": "..."}}: 400 for bad parameters or an unknown
 * space, 403 for a Host header not on the allow-list (DNS rebinding), 409 for a superseded projection, 503 when
 * the store cannot be reached, 500 otherwise. Each request runs on its own virtual thread, so a slow one
 * (a projection, an exact k-NN pass) never holds up the others.
 */
public final class AnalyserServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESOURCES = "/io/vectory/app/web/";
  /** regl compiles its shaders' glue with Function(): 'unsafe-eval' for scripts, but nothing inline runs. */
  static final String CSP = "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  private final HttpServer http;
  private final ExecutorService pool;
  private final Analyser analyser;
  private final Set<String> allowedHosts;

  private AnalyserServer(HttpServer http, ExecutorService pool, Analyser analyser, Set<String> allowedHosts) {
    this.http = http;
    this.pool = pool;
    this.analyser = analyser;
    this.allowedHosts = allowedHosts;
  }

  /** Names a browser may use for this server by default: the loopback ones. */
  public static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "[::1]", "::1");

  /** Starts serving {@code store} on host:port (port 0: any free port). The store stays the caller's to close. */
  public static AnalyserServer start(SpaceStore store, String host, int port, UmapOptions umap) throws IOException {
    return start(store, host, port, umap, List.of());
  }

  /**
   * As {@link #start(SpaceStore, String, int, UmapOptions)}, also accepting the Host names {@code extraHosts}
   * (besides the loopback names and the bound address): a page reached by any other name (DNS rebinding) is refused.
   */
  public static AnalyserServer start(SpaceStore store, String host, int port, UmapOptions umap, List<String> extraHosts)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("vectory-http-", 0).factory());
    Set<String> allowed = new HashSet<>();
    for (String h : LOOPBACK_NAMES) allowed.add(h);
    if (!host.equals("0.0.0.0") && !host.equals("::")) allowed.add(host.contains(":") ? "[" + host + "]" : host);
    for (String h : extraHosts) allowed.add(h.strip().toLowerCase(Locale.ROOT));
    AnalyserServer s = new AnalyserServer(http, pool, new Analyser(store, umap), Set.copyOf(allowed));
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
      String hostHeader = ex.getRequestHeaders().getFirst("Host");
      if (!hostAllowed(hostHeader)) {
        send(ex, 403, Map.of("error", "Host '" + hostHeader + "' is not one this analyser answers to (allowed: "
            + String.join(", ", new java.util.TreeSet<>(allowedHosts)) + "; add names with --allow-host)"));
        return;
      }
      String path = ex.getRequestURI().getPath();
      Map<String, String> q = query(ex.getRequestURI());
      try {
        switch (path) {
          case "/", "/index.html" -> resource(ex, "index.html", "text/html; charset=utf-8");
          case "/app.js" -> resource(ex, "app.js", "text/javascript; charset=utf-8");
          case "/api/info" -> {
            Map<String, Object> info = new java.util.LinkedHashMap<>();
            info.put("store", analyser.location());
            info.put("max_k", Analyser.MAX_K);
            info.put("opening", analyser.opening());
            send(ex, 200, info);
          }
          case "/api/spaces" -> send(ex, 200, analyser.spaces());
          case "/api/projection" -> send(ex, 200, analyser.projection(required(q, "space"), method(q), q.get("slot")));
          case "/api/progress" -> send(ex, 200, analyser.progress(required(q, "space"), method(q)));
          case "/api/coincidence" -> send(ex, 200, analyser.coincidence(required(q, "a"), required(q, "b"), intParam(q, "k", 10),
              q.get("metric_a"), q.get("metric_b")));
          case "/api/neighbours" -> send(ex, 200, analyser.neighbours(required(q, "a"), required(q, "b"), required(q, "id"),
              intParam(q, "k", 10), q.get("metric_a"), q.get("metric_b")));
          case "/api/experiment" -> send(ex, 200, analyser.experiment(required(q, "name")));
          default -> send(ex, 404, Map.of("error", "no such page: " + path));
        }
      } catch (Analyser.Superseded e) {
        send(ex, 409, Map.of("error", String.valueOf(e.getMessage())));
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

  /** The Host header's name (port dropped) is a loopback name, the bound address, or one the user allowed. */
  boolean hostAllowed(String host) {
    if (host == null || host.isBlank()) return false;
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0) return false;
      h = h.substring(0, close + 1);
    } else {
      int colon = h.lastIndexOf(':');
      if (colon >= 0 && h.indexOf(':') == colon) h = h.substring(0, colon);
    }
    return allowedHosts.contains(h);
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

  private static void resource(HttpExchange ex, String name, String type) throws IOException {
    byte[] body;
    try (InputStream in = AnalyserServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name
            + (name.endsWith(".js") ? " (the page's script is bundled by the Maven build: mvn -pl app package)" : ""));
      }
      body = in.readAllBytes();
    }
    ex.getResponseHeaders().set("Content-Type", type);
    write(ex, 200, body);
  }

  private static void send(HttpExchange ex, int status, Object value) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    write(ex, status, JSON.writeValueAsBytes(value));
  }

  private static void write(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.getResponseHeaders().set("Content-Security-Policy", CSP);
    ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
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
