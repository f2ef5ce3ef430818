package io.vectory.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.util.Properties;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {
  static PipelineConfig parse(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
    return PipelineConfig.fromProperties(p, Topics.defaults(), EventSerdes.singleObject());
  }

  @Test
  void perExperimentRulesInheritTheGivenDefaults() {
    PipelineConfig c = parse("drift.floor", "0.2", "drift.window", "7", "drift.drop.run.v2", "0.4", "drift.min.history.run.v2", "3",
        "compare.k", "15", "label.column", "category", "checkpoint.timeout.ms", "5000", "checkpoint.timeout.clock", "stream");
    assertEquals(new DriftThresholds(0.2, 0.25, 7, 2), c.drift("other"));
    assertEquals(new DriftThresholds(0.2, 0.4, 7, 3), c.drift("run.v2"), "experiment names may contain dots");
    assertEquals(15, c.k());
    assertEquals("category", c.labelColumn());
    assertEquals(5000, c.checkpointTimeout().toMillis());
    assertEquals(PunctuationType.STREAM_TIME, c.timeoutClock());
  }

  @Test
  void aBadValueNamesItsKeyAndWhatWasExpected() {
    var e = assertThrows(IllegalArgumentException.class, () -> parse("drift.floor.x", "high"));
    assertEquals("drift.floor.x: expected a number, got 'high'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> parse("checkpoint.timeout.clock", "sundial"));
    assertTrue(e.getMessage().startsWith("checkpoint.timeout.clock: expected wall or stream"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> parse("drift.window", "3", "drift.min.history", "4"));
    assertTrue(e.getMessage().contains("drift.min.history must be in [1, drift.window=3]"), e.getMessage());
  }
}
