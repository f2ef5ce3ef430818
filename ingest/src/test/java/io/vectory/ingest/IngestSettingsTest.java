package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestSettingsTest {

  @Test
  void theBannerNeverShowsTheRegistryPassword() {
    IngestSettings s = IngestSettings.resolve("127.0.0.1:9092", "http://alice:hunter2@127.0.0.1:8081/apis/ccompat/v7", Map.of(), java.nio.file.Path.of("/nonexistent/config.properties"));
    String banner = s.describe();
    assertTrue(banner.contains("schema registry http://127.0.0.1:8081/apis/ccompat/v7"), banner);
    assertFalse(banner.contains("hunter2"), banner);
    assertFalse(banner.contains("alice"), banner);
  }
}
