package io.vectory.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.NumpyCheckpoint;
import io.vectory.ingest.PublishResult;
import io.vectory.ingest.SpaceDescription;
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
 */
public final class IngestServer implements AutoCloseable {

  private static final Pattern ROUTE = Pattern.compile("^/v1/experiments/([^/]+)/checkpoints/([^/]+)/?$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final CheckpointPublisher publisher;
  private final long maxBodyBytes;
  private final SpaceDescription defaults;

  private IngestServer(HttpServer server, CheckpointPublisher publisher, long maxBodyBytes, SpaceDescription defaults) {
    this.server = server;
    this.publisher = publisher;
    this.maxBodyBytes = maxBodyBytes;
    this.defaults = defaults;
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "vectory-ingest-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts serving; port 0 picks a free one (see {@link #port()}). */
  public static IngestServer start(InetSocketAddress address, CheckpointPublisher publisher, long maxBodyBytes, SpaceDescription defaults) throws IOException {
    IngestServer s = new IngestServer(HttpServer.create(address, 64), publisher, maxBodyBytes, defaults);
    s.server.start();
    return s;
  }

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
        respond(ex, 202, publish(experiment, step, q, ex.getRequestHeaders().getFirst("Content-Type"), body));
      } catch (IOException | IllegalArgumentException e) { // includes InvalidCheckpointException
        respond(ex, 400, Map.of("error", e.getMessage()));
      } catch (CheckpointPublisher.PublishException e) {
        respond(ex, 503, Map.of("error", e.getMessage()));
      } catch (RuntimeException e) {
        respond(ex, 500, Map.of("error", String.valueOf(e)));
      }
    }
  }

  private Map<String, Object> publish(String experiment, long step, Map<String, String> q, String contentType, byte[] body) throws IOException {
    String space = q.getOrDefault("space", "default");
    NumpyCheckpoint npy;
    List<String> ids;
    String idField = q.get("id_field");
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      Map<String, byte[]> parts = Multipart.parse(contentType, body);
      byte[] vectors = parts.get("vectors");
      if (vectors == null) throw new IllegalArgumentException("multipart body has no part named 'vectors' (parts: " + parts.keySet() + ")");
      npy = NumpyCheckpoint.parse("part 'vectors'", vectors);
      byte[] idPart = parts.get("ids");
      ids = idPart != null ? parseIds(idPart) : npy.ids().orElse(null);
    } else {
      npy = NumpyCheckpoint.parse("request body", body);
      ids = npy.ids().orElse(null);
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
        idField != null ? idField : defaults.idField(), Map.of());
    PublishResult r;
    synchronized (publisher) { // one transactional producer: one checkpoint at a time
      r = publisher.publish(experiment, space, step, ids, FloatBuffer.wrap(npy.vectors().data()), npy.vectors().cols(), d, (a, t, b) -> {});
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("checkpoint", r.checkpoint());
    out.put("rows", r.rows());
    out.put("dimension", r.dimension());
    out.put("chunks", r.chunks());
    out.put("checksum", Long.toHexString(r.checksum()));
    out.put("status", "committed");
    return out;
  }

  private static Integer epoch(String s) {
    try {
      return Integer.valueOf(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query parameter epoch '" + s + "' is not a whole number");
    }
  }

  static List<String> parseIds(byte[] part) throws IOException {
    String text = new String(part, StandardCharsets.UTF_8).strip();
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
    ex.getResponseHeaders().set("Connection", "close");
    respond(ex, status, body);
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
    executor.shutdownNow();
  }
}
