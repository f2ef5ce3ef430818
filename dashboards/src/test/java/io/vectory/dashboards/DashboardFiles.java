package io.vectory.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The module's files as the tests see them: dashboards, provisioning files, the Grafana schema folder. */
final class DashboardFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private DashboardFiles() {}

  /** The dashboards module directory (surefire/failsafe run with it as the working directory). */
  static Path moduleDir() {
    Path cwd = Path.of("").toAbsolutePath();
    if (Files.isDirectory(cwd.resolve("grafana"))) return cwd;
    if (Files.isDirectory(cwd.resolve("dashboards/grafana"))) return cwd.resolve("dashboards");
    throw new IllegalStateException("dashboards module not found from " + cwd);
  }

  /** Grafana's JSON schemas, read in place beside the repository (not copied into it). */
  static Path grafanaSchemaDir() {
    String p = System.getProperty("vectory.grafana.schema");
    return p != null ? Path.of(p) : moduleDir().resolve("../../shared/grafana-schema").normalize();
  }

  static List<Path> dashboards() {
    return list(moduleDir().resolve("grafana"), ".json");
  }

  static List<Path> alertRuleFiles() {
    return list(moduleDir().resolve("provisioning/alerting"), ".yaml");
  }

  static Path datasourcesFile() {
    return moduleDir().resolve("provisioning/datasources/vectory-opensearch.yaml");
  }

  static JsonNode readJson(Path p) {
    try {
      return JSON.readTree(p.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode readYaml(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return JSON.valueToTree(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir, String suffix) {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> out = new ArrayList<>(s.filter(f -> f.toString().endsWith(suffix)).sorted().toList());
      if (out.isEmpty()) throw new IllegalStateException("no " + suffix + " files in " + dir);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
