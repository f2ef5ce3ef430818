package io.vectory.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The few OpenSearch REST calls the store needs, over java.net.http and Jackson (no client library to
 * keep in step with the server). Connection failures, timeouts, 5xx and 429 become {@link
 * StoreUnavailableException} (retry later); any other non-2xx becomes an {@link IllegalArgumentException}
 * naming the call and OpenSearch's reason, unless the caller accepts that status.
 */
public final class OpenSearchHttp {

  public static final ObjectMapper JSON = new ObjectMapper();

  public record Response(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  private final URI base;
  private final Duration timeout;
  private final HttpClient client;

  public OpenSearchHttp(String url, Duration timeout) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.base = URI.create(u);
    if (base.getScheme() == null || base.getHost() == null) {
      throw new IllegalArgumentException("OpenSearch URL '" + url + "': expected http(s)://host:port");
    }
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
  }

  public String url() {
    return base.toString();
  }

  /** Sends a JSON body (or none); statuses listed in {@code accept} are returned instead of thrown. */
  public Response call(String method, String path, Object body, int... accept) {
    String json;
    try {
      json = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write JSON for " + method + " " + path + ": " + e.getMessage(), e);
    }
    return send(method, path, json, "application/json", accept);
  }

  /** POST /_bulk with newline-delimited JSON. */
  public Response bulk(String ndjson) {
    return send("POST", "/_bulk", ndjson, "application/x-ndjson");
  }

  private Response send(String method, String path, String body, String contentType, int... accept) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) rb.header("Content-Type", contentType);
    HttpResponse<byte[]> r;
    try {
      r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new StoreUnavailableException("OpenSearch at " + base + " is unreachable (" + method + " " + path + "): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during " + method + " " + path, e);
    }
    JsonNode json;
    try {
      json = r.body().length == 0 ? MissingNode.getInstance() : JSON.readTree(r.body());
    } catch (IOException e) {
      json = MissingNode.getInstance();
    }
    Response resp = new Response(r.statusCode(), json);
    if (resp.ok()) return resp;
    for (int a : accept) if (a == r.statusCode()) return resp;
    String reason = reason(json, r.body());
    if (r.statusCode() >= 500 || r.statusCode() == 429) {
      throw new StoreUnavailableException("OpenSearch at " + base + " answered " + r.statusCode() + " to " + method + " " + path + ": " + reason);
    }
    throw new IllegalArgumentException("OpenSearch at " + base + " refused " + method + " " + path + " (" + r.statusCode() + "): " + reason);
  }

  public static String reason(JsonNode json, byte[] raw) {
    JsonNode err = json.path("error");
    if (err.isObject()) {
      String type = err.path("type").asText("");
      String why = err.path("reason").asText("");
      JsonNode cause = err.path("caused_by");
      return type + ": " + why + (cause.isObject() ? " (caused by " + cause.path("type").asText() + ": " + cause.path("reason").asText() + ")" : "");
    }
    String s = new String(raw, StandardCharsets.UTF_8);
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
