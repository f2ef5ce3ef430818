package io.vectory.app.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code vectory pipeline} as its own process (this test's classpath), so a test can SIGKILL it and read its exit code. */
final class PipelineChild implements AutoCloseable {
  final Process process;
  final Path log;

  private PipelineChild(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static PipelineChild start(Path log, Path tmp, List<String> args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), "io.vectory.app.VectoryCli", "pipeline"));
    cmd.addAll(args);
    Files.createDirectories(tmp);
    return new PipelineChild(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
  }

  /** Waits until its output holds {@code text}; fails with the output when it exits or the time runs out first. */
  void await(String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!log().contains(text)) {
      if (!process.isAlive()) throw new AssertionError("vectory pipeline exited " + process.exitValue() + " before printing '" + text + "':\n" + log());
      if (System.nanoTime() > deadline) throw new AssertionError("vectory pipeline did not print '" + text + "' within " + timeout.toSeconds() + " s:\n" + log());
      Thread.sleep(100);
    }
  }

  PipelineChild awaitRunning() throws Exception {
    await("vectory pipeline: running", Duration.ofMinutes(2));
    return this;
  }

  /** Its exit code; fails when it still runs after {@code timeout}. */
  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("vectory pipeline still running after " + timeout.toSeconds() + " s:\n" + log());
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  /** SIGKILL: no shutdown hook, no commit, no clean close. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the shutdown hook closes Streams cleanly. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
