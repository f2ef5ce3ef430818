package io.vectory.app.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.CliRun;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vectory pipeline}'s metrics options, without servers: the endpoint is bound before Kafka is contacted. */
final class PipelineCommandTest {
  @TempDir Path tmp;

  @Test
  void helpNamesTheMetricsOptionsAndDefaults() {
    CliRun r = CliRun.run("pipeline", "--help");
    assertEquals(0, r.exit(), r.err());
    String help = r.out().replaceAll("\\s+", " "); // picocli wraps lines
    assertTrue(help.contains("--metrics-port") && help.contains("(default: 9404; 0: off)"), r.out());
    assertTrue(help.contains("--metrics-host") && help.contains("(default: 127.0.0.1, this machine only"), r.out());
  }

  @Test
  void badMetricsPortIsAUsageError() {
    CliRun r = CliRun.run("pipeline", "--metrics-port", "70000", "--state-dir", tmp.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--metrics-port") && r.err().contains("70000"), r.err());
  }

  @Test
  void takenMetricsPortFailsBeforeStartingAndNamesTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      // Port 9 on loopback: nothing listens, and nothing is contacted anyway since the metrics bind fails first.
      CliRun r = CliRun.run("pipeline", "--metrics-port", String.valueOf(port), "--bootstrap-servers", "127.0.0.1:9", "--state-dir", tmp.toString());
      assertEquals(1, r.exit(), r.err());
      assertTrue(r.err().contains("cannot serve metrics on 127.0.0.1:" + port) && r.err().contains("--metrics-port"), r.err());
    }
  }
}
