package io.vectory.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.NumpyCheckpoint;
import io.vectory.ingest.PublishResult;
import io.vectory.ingest.SpaceDescription;
import io.vectory.core.space.Metadata;
import io.vectory.core.space.Space;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP ingest for training loops in other languages (JDK HTTP server):
 * {@code POST /v1/experiments/{experiment}/checkpoints/{step}} with
 * <ul>
 *   <li>an {@code .npy} body (ids are the row numbers), or
 *   <li>an {@code .npz} body with the vectors ({@code vectors}, {@code embeddings} or the first array) and an {@code ids} array, or
 *   <li>{@code multipart/form-data} with a part {@code vectors} (.npy) and a part {@code ids} (one id per line, or a JSON array).
 * </ul>
 * Query parameters: {@code space} (default {@code default}), {@code dataset}, {@code model}, {@code metric},
 * {@code epoch}, {@code id_field}, and {@code param.<key>=<value>} for training parameters. The checkpoint is
 * published in one transaction before the answer: 202 {@code {"checkpoint":"exp/space@step",...}}; 400 with a
 * reason for bad input; 413 above the configured body size; 503 if Kafka refuses.
 *
 * <p>Who may post: a request from a web page of another origin (an {@code Origin} header that is not this server's
 * own, or {@code Sec-Fetch-Site: cross-site}) is refused with 403, so no page open in a browser on this machine can
 * inject checkpoints; a body that is not {@code .npy}/{@code .npz} ({@code application/octet-stream},
 * {@code application/x-npy}, {@code application/x-npz}) or {@code multipart/form-data} gets 415; with a token
 * configured, every request but {@code /health} needs {@code Authorization: Bearer <token>} (compared in constant
 * time), else 401.
 */
public final class IngestServer implements AutoCloseable {

  private static final Pattern ROUTE = Pattern.compile("^/v1/experiments/([^/]+)/checkpoints/([^/]+)/?$");
  private static final Pattern VERDICT = Pattern.compile("^/v1/experiments/([^/]+)/checkpoints/([^/]+)/verdict/?$");
  private static final long MAX_VERDICT_WAIT_MS = 600_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final CheckpointPublisher publisher;
  private final long maxBodyBytes;
  private final SpaceDescription defaults;
  private final PublishGuard guard = new PublishGuard();
  private final Verdicts verdicts;
  /** SHA-256 of the bearer token, or null: no token asked. Hashing first makes the comparison independent of lengths. */
  private final byte[] tokenDigest;
  private final java.util.Set<String> ownOrigins = new java.util.HashSet<>();
  private final boolean wildcardBind;

  /** Body types a checkpoint may come in (the media type, without parameters). */
  static final List<String> ACCEPTED_TYPES = List.of("application/octet-stream", "application/x-npy", "application/x-npz", "multipart/form-data");

