package io.vectory.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.schemas.Topics;
import io.vectory.sink.OpenSearchClients;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.cat.plugins.PluginsRecord;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The compose images, run by Testcontainers: publish two checkpoints with {@code vectory add} to the
 * {@code apache/kafka} image, let {@code vectory pipeline} compare them, and find the result on the comparisons
 * topic; check that the {@code opensearchproject/opensearch} image carries the k-NN plugin the sink relies on.
 * Where no Docker engine exists the class is reported skipped ("Docker is not available"), not failed.
 */
@Testcontainers(disabledWithoutDocker = true)
final class DockerScenarioIT {

  static final Properties VERSIONS = versions();

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:" + VERSIONS.getProperty("kafka.version"));

  @Container
  static final GenericContainer<?> OPENSEARCH =
      new GenericContainer<>("opensearchproject/opensearch:" + VERSIONS.getProperty("opensearch.version"))
          .withEnv("discovery.type", "single-node")
          .withEnv("DISABLE_SECURITY_PLUGIN", "true")
          .withEnv("DISABLE_INSTALL_DEMO_CONFIG", "true")
          .withEnv("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx1g")
          .withExposedPorts(9200)
          .waitingFor(Wait.forHttp("/_cluster/health?wait_for_status=yellow").forPort(9200)
              .withStartupTimeout(Duration.ofMinutes(3)));

  @Test
  void publishedCheckpointsAreComparedOnTheContainerBroker(@TempDir Path dir) throws Exception {
    // Two checkpoints of one space: the second is the first plus small noise, so neighbourhoods mostly survive.
    Random rnd = new Random(42);
    int n = 200, d = 16;
    float[] a = new float[n * d], b = new float[n * d];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
      b[i] = a[i] + 0.01f * (float) rnd.nextGaussian();
    }
    Path step0 = dir.resolve("step0.npy"), step1 = dir.resolve("step1.npy");
    Npy.write(step0, FloatMatrix.wrap(n, d, a));
    Npy.write(step1, FloatMatrix.wrap(n, d, b));
    String bootstrap = KAFKA.getBootstrapServers();

    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> pipeline = pool.submit(() -> VectoryCli.newCommandLine().execute(
          "pipeline", "--bootstrap-servers", bootstrap, "--state-dir", dir.resolve("state").toString(),
          "--until-comparisons", "1"));
      for (var step : List.of(new Object[] {step0, 0}, new Object[] {step1, 1})) {
        int rc = VectoryCli.newCommandLine().execute("add", "--bootstrap-servers", bootstrap,
            "--experiment-name", "docker-it", "--embeddings", step[0].toString(), "--step", step[1].toString());
        assertEquals(0, rc, "vectory add " + step[0]);
      }
      assertEquals(0, pipeline.get(4, TimeUnit.MINUTES), "vectory pipeline --until-comparisons 1");
    } finally {
      pool.shutdownNow();
    }

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "docker-it-check");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    int results = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.defaults().comparisons.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (results == 0 && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
        results += records.count();
      }
    }
    assertTrue(results >= 1, "no comparison result on " + Topics.defaults().comparisons.name());
  }

  @Test
  void theOpenSearchImageCarriesTheKnnPlugin() throws Exception {
    String url = "http://" + OPENSEARCH.getHost() + ":" + OPENSEARCH.getMappedPort(9200);
    OpenSearchClient client = OpenSearchClients.open(OpenSearchClients.Settings.of(url, Duration.ofSeconds(30)));
    try {
      List<String> components = client.cat().plugins().valueBody().stream().map(PluginsRecord::component).toList();
      assertTrue(components.contains("opensearch-knn"), "k-NN plugin missing from the image: " + components);
    } finally {
      OpenSearchClients.close(client);
    }
  }

  static Properties versions() {
    Properties p = new Properties();
    try (InputStream in = DockerScenarioIT.class.getResourceAsStream("/vectory-versions.properties")) {
      p.load(in);
    } catch (Exception e) {
      throw new IllegalStateException("vectory-versions.properties (filtered test resource) is missing", e);
    }
    return p;
  }
}
