package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The Connect plugin directory that {@code mvn package} builds (target/connect-plugin, the worker's plugin.path)
 * carries the connector and its write-side dependencies only: no Lucene (the embedded store is the store module's)
 * and no demo data (the corpus is the datasets module's). An IT because the directory exists only after package.
 */
class ConnectPluginIT {
  private static final Path PLUGIN = Path.of("target", "connect-plugin");

  private static List<Path> jars() throws IOException {
    assertTrue(Files.isDirectory(PLUGIN), PLUGIN.toAbsolutePath() + " is missing; it is built by `mvn package` of the sink module");
    try (Stream<Path> s = Files.list(PLUGIN)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    }
  }

  @Test
  void holdsTheConnectorWithItsServiceEntry() throws IOException {
    List<Path> connector = jars().stream().filter(p -> p.getFileName().toString().startsWith("vectory-sink-")).toList();
    assertEquals(1, connector.size(), "one connector jar in " + jars());
    try (ZipFile z = new ZipFile(connector.get(0).toFile())) {
      assertTrue(z.getEntry("META-INF/services/org.apache.kafka.connect.sink.SinkConnector") != null,
          connector.get(0) + " has no SinkConnector service entry; plugin.discovery=service_load would not find it");
    }
  }

  @Test
  void carriesNoLuceneAndNoDemoData() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path jar : jars()) {
      String name = jar.getFileName().toString();
      if (name.startsWith("lucene-") || name.startsWith("vectory-store-") || name.startsWith("vectory-datasets-")) found.add(name);
      try (ZipFile z = new ZipFile(jar.toFile())) {
        z.stream().map(e -> e.getName())
            .filter(e -> e.startsWith("org/apache/lucene/") || e.endsWith("fortunes.csv") || e.startsWith("io/vectory/datasets/"))
            .findFirst().ifPresent(e -> found.add(name + "!" + e));
      }
    }
    assertTrue(jars().size() > 1, "expected the connector and its dependencies, got " + jars());
    assertEquals(List.of(), found, "the Connect plugin must carry neither Lucene nor demo data");
  }
}
