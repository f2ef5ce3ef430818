package io.vectory.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * URLs given with user-info (a registry or OpenSearch password) are used, never printed: `vectory pipeline`'s banner
 * and its refusal name the servers without their credentials. Nothing listens on the ports, so it refuses at once.
 */
final class SecretsNotPrintedTest {

  @Test
  void thePipelineNamesItsServersWithoutTheirPasswords(@TempDir Path tmp) {
    CliRun r = CliRun.run("pipeline", "--bootstrap-servers", "127.0.0.1:9",
        "--schema-registry", "http://vuser:registry-s3cret@127.0.0.1:1/apis/ccompat/v7",
        "--opensearch", "http://admin:opensearch-s3cret@127.0.0.1:2", "--registry-wait", "0", "--metrics-port", "0", "--state-dir", tmp.toString());
    assertEquals(1, r.exit(), r.toString());
    String all = r.out() + r.err();
    assertTrue(all.contains("http://127.0.0.1:1/apis/ccompat/v7"), "names the registry: " + all);
    assertTrue(all.contains("http://127.0.0.1:2"), "names OpenSearch: " + all);
    assertFalse(all.contains("s3cret") || all.contains("vuser") || all.contains("admin:"), "no credentials in the output: " + all);
  }
}
