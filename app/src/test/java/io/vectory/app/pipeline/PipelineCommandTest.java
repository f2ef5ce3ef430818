package io.vectory.app.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.VectoryCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vectory pipeline}'s metrics options, without servers: the endpoint is bound before Kafka is contacted. */
final class PipelineCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = VectoryCli.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void helpNamesTheMetricsOptionsAndDefaults() {
    Run r = run("pipeline", "--help");
    assertEquals(0, r.code(), r.err());
    String help = r.out().replaceAll("\\s+", " "); // picocli wraps lines
    assertTrue(help.contains("--metrics-port") && help.contains("(default: 9404; 0: off)"), r.out());
    assertTrue(help.contains("--metrics-host") && help.contains("(default: 127.0.0.1, this machine only"), r.out());
  }

  @Test
  void badMetricsPortIsAUsageError() {
    Run r = run("pipeline", "--metrics-port", "70000", "--state-dir", tmp.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--metrics-port") && r.err().contains("70000"), r.err());
  }

  @Test
  void takenMetricsPortFailsBeforeStartingAndNamesTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      // Port 9 on loopback: nothing listens, and nothing is contacted anyway since the metrics bind fails first.
      Run r = run("pipeline", "--metrics-port", String.valueOf(port), "--bootstrap-servers", "127.0.0.1:9", "--state-dir", tmp.toString());
      assertEquals(1, r.code(), r.err());
      assertTrue(r.err().contains("cannot serve metrics on 127.0.0.1:" + port) && r.err().contains("--metrics-port"), r.err());
    }
  }
}
