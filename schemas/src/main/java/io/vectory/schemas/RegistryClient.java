package io.vectory.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A client of the Confluent schema-registry REST API (Confluent Schema Registry, Apicurio at
 * {@code /apis/ccompat/v7}, Karapace, Redpanda), on java.net.http. Ids and schemas are cached: a
 * serializer asks the registry once per subject and schema, a deserializer once per id.
 *
 * <p>Settings use Confluent's names so one configuration serves this client and Confluent's serde:
 * {@code schema.registry.url}, {@code basic.auth.credentials.source} (USER_INFO or URL),
 * {@code basic.auth.user.info} ({@code user:password}), {@code schema.registry.ssl.truststore.location},
 * {@code .password}, {@code .type}, {@code schema.registry.ssl.keystore.location}, {@code .password},
 * {@code .type}, {@code schema.registry.ssl.key.password}.
 */
public final class RegistryClient {

  public static final String URL = "schema.registry.url";
  public static final String AUTH_SOURCE = "basic.auth.credentials.source";
  public static final String USER_INFO = "basic.auth.user.info";
  public static final String SSL = "schema.registry.ssl.";

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final String authorization;
  private final HttpClient http;
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  public RegistryClient(Map<String, ?> config) {
    Object url = config.get(URL);
    if (url == null || url.toString().isBlank()) {
      throw new IllegalArgumentException("schema registry: setting '" + URL + "' is missing (e.g. http://127.0.0.1:8081/apis/ccompat/v7)");
    }
    URI uri = URI.create(url.toString().trim().replaceAll("/+$", ""));
    String userInfo = null;
    Object src = config.get(AUTH_SOURCE);
    String source = src == null ? "USER_INFO" : src.toString();
    if (uri.getUserInfo() != null && ("URL".equalsIgnoreCase(source) || config.get(USER_INFO) == null)) {
      userInfo = uri.getUserInfo();
    } else if (config.get(USER_INFO) != null) {
      userInfo = config.get(USER_INFO).toString();
    }
    // Credentials never travel in the URL we log or request.
    this.baseUrl = withoutUserInfo(uri.toString());
    this.authorization = userInfo == null || userInfo.isEmpty() ? null
        : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    SSLContext ssl = sslContext(config);
    if (ssl != null) b.sslContext(ssl);
    this.http = b.build();
  }

  public String url() {
    return baseUrl;
  }

  /**
   * The URL without its user-info ({@code http://user:secret@host/} → {@code http://host/}): the only form of a
   * registry URL that may be printed or logged. Text that is not a URL comes back unchanged.
   */
  public static String withoutUserInfo(String url) {
    if (url == null) return null;
    try {
      URI u = URI.create(url.trim());
      return u.getRawUserInfo() == null ? url : url.replace(u.getRawUserInfo() + "@", "");
    } catch (IllegalArgumentException e) {
      return url.replaceAll("//[^/@]*@", "//");
    }
  }

  /** Registers {@code schema} under {@code subject} (or finds it already there) and returns its id. */
  public int register(String subject, Schema schema) {
    String text = schema.toString();
    return idsBySubjectAndSchema.computeIfAbsent(subject + '\u0000' + text, k -> {
      JsonNode r = call("POST", "/subjects/" + enc(subject) + "/versions", body(text), "register the schema of subject '" + subject + "'", subject);
      int id = id(r, "registration of subject '" + subject + "'");
      schemasById.putIfAbsent(id, schema);
      return id;
    });
  }

  /** The id of {@code schema} if it is already registered under {@code subject}; fails otherwise. */
  public int lookup(String subject, Schema schema) {
    String text = schema.toString();
    return idsBySubjectAndSchema.computeIfAbsent(subject + '\u0000' + text, k -> {
      JsonNode r = call("POST", "/subjects/" + enc(subject), body(text), "look up the schema in subject '" + subject + "'", subject);
      return id(r, "the look-up in subject '" + subject + "'");
    });
  }

  /** The schema id of a registry answer; an answer without one is refused rather than cached as id 0. */
  private int id(JsonNode answer, String what) {
    int id = answer.path("id").asInt(-1);
    if (id < 0) throw new SerializationException("schema registry at " + baseUrl + " answered " + what + " without an id: " + answer);
    return id;
  }

  /** The writer schema with this id. */
  public Schema schemaById(int id) {
    return schemasById.computeIfAbsent(id, k -> {
      JsonNode r = call("GET", "/schemas/ids/" + id, null, "fetch schema id " + id, null);
      String text = r.path("schema").asText(null);
      if (text == null) throw new SerializationException("schema registry at " + baseUrl + " answered schema id " + id + " without a schema: " + r);
      return new Schema.Parser().parse(text);
    });
  }

