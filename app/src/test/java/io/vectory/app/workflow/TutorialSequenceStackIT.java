package io.vectory.app.workflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.StackCleanUp;
import io.vectory.schemas.Topics;
import io.vectory.sink.IndexInfo;
import io.vectory.sink.IndexNames;
import io.vectory.sink.OpenSearchClients;
import io.vectory.sink.SinkConfig;
import io.vectory.sink.StoreUnavailableException;
import io.vectory.sink.TestConnect;
import io.vectory.store.OpenSearchSpaceStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vectory's tutorial ({@link TutorialSequence}, the same commands and assertions as on the embedded default) against
 * the real stack: `add` publishes to Kafka (registry wire format); `vectory pipeline`, started here as its own
 * process, assembles and validates each checkpoint; this build's sink connector, in a Connect worker of this test's
 * own, indexes it into OpenSearch; `ls`, `embeddings load`, both compares (the second reading the k-NN lists kept in
 * OpenSearch), `--histogram` and the deletes then run with OpenSearch as the store. Topics, indices, the consumer
 * groups and the registry's subjects carry a prefix of this run, and are deleted at the end.
 */
class TutorialSequenceStackIT {

  static final String BOOTSTRAP = env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  static final String REGISTRY = env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
  static final String OPENSEARCH = env("VECTORY_OPENSEARCH", "http://127.0.0.1:9200");

  @TempDir Path dir;

  final String run = "tut-" + UUID.randomUUID().toString().substring(0, 8);
  final String topicPrefix = run + ".";
  final IndexNames names = new IndexNames(run + "-");
  final Topics topics = Topics.withPrefix(topicPrefix);

  static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  @Test
  void theTutorialRunsAsWrittenAgainstTheStack() throws Exception {
    Process pipeline = null;
    Connect<StandaloneHerder> connect = null;
    Exit.setExitProcedure((status, message) -> {
      throw new IllegalStateException("Connect tried to exit with " + status + ": " + message);
    });
    try {
      pipeline = startPipeline();
      connect = startConnect();
      Vectory v = new Vectory(List.of("--opensearch", OPENSEARCH, "--index-prefix", names.prefix()),
          List.of("--bootstrap-servers", BOOTSTRAP, "--schema-registry", REGISTRY, "--topic-prefix", topicPrefix));
      Process p = pipeline;
      TutorialSequence.run(v, dir, checkpoints -> awaitIndexed(checkpoints, p));
    } finally {
      if (pipeline != null) {
        pipeline.destroy(); // SIGTERM: the pipeline's shutdown hook closes Streams cleanly
        if (!pipeline.waitFor(60, TimeUnit.SECONDS)) pipeline.destroyForcibly();
      }
      if (connect != null) {
        connect.stop();
        connect.awaitStop();
      }
      Exit.resetExitProcedure();
      cleanUp();
    }
  }

  /** `vectory pipeline` as its own process (this test's classpath), on this run's topics; returns once it runs. */
  Process startPipeline() throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path log = dir.resolve("pipeline.log");
    Process p = new ProcessBuilder(java, "-Xmx1g", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"), "io.vectory.app.VectoryCli", "pipeline",
        "--bootstrap-servers", BOOTSTRAP, "--schema-registry", REGISTRY, "--opensearch", OPENSEARCH, "--topic-prefix", topicPrefix,
        "--application-id", topicPrefix + "app", "--state-dir", dir.resolve("state").toString(), "--partitions", "1", "--metrics-port", "0")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!Files.readString(log).contains("vectory pipeline: running")) {
      assertTrue(p.isAlive(), () -> "vectory pipeline exited " + p.exitValue() + ": " + read(log));
      assertTrue(System.nanoTime() < deadline, () -> "vectory pipeline not running after 2 min: " + read(log));
      Thread.sleep(200);
    }
    return p;
  }

  /** This build's sink connector in an in-process worker, reading this run's topics (read_committed, registry encoding) into this run's indices. */
  Connect<StandaloneHerder> startConnect() throws Exception {
    Map<String, String> cfg = TestConnect.connector(run + "-sink", topics, OPENSEARCH, names);
    cfg.put(SinkConfig.SCHEMA_REGISTRY_URL, REGISTRY);
    cfg.put("consumer.override.isolation.level", "read_committed");
    return TestConnect.start(BOOTSTRAP, dir.resolve("connect.offsets"), cfg);
  }

  /** The published checkpoints, through the pipeline and the sink, complete in OpenSearch. */
  void awaitIndexed(List<String> checkpoints, Process pipeline) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    try (OpenSearchSpaceStore store = new OpenSearchSpaceStore(OPENSEARCH, names, Duration.ofSeconds(30))) {
      List<String> waiting = new ArrayList<>(checkpoints);
      while (!waiting.isEmpty()) {
        try {
          waiting.removeIf(cp -> store.find(cp).map(IndexInfo::complete).orElse(false));
        } catch (StoreUnavailableException e) {
          // OpenSearch busy for a moment: ask again
        }
        if (waiting.isEmpty()) break;
        assertTrue(pipeline.isAlive(), () -> "vectory pipeline exited: " + read(dir.resolve("pipeline.log")));
        assertTrue(System.nanoTime() < deadline, () -> "not indexed in OpenSearch within 3 min: " + waiting + "; pipeline: " + read(dir.resolve("pipeline.log")));
        Thread.sleep(500);
      }
    }
  }

  static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (Exception e) {
      return "(" + e + ")";
    }
  }

  void cleanUp() {
    List<String> problems = new ArrayList<>();
    var os = OpenSearchClients.open(OpenSearchClients.Settings.of(OPENSEARCH, Duration.ofSeconds(30)));
    try {
      os.indices().delete(d -> d.index(names.prefix() + "*"));
    } catch (Exception e) {
      problems.add("delete indices " + names.prefix() + "*: " + e);
    } finally {
      OpenSearchClients.close(os);
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", BOOTSTRAP);
    try (Admin admin = Admin.create(p)) {
      // The Streams app's members stay until their session times out: retry up to a minute.
      StackCleanUp.deleteGroups(admin, List.of(topicPrefix + "app", "connect-" + run + "-sink"), 120, problems);
      List<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(n -> n.startsWith(topicPrefix)).toList();
      admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      problems.add("delete topics: " + e);
    }
    HttpClient http = HttpClient.newHttpClient();
    try {
      String subjects = http.send(HttpRequest.newBuilder(URI.create(REGISTRY + "/subjects")).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String s : subjects.replaceAll("[\\[\\]\"]", "").split(",")) {
        if (s.startsWith(topicPrefix)) {
          http.send(HttpRequest.newBuilder(URI.create(REGISTRY + "/subjects/" + URLEncoder.encode(s, StandardCharsets.UTF_8))).DELETE().build(),
              HttpResponse.BodyHandlers.discarding());
        }
      }
    } catch (Exception e) {
      problems.add("delete subjects: " + e);
    }
    if (!problems.isEmpty()) System.err.println("[TutorialSequenceStackIT] clean-up problems: " + problems);
  }
}
