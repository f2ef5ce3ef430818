package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vectory.avro.SpaceEvent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema.registry.ssl.truststore.* settings reach java.net.http: a self-signed registry is trusted only with them. */
class RegistryTlsTest {

  @Test
  void truststoreSettingsAreUsed(@TempDir Path dir) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path server = dir.resolve("server.p12");
    Path cert = dir.resolve("server.crt");
    Path trust = dir.resolve("trust.p12");
    run(List.of(keytool, "-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", server.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
    run(List.of(keytool, "-exportcert", "-alias", "registry", "-keystore", server.toString(), "-storepass", "changeit", "-file", cert.toString()));
    run(List.of(keytool, "-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-keystore", trust.toString(),
        "-storetype", "PKCS12", "-storepass", "trustpw"));

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(server)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(ctx));
    https.createContext("/", ex -> {
      byte[] b = "{\"id\":5}".getBytes();
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    https.start();
    try {
      String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/apis/ccompat/v7";
      RegistryClient trusted = new RegistryClient(Map.of(RegistryClient.URL, url,
          "schema.registry.ssl.truststore.location", trust.toString(), "schema.registry.ssl.truststore.password", "trustpw",
          "schema.registry.ssl.truststore.type", "PKCS12"));
      assertEquals(5, trusted.register("s-value", SpaceEvent.getClassSchema()));
      RegistryClient untrusted = new RegistryClient(Map.of(RegistryClient.URL, url));
      SerializationException e = assertThrows(SerializationException.class, () -> untrusted.register("s-value", SpaceEvent.getClassSchema()));
      assertTrue(e.getMessage().contains("is unreachable"), e.getMessage());
    } finally {
      https.stop(0);
    }
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }
}
