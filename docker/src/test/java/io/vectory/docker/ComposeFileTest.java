package io.vectory.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yml cannot run on a machine without Docker, so this test reads it and checks what would break it
 * silently: images that drifted from the versions the build pins, host ports that differ from the local stack's,
 * listeners that do not match their published ports, and mounts of files that do not exist.
 */
final class ComposeFileTest {

  static final Path MODULE = Path.of("").toAbsolutePath();
  static final Path REPO = MODULE.getParent();
  static Properties versions;
  static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    versions = new Properties();
    try (InputStream in = ComposeFileTest.class.getResourceAsStream("/vectory-versions.properties")) {
      assertNotNull(in, "vectory-versions.properties (filtered test resource) is missing");
      versions.load(in);
    }
    versions.forEach((k, v) -> assertTrue(!v.toString().contains("${"), "version " + k + " was not filtered: " + v));
    try (Reader r = Files.newBufferedReader(MODULE.resolve("compose.yml"))) {
      Map<String, Object> doc = new Yaml().load(r);
      services = (Map<String, Map<String, Object>>) doc.get("services");
    }
    assertNotNull(services, "compose.yml has no services");
  }

  @Test
  void hasTheServicesTheProductNeeds() {
    assertEquals(Set.of("kafka", "apicurio", "opensearch", "connect", "grafana", "app"), services.keySet());
  }

  @Test
  void imagesUseTheVersionsPinnedInTheRootPom() {
    assertEquals("apache/kafka:" + v("kafka.version"), image("kafka"));
    assertEquals("apache/kafka:" + v("kafka.version"), image("connect"), "Connect runs from the Kafka image");
    assertEquals("apicurio/apicurio-registry:" + v("apicurio.version"), image("apicurio"));
    assertEquals("opensearchproject/opensearch:" + v("opensearch.version"), image("opensearch"));
    assertEquals("grafana/grafana:" + v("grafana.version"), image("grafana"));
    assertEquals("vectory/vectory:" + v("project.version"), image("app"));
    // The OpenSearch image bundles the k-NN plugin of the same release line (3.6.0 → 3.6.0.0).
    assertTrue(v("opensearch.knn.version").startsWith(v("opensearch.version") + "."),
        "opensearch.knn.version " + v("opensearch.knn.version") + " does not belong to OpenSearch " + v("opensearch.version"));
  }

  @Test
  void publishesTheSameHostPortsAsTheLocalStackOnLoopbackOnly() throws IOException {
    Map<String, String> stackDefaults = stackDefaults();
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("kafka", Integer.parseInt(stackDefaults.get("VECTORY_KAFKA_PORT")));
    expected.put("apicurio", Integer.parseInt(stackDefaults.get("VECTORY_APICURIO_PORT")));
    expected.put("opensearch", Integer.parseInt(stackDefaults.get("VECTORY_OPENSEARCH_PORT")));
    expected.put("connect", Integer.parseInt(stackDefaults.get("VECTORY_CONNECT_PORT")));
    expected.put("grafana", 3000);
    for (var e : expected.entrySet()) {
      List<Port> ports = ports(e.getKey());
      assertEquals(1, ports.size(), e.getKey() + " should publish exactly one port: " + ports);
      assertEquals("127.0.0.1", ports.get(0).hostIp(), e.getKey() + " must bind to loopback only");
      assertEquals(e.getValue(), ports.get(0).host(), e.getKey() + "'s host port differs from bin/stack's default");
    }
    // The app publishes only its Prometheus /metrics, on loopback, where its --metrics-port says.
    List<Port> app = ports("app");
    assertEquals(1, app.size(), "the app publishes only /metrics: " + app);
    assertEquals("127.0.0.1", app.get(0).hostIp(), "the app's /metrics must bind to loopback only");
    assertEquals(Integer.parseInt(option(command("app"), "--metrics-port")), app.get(0).container(),
        "the published container port is the app's --metrics-port");
    assertEquals("0.0.0.0", option(command("app"), "--metrics-host"), "inside its container the app listens on all interfaces");
  }

  @Test
  void kafkaAdvertisesWhatItPublishesAndWhatTheContainersUse() {
    Map<String, String> env = env("kafka");
    Map<String, Integer> listeners = listenerPorts(env.get("KAFKA_LISTENERS"));
    Map<String, String> advertised = listenerAddresses(env.get("KAFKA_ADVERTISED_LISTENERS"));
    Port published = ports("kafka").get(0);
    // The host listener: the published container port is where it listens, and it advertises the host address.
    String hostListener = listeners.entrySet().stream().filter(l -> l.getValue() == published.container())
        .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError(
            "no Kafka listener on the published container port " + published.container() + ": " + listeners));
    assertEquals("127.0.0.1:" + published.host(), advertised.get(hostListener),
        "the listener behind the published port must advertise the host's address");
    // The app and Connect reach the broker by service name on the in-network listener.
    String appBootstrap = option(command("app"), "--bootstrap-servers");
    assertTrue(advertised.containsValue(appBootstrap), "app's " + appBootstrap + " is not an advertised listener: " + advertised);
    String voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS");
    assertEquals("1@kafka:" + listeners.get("CONTROLLER"), voters, "the controller quorum must name the CONTROLLER listener");
    assertEquals("1", env.get("KAFKA_NODE_ID"));
    assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"), "one combined KRaft node");
  }

  @Test
  void appPointsAtServicesAndTheirContainerPorts() {
    List<String> cmd = command("app");
    assertEquals("pipeline", cmd.get(0));
    assertServicePort(option(cmd, "--schema-registry"), "apicurio");
    assertTrue(option(cmd, "--schema-registry").endsWith("/apis/ccompat/v7"), "the Confluent-compatible API path");
    assertServicePort(option(cmd, "--opensearch"), "opensearch");
    String connectScript = String.join(" ", command("connect"));
    assertTrue(connectScript.contains("opensearch.url=http://opensearch:9200"), connectScript);
    assertServicePort("http://opensearch:9200", "opensearch");
  }

  @Test
  void opensearchIsSingleNodeWithoutTheSecurityPlugin() {
    Map<String, String> env = env("opensearch");
    assertEquals("single-node", env.get("discovery.type"));
    assertEquals("true", env.get("DISABLE_SECURITY_PLUGIN"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void grafanaMountsTheDashboardsModuleWhereItsProvisioningLooks() throws IOException {
    Map<String, String> mounts = mounts("grafana");
    assertEquals("/etc/grafana/provisioning", mounts.get("../dashboards/provisioning"));
    String dashboardsTarget = mounts.get("../dashboards/grafana");
    assertNotNull(dashboardsTarget, "grafana must mount ../dashboards/grafana: " + mounts);
    try (Stream<Path> json = Files.list(REPO.resolve("dashboards/grafana"))) {
      assertTrue(json.anyMatch(p -> p.toString().endsWith(".json")), "no dashboard JSON in dashboards/grafana");
    }
    // Every file provider in dashboards/provisioning/dashboards reads from where compose mounts the JSON.
    List<String> providerPaths = new ArrayList<>();
    try (Stream<Path> files = Files.list(REPO.resolve("dashboards/provisioning/dashboards"))) {
      for (Path f : files.filter(p -> p.toString().matches(".*\\.ya?ml")).toList()) {
        try (Reader r = Files.newBufferedReader(f)) {
          Map<String, Object> doc = new Yaml().load(r);
          for (Object p : (List<Object>) doc.get("providers")) {
            providerPaths.add((String) ((Map<String, Object>) ((Map<String, Object>) p).get("options")).get("path"));
          }
        }
      }
    }
    assertTrue(!providerPaths.isEmpty(), "no dashboard provider in dashboards/provisioning/dashboards");
    for (String p : providerPaths) assertEquals(dashboardsTarget, p, "dashboard provider path vs compose mount");
    // Data sources use ${OPENSEARCH_URL}; Grafana has no default for it, so compose must set it.
    assertEquals("http://opensearch:9200", env("grafana").get("OPENSEARCH_URL"));
    assertTrue(env("grafana").getOrDefault("GF_PLUGINS_PREINSTALL_SYNC", "").contains("grafana-opensearch-datasource"),
        "the OpenSearch data source plugin must be installed before provisioning");
  }

  @Test
  @SuppressWarnings("unchecked")
  void mountedFilesExistAndTheDockerfileCopiesTheJarTheAppBuilds() throws IOException {
    for (String svc : List.of("grafana", "connect")) {
      for (String src : mounts(svc).keySet()) {
        if (src.contains("/target/")) continue; // build output: exists after `mvn package`
        assertTrue(Files.exists(MODULE.resolve(src).normalize()), svc + " mounts " + src + ", which does not exist");
      }
    }
    Map<String, Object> build = (Map<String, Object>) services.get("app").get("build");
    assertEquals("..", build.get("context"));
    Path dockerfile = MODULE.resolve("..").resolve((String) build.get("dockerfile")).normalize();
    String text = Files.readString(dockerfile);
    Matcher copy = Pattern.compile("(?m)^COPY\\s+(\\S+)\\s+(\\S+)").matcher(text);
    assertTrue(copy.find(), "Dockerfile has no COPY");
    assertEquals("app/target/vectory.jar", copy.group(1));
    assertTrue(Files.readString(REPO.resolve("app/pom.xml")).contains("<finalName>vectory</finalName>"),
        "app/pom.xml no longer builds target/vectory.jar, which the Dockerfile copies");
    Matcher from = Pattern.compile("(?m)^FROM\\s+eclipse-temurin:(\\d+)").matcher(text);
    assertTrue(from.find(), "Dockerfile should run on an eclipse-temurin JRE");
    assertTrue(Integer.parseInt(from.group(1)) >= 21, "the app needs Java 21 or newer");
  }

  // ------------------------------------------------------------------------------------------------------------

  record Port(String hostIp, int host, int container) {}

  static String v(String key) {
    return versions.getProperty(key);
  }

  static String image(String svc) {
    return (String) services.get(svc).get("image");
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> env(String svc) {
    Map<String, String> out = new LinkedHashMap<>();
    Object env = services.get(svc).get("environment");
    if (env instanceof Map<?, ?> m) m.forEach((k, val) -> out.put(k.toString(), String.valueOf(val)));
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<String> command(String svc) {
    Object c = services.get(svc).get("command");
    assertTrue(c instanceof List<?>, svc + ": command should be a list");
    return ((List<Object>) c).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  static List<Port> ports(String svc) {
    List<Port> out = new ArrayList<>();
    Object ps = services.get(svc).get("ports");
    if (ps == null) return out;
    for (Object p : (List<Object>) ps) {
      String[] parts = p.toString().split(":");
      if (parts.length != 3) fail(svc + ": write ports as \"127.0.0.1:HOST:CONTAINER\", not " + p);
      out.add(new Port(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
    }
    return out;
  }

  /** source → target of each bind mount. */
  @SuppressWarnings("unchecked")
  static Map<String, String> mounts(String svc) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Object m : (List<Object>) services.get(svc).get("volumes")) {
      String[] parts = m.toString().split(":");
      if (parts[0].startsWith(".")) out.put(parts[0], parts[1]);
    }
    return out;
  }

  static String option(List<String> cmd, String name) {
    int i = cmd.indexOf(name);
    assertTrue(i >= 0 && i + 1 < cmd.size(), "command has no " + name + ": " + cmd);
    return cmd.get(i + 1);
  }

  /** NAME://[host]:port,... → NAME → port */
  static Map<String, Integer> listenerPorts(String spec) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String l : spec.split(",")) {
      String[] nameRest = l.split("://");
      out.put(nameRest[0], Integer.parseInt(nameRest[1].substring(nameRest[1].lastIndexOf(':') + 1)));
    }
    return out;
  }

  /** NAME://host:port,... → NAME → host:port */
  static Map<String, String> listenerAddresses(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String l : spec.split(",")) {
      String[] nameRest = l.split("://");
      out.put(nameRest[0], nameRest[1]);
    }
    return out;
  }

  /** The URL names a compose service and a port that service listens on inside the network. */
  static void assertServicePort(String url, String svc) {
    Matcher m = Pattern.compile("^https?://([^:/]+):(\\d+)").matcher(url);
    assertTrue(m.find(), "not a URL with host and port: " + url);
    assertEquals(svc, m.group(1), url);
    int port = Integer.parseInt(m.group(2));
    Set<Integer> containerPorts = new TreeSet<>();
    ports(svc).forEach(p -> containerPorts.add(p.container()));
    assertTrue(containerPorts.contains(port), url + ": " + svc + " listens on " + containerPorts + " inside the network");
  }

  /** The defaults bin/stack uses (VAR:-default), so compose and the local stack answer on the same host ports. */
  static Map<String, String> stackDefaults() throws IOException {
    String script = Files.readString(REPO.resolve("bin/stack"));
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\\$\\{(VECTORY_[A-Z_]+_PORT):-(\\d+)}").matcher(script);
    while (m.find()) out.putIfAbsent(m.group(1), m.group(2));
    assertTrue(out.keySet().containsAll(List.of("VECTORY_KAFKA_PORT", "VECTORY_APICURIO_PORT",
        "VECTORY_OPENSEARCH_PORT", "VECTORY_CONNECT_PORT")), "bin/stack defaults not found: " + out);
    return out;
  }
}
