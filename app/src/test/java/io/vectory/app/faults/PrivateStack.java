package io.vectory.app.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stack of the fault suite's own, run with the project's {@code bin/stack} on its own folder and ports (19xxx), so
 * its servers can be stopped, killed and restarted without touching the shared stack other tests use. The folder
 * ({@code ~/.vectory/fault-stack}, or {@code $VECTORY_FAULT_STACK_DIR}) keeps the unpacked servers between runs; its
 * data is wiped at the start of each run.
 */
final class PrivateStack {
  static final List<String> SERVICES = List.of("kafka", "apicurio", "opensearch", "connect");

  final Path repo;
  final Path dir;
  final Path out;

  PrivateStack(Path repo, Path dir) {
    this.repo = repo;
    this.dir = dir;
    this.out = dir.resolve("bin-stack.out");
  }

  static PrivateStack create() throws IOException {
    Path repo = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(repo.resolve("bin/stack"))) {
      repo = repo.getParent();
      if (repo == null) throw new IllegalStateException("bin/stack not found above " + Path.of("").toAbsolutePath());
    }
    String d = System.getenv("VECTORY_FAULT_STACK_DIR");
    Path dir = d == null || d.isBlank() ? Path.of(System.getProperty("user.home"), ".vectory", "fault-stack") : Path.of(d);
    Files.createDirectories(dir);
    Path plugin = repo.resolve("sink/target/connect-plugin");
    if (!Files.isDirectory(plugin)) {
      throw new IllegalStateException("no sink connector plugin at " + plugin + ": build it first (mvn -pl sink -am package, or bin/test)");
    }
    return new PrivateStack(repo, dir);
  }

  String bootstrap() {
    return "127.0.0.1:19092";
  }

  String registry() {
    return "http://127.0.0.1:19081/apis/ccompat/v7";
  }

  String opensearch() {
    return "http://127.0.0.1:19200";
  }

  String connect() {
    return "http://127.0.0.1:19083";
  }

  /** Starts every service that is not running and waits until all are healthy (Connect included). */
  void up() throws Exception {
    run(List.of("up", "--timeout", "150"), Duration.ofMinutes(5));
  }

  /** Stops the named services (all when none), cleanly. */
  void down(String... services) throws Exception {
    List<String> args = new ArrayList<>(List.of("down"));
    args.addAll(List.of(services));
    run(args, Duration.ofMinutes(3));
  }

  /** A crash: SIGKILL to the service's process, no clean shutdown; returns once it is gone. */
  void kill9(String service) throws Exception {
    Path pidFile = dir.resolve("run").resolve(service + ".pid");
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(service + " (pid " + pid + ") is not running"));
    p.destroyForcibly();
    p.onExit().get(30, TimeUnit.SECONDS);
  }

  /** Stops whatever an earlier run left, then removes the servers' data (installs stay). */
  void wipe() throws Exception {
    down();
    for (String data : List.of("kafka/data", "apicurio/db", "opensearch/data", "connect/connect.offsets")) {
      Path p = dir.resolve(data);
      if (!Files.exists(p)) continue;
      try (Stream<Path> all = Files.walk(p)) {
        for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
      }
    }
  }

  /** The last lines bin/stack printed, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(out);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  private void run(List<String> args, Duration timeout) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/stack").toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
    Map<String, String> env = pb.environment();
    // Nothing of the shared stack's settings may leak in: every port and folder is this stack's own.
    env.keySet().removeIf(k -> k.startsWith("VECTORY_STACK") || k.startsWith("VECTORY_OPENSEARCH_DIR"));
    env.put("VECTORY_STACK_DIR", dir.toString());
    env.put("VECTORY_KAFKA_PORT", "19092");
    env.put("VECTORY_KAFKA_CONTROLLER_PORT", "19093");
    env.put("VECTORY_APICURIO_PORT", "19081");
    env.put("VECTORY_APICURIO_MANAGEMENT_PORT", "19001");
    env.put("VECTORY_OPENSEARCH_PORT", "19200");
    env.put("VECTORY_OPENSEARCH_TRANSPORT_PORT", "19300");
    env.put("VECTORY_CONNECT_PORT", "19083");
    env.put("VECTORY_CONNECT_PLUGIN_DIR", repo.resolve("sink/target/connect-plugin").toString());
    Files.writeString(out, "$ bin/stack " + String.join(" ", args) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("bin/stack " + args + " did not finish within " + timeout.toSeconds() + " s:\n" + tail());
    }
    if (p.exitValue() != 0) throw new IllegalStateException("bin/stack " + args + " exited " + p.exitValue() + ":\n" + tail());
  }
}