  private IngestServer(HttpServer server, CheckpointPublisher publisher, long maxBodyBytes, SpaceDescription defaults, Verdicts verdicts, String token) {
    this.server = server;
    this.tokenDigest = token == null || token.isEmpty() ? null : sha256(token);
    int port = server.getAddress().getPort();
    java.net.InetAddress bound = server.getAddress().getAddress();
    this.wildcardBind = bound == null || bound.isAnyLocalAddress();
    String host = server.getAddress().getHostString();
    for (String h : List.of(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host, "127.0.0.1", "localhost", "[::1]")) {
      ownOrigins.add(("http://" + h + ":" + port).toLowerCase(Locale.ROOT));
    }
    this.verdicts = verdicts;
    this.publisher = publisher;
    this.maxBodyBytes = maxBodyBytes;
    this.defaults = defaults;
    // Verdict requests wait for the pipeline: more threads than cores, so they never block publishing.
    this.executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "vectory-ingest-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts serving; port 0 picks a free one (see {@link #port()}). */
  public static IngestServer start(InetSocketAddress address, CheckpointPublisher publisher, long maxBodyBytes, SpaceDescription defaults) throws IOException {
    return start(address, publisher, maxBodyBytes, defaults, null);
  }

  /**
   * As {@link #start(InetSocketAddress, CheckpointPublisher, long, SpaceDescription)}, also answering
   * {@code GET .../checkpoints/{step}/verdict} from the pipeline's output topics at {@code settings} (null: no
   * verdict endpoint).
   */
  public static IngestServer start(InetSocketAddress address, CheckpointPublisher publisher, long maxBodyBytes, SpaceDescription defaults,
      VerdictSource settings) throws IOException {
    return start(address, publisher, maxBodyBytes, defaults, settings, null);
  }

  /**
   * As {@link #start(InetSocketAddress, CheckpointPublisher, long, SpaceDescription, VerdictSource)}, asking every
   * request but {@code /health} for {@code Authorization: Bearer <token>} (null or empty: no token asked).
   */
  public static IngestServer start(InetSocketAddress address, CheckpointPublisher publisher, long maxBodyBytes, SpaceDescription defaults,
      VerdictSource settings, String token) throws IOException {
    Verdicts v = settings == null ? null
        : new Verdicts(settings.bootstrapServers(), settings.clientConfig(), settings.serdes(), settings.topics()).start();
    IngestServer s = new IngestServer(HttpServer.create(address, 64), publisher, maxBodyBytes, defaults, v, token);
    s.server.start();
    return s;
  }

  /** Where the pipeline's output topics are, for the verdict endpoint. */
  public record VerdictSource(String bootstrapServers, Map<String, Object> clientConfig, io.vectory.schemas.EventSerdes serdes,
      io.vectory.schemas.Topics topics) {}

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      Matcher m = ROUTE.matcher(path);
      if (path.equals("/health") || path.equals("/v1/health")) {
        respond(ex, 200, Map.of("status", "ok"));
        return;
      }
      String crossOrigin = crossOrigin(ex);
      if (crossOrigin != null) {
        refuse(ex, 403, Map.of("error", crossOrigin));
        return;
      }
      if (tokenDigest != null && !authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"vectory-ingest\"");
        refuse(ex, 401, Map.of("error", "this server asks for a token: send the header 'Authorization: Bearer <token>' with the token given to"
            + " serve-ingest (--token, VECTORY_INGEST_TOKEN or ingest.token in ~/.vectory/config.properties); the Python client sends it with"
            + " vectory.Run(..., token=...) or $VECTORY_INGEST_TOKEN"));
        return;
      }
      Matcher vm = VERDICT.matcher(path);
      if (vm.matches()) {
        verdict(ex, vm);
        return;
      }
      if (!m.matches()) {
        refuse(ex, 404, Map.of("error", "no such endpoint " + path + "; POST /v1/experiments/{experiment}/checkpoints/{step}"));
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        ex.getResponseHeaders().add("Allow", "POST");
        refuse(ex, 405, Map.of("error", ex.getRequestMethod() + " is not allowed; use POST"));
        return;
      }
      String experiment = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
      long step;
      try {
        step = Long.parseLong(m.group(2));
      } catch (NumberFormatException e) {
        refuse(ex, 400, Map.of("error", "step '" + m.group(2) + "' is not a whole number"));
        return;
      }
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      if (!ACCEPTED_TYPES.contains(media)) {
        refuse(ex, 415, Map.of("error", "Content-Type " + (type == null ? "missing" : "'" + type + "'") + " is not accepted; expected an .npy or"
            + " .npz body as one of " + ACCEPTED_TYPES.subList(0, 3) + ", or multipart/form-data with a part 'vectors'"));
        return;
      }
      String len = ex.getRequestHeaders().getFirst("Content-Length");
      if (len != null && Long.parseLong(len.trim()) > maxBodyBytes) {
        refuse(ex, 413, Map.of("error", "body of " + len.trim() + " bytes is above the limit of " + maxBodyBytes + " bytes"));
        return;
      }
      byte[] body = readLimited(ex.getRequestBody());
      if (body == null) {
        refuse(ex, 413, Map.of("error", "body is above the limit of " + maxBodyBytes + " bytes"));
        return;
      }
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      try {
        Map<String, Object> answer = publish(experiment, step, q, ex.getRequestHeaders().getFirst("Content-Type"), body);
        respond(ex, "published".equals(answer.get("status")) ? 202 : 200, answer);
      } catch (PublishGuard.Conflict e) {
        respond(ex, 409, Map.of("error", e.getMessage()));
      } catch (IOException | IllegalArgumentException e) { // includes InvalidCheckpointException
        respond(ex, 400, Map.of("error", e.getMessage()));
      } catch (CheckpointPublisher.PublishException e) {
        respond(ex, 503, Map.of("error", e.getMessage()));
      } catch (RuntimeException e) {
        respond(ex, 500, Map.of("error", String.valueOf(e)));
      }
    }
  }

  /** Why the request comes from a page of another origin, or null when it does not. */
  private String crossOrigin(HttpExchange ex) {
    String site = ex.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if (site != null && site.strip().equalsIgnoreCase("cross-site")) {
      return "cross-origin request refused: Sec-Fetch-Site is 'cross-site' (a web page of another site); post from a training script, not a browser";
    }
    String origin = ex.getRequestHeaders().getFirst("Origin");
    if (origin == null) return null;
    String o = origin.strip().toLowerCase(Locale.ROOT);
    if (ownOrigins.contains(o)) return null;
    String host = ex.getRequestHeaders().getFirst("Host");
    if (wildcardBind && host != null && o.equals("http://" + host.strip().toLowerCase(Locale.ROOT))) return null;
    return "cross-origin request refused: Origin '" + origin + "' is not this server's own origin (" + new java.util.TreeSet<>(ownOrigins)
        + "); post from a training script, not a web page";
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    return java.security.MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, Object> publish(String experiment, long step, Map<String, String> q, String contentType, byte[] body) throws IOException {
    String space = q.getOrDefault("space", "default");
    NumpyCheckpoint npy;
    List<String> ids;
    String idField = q.get("id_field");
    Map<String, List<String>> columns = Map.of();
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      Map<String, byte[]> parts = Multipart.parse(contentType, body);
      byte[] vectors = parts.get("vectors");
      if (vectors == null) throw new IllegalArgumentException("multipart body has no part named 'vectors' (parts: " + parts.keySet() + ")");
      npy = NumpyCheckpoint.parse("part 'vectors'", vectors);
      byte[] idPart = parts.get("ids");
      ids = idPart != null ? parseIds(idPart) : npy.ids().orElse(null);
      byte[] csv = parts.get("metadata");
      if (csv != null) {
        // Validated as `vectory add -d` validates its CSV: one row per vector, unique non-empty ids in --id-field.
        Metadata md = Metadata.parse("part 'metadata'", Metadata.decode("part 'metadata'", csv));
        Space s = md.attach(new Space("part 'vectors'", ids != null ? ids : Space.rowNumbers(npy.vectors().rows()), npy.vectors(), Map.of()),
            ids != null, idField);
        ids = s.ids();
        columns = new LinkedHashMap<>();
        for (String h : md.header()) if (!h.equals(idField)) columns.put(h, s.columns().get(h));
      }
    } else {
      npy = NumpyCheckpoint.parse("request body", body);
      ids = npy.ids().orElse(null);
      columns = NpzColumns.read("request body", body, npy.vectors().rows());
    }
    if (ids == null) {
      ids = new ArrayList<>(npy.vectors().rows());
      for (int i = 0; i < npy.vectors().rows(); i++) ids.add(Integer.toString(i));
      if (idField == null) idField = "row";
    }
    Map<String, String> params = new LinkedHashMap<>();
    q.forEach((k, v) -> {
      if (k.startsWith("param.")) params.put(k.substring(6), v);
    });
    SpaceDescription d = new SpaceDescription(
        q.getOrDefault("dataset", defaults.dataset()), q.getOrDefault("model", defaults.model()),
        q.containsKey("metric") ? SpaceDescription.parseMetric(q.get("metric")) : defaults.metric(),
        q.containsKey("epoch") ? epoch(q.get("epoch")) : null, params,
        idField != null ? idField : defaults.idField(), columns);
    String digest = PublishGuard.digest(ids, FloatBuffer.wrap(npy.vectors().data()), d);
    PublishResult r;
    synchronized (publisher) { // one transactional producer: one checkpoint at a time
      if (guard.check(experiment, space, step, ids, digest) == PublishGuard.Decision.DUPLICATE) {
        return Map.of("checkpoint", io.vectory.schemas.CheckpointNames.of(experiment, space, step), "status", "already-published",
            "note", "the same data was published before; not sent again", "verdict", verdictPath(experiment, space, step));
      }
      r = publisher.publish(experiment, space, step, ids, FloatBuffer.wrap(npy.vectors().data()), npy.vectors().cols(), d, (a, t, b) -> {});
      guard.published(experiment, space, step, ids, digest);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("checkpoint", r.checkpoint());
    out.put("rows", r.rows());
    out.put("dimension", r.dimension());
    out.put("chunks", r.chunks());
    out.put("checksum", Long.toHexString(r.checksum()));
    out.put("metadata_columns", List.copyOf(columns.keySet()));
    // Committed to Kafka, not yet accepted: the pipeline's verdict is at this address.
    out.put("status", "published");
    out.put("verdict", verdictPath(experiment, space, step));
    return out;
  }

  private static String verdictPath(String experiment, String space, long step) {
    return "/v1/experiments/" + java.net.URLEncoder.encode(experiment, StandardCharsets.UTF_8).replace("+", "%20") + "/checkpoints/" + step
        + "/verdict?space=" + java.net.URLEncoder.encode(space, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code GET .../verdict?space=&timeout_ms=}: accepted (with comparisons), rejected (with reasons), or pending (504). */
  private void verdict(HttpExchange ex, Matcher m) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      ex.getResponseHeaders().add("Allow", "GET");
      refuse(ex, 405, Map.of("error", ex.getRequestMethod() + " is not allowed; use GET"));
      return;
    }
    if (verdicts == null) {
      respond(ex, 503, Map.of("error", "this server does not watch the pipeline's topics; no verdicts"));
      return;
    }
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String experiment = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    long step, timeout;
    try {
      step = Long.parseLong(m.group(2));
      timeout = Math.min(MAX_VERDICT_WAIT_MS, Long.parseLong(q.getOrDefault("timeout_ms", "60000")));
    } catch (NumberFormatException e) {
      respond(ex, 400, Map.of("error", "step '" + m.group(2) + "' and timeout_ms '" + q.get("timeout_ms") + "' must be whole numbers"));
      return;
    }
    String name = io.vectory.schemas.CheckpointNames.of(experiment, q.getOrDefault("space", "default"), step);
    Verdicts.Verdict v;
    try {
      v = verdicts.await(name, java.time.Duration.ofMillis(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      respond(ex, 503, Map.of("error", "interrupted"));
      return;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("checkpoint", name);
    out.put("verdict", v.status());
    out.put("comparisons", v.comparisons().stream().map(Verdicts::json).toList());
    out.put("reasons", v.reasons());
    respond(ex, v.status().equals("pending") ? 504 : 200, out);
  }

  private static Integer epoch(String s) {
    try {
      return Integer.valueOf(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query parameter epoch '" + s + "' is not a whole number");
    }
  }

  static List<String> parseIds(byte[] part) throws IOException {
    // Decoded strictly: a Latin-1 id would otherwise become U+FFFD and match nothing later.
    String text = Metadata.decode("part 'ids'", part, "UTF-8 text, one id per line or a JSON array of strings").strip();
    if (text.startsWith("[")) {
      JsonNode a = JSON.readTree(text);
      List<String> ids = new ArrayList<>(a.size());
      for (JsonNode n : a) ids.add(n.isTextual() ? n.asText() : n.toString());
      return ids;
    }
    return text.isEmpty() ? List.of() : Arrays.asList(text.split("\r?\n", -1));
  }

  private byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      total += n;
      if (total > maxBodyBytes) return null;
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) return q;
    for (String kv : raw.split("&")) {
      int i = kv.indexOf('=');
      String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
      q.put(k, i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  /**
   * Answers without having read the whole request body: the server then closes the connection, so the answer says
   * so, or a keep-alive client would send its next request down the closed connection and get a reset.
   */
  private static void refuse(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
    // Read what the client is still sending (up to a bound) before answering and closing: closing on a request body
    // still in flight resets the connection, and the client sees "no response" instead of the reason (seen on a
    // 512 KB body refused by its Content-Length).
    drain(ex.getRequestBody(), DRAIN_LIMIT);
    ex.getResponseHeaders().set("Connection", "close");
    respond(ex, status, body);
  }

  /** Bytes of a refused request's body read and dropped before the answer; a larger body may see a reset. */
  private static final long DRAIN_LIMIT = 64L << 20;

  private static void drain(InputStream in, long limit) {
    byte[] buf = new byte[64 * 1024];
    try {
      for (long total = 0, n; total < limit && (n = in.read(buf)) > 0; ) total += n;
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  private static void respond(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(1);
    if (verdicts != null) verdicts.close();
    executor.shutdownNow();
  }
}
