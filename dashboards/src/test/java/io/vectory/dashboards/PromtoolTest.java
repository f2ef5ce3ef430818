package io.vectory.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs Prometheus' own promtool (Debian package `prometheus`) on the alerting rules and their unit tests. */
final class PromtoolTest {
  private static String promtool;
  private static Path rulesDir;

  @BeforeAll
  static void findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        promtool = p.toString();
        break;
      }
    }
    Assumptions.assumeTrue(promtool != null,
        "promtool not on PATH (Debian: apt-get install prometheus): Prometheus rule checks skipped");
    rulesDir = DashboardFiles.moduleDir().resolve("prometheus");
  }

  private record Run(int exit, String output) {}

  private static Run promtool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(promtool));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool timed out");
    return new Run(p.exitValue(), out);
  }

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    Run r = promtool(rulesDir, "check", "rules", "vectory-rules.yml");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("SUCCESS: 7 rules found"), r.output());
  }

  @Test
  void ruleUnitTestsPass() throws Exception {
    Run r = promtool(rulesDir, "test", "rules", "vectory-rules.test.yml");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("SUCCESS"), r.output());
  }

  /** The unit tests can fail: expecting the stable experiment to alert too is rejected by promtool. */
  @Test
  void aWrongExpectationFails(@TempDir Path tmp) throws Exception {
    Files.copy(rulesDir.resolve("vectory-rules.yml"), tmp.resolve("vectory-rules.yml"));
    String tests = Files.readString(rulesDir.resolve("vectory-rules.test.yml"));
    String wrong = tests.replace(
        "          - exp_labels: {severity: warning, drift_rule: jaccard_floor, experiment: drifting,",
        "          - exp_labels: {severity: warning, drift_rule: jaccard_floor, experiment: stable, space: head, relation: previous}\n"
            + "          - exp_labels: {severity: warning, drift_rule: jaccard_floor, experiment: drifting,");
    assertNotEquals(tests, wrong);
    Files.writeString(tmp.resolve("vectory-rules.test.yml"), wrong);
    Run r = promtool(tmp, "test", "rules", "vectory-rules.test.yml");
    assertNotEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("VectoryJaccardBelowFloor"), r.output());
  }
}
