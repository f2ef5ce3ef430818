package io.vectory.app.web;

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

/** `vectory run` fails fast and clearly when it cannot serve (serving itself is AnalyserServerTest's). */
class RunCommandTest {
  @TempDir Path dir;

  int run(StringWriter err, String... args) {
    CommandLine cl = VectoryCli.newCommandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    String[] full = new String[args.length + 1];
    full[0] = "run";
    System.arraycopy(args, 0, full, 1, args.length);
    return cl.execute(full);
  }

  @Test
  void aPortOutOfRangeIsAUsageError() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "--port", "70000", "--data-dir", dir.toString()));
    assertTrue(err.toString().contains("--port 70000: expected 0..65535"), err.toString());
  }

  @Test
  void aTakenPortNamesTheAddressAndTheWayOut() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      StringWriter err = new StringWriter();
      assertEquals(1, run(err, "--port", Integer.toString(taken.getLocalPort()), "--data-dir", dir.toString()));
      assertTrue(err.toString().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), err.toString());
      assertTrue(err.toString().contains("--port 0"), err.toString());
    }
  }
}