  /** Sets the subject's compatibility level (BACKWARD, FORWARD, FULL, NONE, ..._TRANSITIVE). */
  public void setCompatibility(String subject, String level) {
    call("PUT", "/config/" + enc(subject), json(Map.of("compatibility", level)), "set compatibility of subject '" + subject + "'", subject);
  }

  /** Whether {@code schema} is compatible with the latest version of {@code subject} under its rule. */
  public boolean isCompatible(String subject, Schema schema) {
    JsonNode r = call("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", body(schema.toString()),
        "check compatibility with subject '" + subject + "'", subject);
    return r.path("is_compatible").asBoolean(false);
  }

  private static String body(String schemaText) {
    return json(Map.of("schema", schemaText));
  }

  private static String json(Map<String, String> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Asks the registry for its subjects: throws {@link RegistryUnreachableException} when it cannot be reached, a
   * {@link RegistryException} when it answers with an error (e.g. 401: wrong credentials).
   */
  public void ping() {
    call("GET", "/subjects", null, "list its subjects", null);
  }

  private JsonNode call(String method, String path, String body, String what, String subject) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .header("Accept", CONTENT_TYPE + ", application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) rb.header("Content-Type", CONTENT_TYPE);
    if (authorization != null) rb.header("Authorization", authorization);
    HttpResponse<String> resp;
    try {
      resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RegistryUnreachableException(baseUrl, "schema registry at " + baseUrl + " is unreachable (could not " + what + "): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SerializationException("interrupted while trying to " + what, e);
    }
    int status = resp.statusCode();
    if (status / 100 == 2) {
      try {
        return resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
      } catch (IOException e) {
        throw new SerializationException("schema registry at " + baseUrl + " answered " + what + " with non-JSON: " + resp.body(), e);
      }
    }
    String reason = reason(resp.body());
    String msg = switch (status) {
      case 409 -> "schema registry at " + baseUrl + " refused the schema of subject '" + subject
          + "' as incompatible with its earlier versions (HTTP 409): " + reason
          + ". Under BACKWARD compatibility a new version may add fields only with defaults and may not change a field's type.";
      case 401, 403 -> "schema registry at " + baseUrl + " denied access (HTTP " + status + ") trying to " + what
          + "; check " + USER_INFO + ": " + reason;
      case 404 -> "schema registry at " + baseUrl + " does not know " + (path.startsWith("/schemas/ids/")
          ? "schema id " + path.substring("/schemas/ids/".length()) : "subject '" + subject + "'") + " (HTTP 404): " + reason;
      case 422 -> "schema registry at " + baseUrl + " rejected the schema of subject '" + subject + "' as invalid (HTTP 422): " + reason;
      default -> "schema registry at " + baseUrl + " failed to " + what + " (HTTP " + status + "): " + reason;
    };
    throw new RegistryException(status, msg);
  }

  private static String reason(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n.hasNonNull("message")) {
        return n.get("message").asText() + (n.hasNonNull("error_code") ? " (error_code " + n.get("error_code").asText() + ")" : "");
      }
    } catch (IOException | RuntimeException ignored) {
      // not JSON: show the text
    }
    return body == null || body.isBlank() ? "no details" : (body.length() > 500 ? body.substring(0, 500) + "…" : body);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static SSLContext sslContext(Map<String, ?> config) {
    Object trustLoc = config.get(SSL + "truststore.location");
    Object keyLoc = config.get(SSL + "keystore.location");
    if (trustLoc == null && keyLoc == null) return null;
    try {
      TrustManagerFactory tmf = null;
      if (trustLoc != null) {
        KeyStore ts = load(trustLoc.toString(), config.get(SSL + "truststore.password"), config.get(SSL + "truststore.type"));
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
      }
      KeyManagerFactory kmf = null;
      if (keyLoc != null) {
        Object pw = config.get(SSL + "keystore.password");
        KeyStore ks = load(keyLoc.toString(), pw, config.get(SSL + "keystore.type"));
        Object keyPw = config.get(SSL + "key.password");
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, chars(keyPw != null ? keyPw : pw));
      }
      Object protocol = config.get(SSL + "protocol");
      SSLContext ctx = SSLContext.getInstance(protocol == null ? "TLS" : protocol.toString());
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("schema registry TLS settings (" + SSL + "*): " + e.getMessage(), e);
    }
  }

  private static KeyStore load(String location, Object password, Object type) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(type == null ? KeyStore.getDefaultType() : type.toString());
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      ks.load(in, chars(password));
    }
    return ks;
  }

  private static char[] chars(Object password) {
    return password == null ? null : password.toString().toCharArray();
  }

  /** A registry answer other than 2xx, with its HTTP status. */
  public static final class RegistryException extends SerializationException {
    private final int status;

    RegistryException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
