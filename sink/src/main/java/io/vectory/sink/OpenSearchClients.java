package io.vectory.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * The one place an OpenSearch client is built: the official {@code opensearch-java} client over Apache
 * HttpClient 5, with Jackson as its JSON mapper, the given timeouts, and optional basic auth and a TLS
 * trust store. Everything in Vectory that talks to OpenSearch (the sink, the store, the tests and
 * benchmarks) gets its client here.
 */
public final class OpenSearchClients {

  private OpenSearchClients() {}

  /**
   * Where and how to connect.
   *
   * @param url {@code http(s)://host:port}; credentials in it ({@code http://user:pw@host:9200}) are used when
   *     {@code username} is not set, and never appear in {@link #displayUrl()}
   * @param username basic auth user, or null
   * @param truststore a trust store file for https (PKCS12 or JKS), or null for the JVM's default trust
   */
  public record Settings(String url, Duration connectTimeout, Duration requestTimeout, String username, String password,
      Path truststore, String truststorePassword, String truststoreType) {

    public Settings {
      if (url == null || url.isBlank()) throw new IllegalArgumentException("OpenSearch URL is empty; expected http(s)://host:port");
      URI u = URI.create(url.trim());
      if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        throw new IllegalArgumentException("OpenSearch URL '" + redact(url) + "': expected http(s)://host:port");
      }
    }

    /** A URL with the default timeouts (5 s to connect) and no extra auth or trust settings. */
    public static Settings of(String url, Duration requestTimeout) {
      return new Settings(url, Duration.ofSeconds(5), requestTimeout, null, null, null, null, null);
    }

    public Settings withBasicAuth(String user, String pw) {
      return new Settings(url, connectTimeout, requestTimeout, user, pw, truststore, truststorePassword, truststoreType);
    }

    public Settings withTruststore(Path file, String pw, String type) {
      return new Settings(url, connectTimeout, requestTimeout, username, password, file, pw, type);
    }

    /** The URL without credentials, for messages. */
    public String displayUrl() {
      return redact(url).replaceAll("/+$", "");
    }

    private static String redact(String url) {
      URI u = URI.create(url.trim());
      return u.getRawUserInfo() == null ? url.trim() : url.trim().replace(u.getRawUserInfo() + "@", "");
    }
  }

  /** A client for these settings; close it with {@code client._transport().close()} (see {@link #close}). */
  public static OpenSearchClient open(Settings s) {
    URI u = URI.create(s.url().trim());
    HttpHost host = new HttpHost(u.getScheme(), u.getHost(), u.getPort() > 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80);
    String user = s.username();
    String pw = s.password();
    if (user == null && u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      pw = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
    }
    BasicCredentialsProvider credentials = null;
    if (user != null && !user.isEmpty()) {
      credentials = new BasicCredentialsProvider();
      credentials.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(user, (pw == null ? "" : pw).toCharArray()));
    }
    SSLContext ssl = sslContext(s);
    ConnectionConfig connection = ConnectionConfig.custom()
        .setConnectTimeout(Timeout.of(s.connectTimeout()))
        .setSocketTimeout(Timeout.of(s.requestTimeout()))
        .build();
    BasicCredentialsProvider auth = credentials;
    ApacheHttpClient5TransportBuilder b = ApacheHttpClient5TransportBuilder.builder(host)
        .setMapper(new JacksonJsonpMapper(new ObjectMapper()))
        .setRequestConfigCallback(rc -> rc.setResponseTimeout(Timeout.of(s.requestTimeout())))
        .setHttpClientConfigCallback(hc -> {
          var cm = PoolingAsyncClientConnectionManagerBuilder.create().setDefaultConnectionConfig(connection).setMaxConnPerRoute(10).setMaxConnTotal(30);
          if (ssl != null) cm.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(ssl).build());
          hc.setConnectionManager(cm.build());
          if (auth != null) hc.setDefaultCredentialsProvider(auth);
          return hc;
        });
    return new OpenSearchClient(b.build());
  }

  /** Closes the client's transport (its HTTP connection pool and I/O threads). */
  public static void close(OpenSearchClient client) {
    try {
      client._transport().close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing the OpenSearch client: " + e.getMessage(), e);
    }
  }

  private static SSLContext sslContext(Settings s) {
    if (s.truststore() == null) return null;
    try (InputStream in = Files.newInputStream(s.truststore())) {
      KeyStore ks = KeyStore.getInstance(s.truststoreType() == null || s.truststoreType().isBlank() ? KeyStore.getDefaultType() : s.truststoreType());
      ks.load(in, s.truststorePassword() == null ? null : s.truststorePassword().toCharArray());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("OpenSearch trust store " + s.truststore() + ": " + e.getMessage(), e);
    }
  }
}
