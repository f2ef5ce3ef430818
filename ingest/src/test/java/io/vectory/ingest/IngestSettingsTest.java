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

  @Test
  void theIngestTokenComesFromTheFlagThenTheEnvironmentThenTheFileAndIsNoClientSetting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("config.properties");
    java.nio.file.Files.writeString(file, "ingest.token=from-file\ningest.url=http://127.0.0.1:8088\nbootstrap.servers=127.0.0.1:9092\n");
    org.junit.jupiter.api.Assertions.assertEquals("from-flag", IngestSettings.ingestToken("from-flag", Map.of("VECTORY_INGEST_TOKEN", "from-env"), file));
    org.junit.jupiter.api.Assertions.assertEquals("from-env", IngestSettings.ingestToken(null, Map.of("VECTORY_INGEST_TOKEN", "from-env"), file));
    org.junit.jupiter.api.Assertions.assertEquals("from-file", IngestSettings.ingestToken(" ", Map.of(), file));
    org.junit.jupiter.api.Assertions.assertNull(IngestSettings.ingestToken(null, Map.of(), dir.resolve("none.properties")));
    // The producer and serde never see the token (nor the Python client's URL key).
    IngestSettings s = IngestSettings.resolve(null, null, Map.of(), file);
    assertFalse(s.extra().containsKey("ingest.token"), s.extra().toString());
    assertFalse(s.extra().containsKey("ingest.url"), s.extra().toString());
  }
}
