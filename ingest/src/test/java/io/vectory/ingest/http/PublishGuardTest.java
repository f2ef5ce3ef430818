package io.vectory.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.ingest.SpaceDescription;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishGuardTest {
  private static final List<String> IDS = List.of("a", "b", "c");
  private static final SpaceDescription D = SpaceDescription.of("ds", "m");

  private static String digest(float first) {
    return PublishGuard.digest(IDS, FloatBuffer.wrap(new float[] {first, 2, 3, 4, 5, 6}), D);
  }

  @Test
  void theSameCheckpointAgainIsADuplicateAndOtherDataAConflict() {
    PublishGuard g = new PublishGuard();
    assertEquals(PublishGuard.Decision.PUBLISH, g.check("e", "s", 0, IDS, digest(1)));
    g.published("e", "s", 0, IDS, digest(1));
    assertEquals(PublishGuard.Decision.DUPLICATE, g.check("e", "s", 0, IDS, digest(1)));
    var c = assertThrows(PublishGuard.Conflict.class, () -> g.check("e", "s", 0, IDS, digest(9)));
    assertTrue(c.getMessage().contains("e/s@0 was already published with other data"), c.getMessage());
    assertNotEquals(digest(1), PublishGuard.digest(IDS, FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5, 6}),
        D.withColumns(Map.of("label", List.of("x", "y", "z")))), "metadata is part of the digest");
  }

  @Test
  void earlierStepsAndOtherIdsAreRefusedLaterStepsAndOtherSpacesAreNot() {
    PublishGuard g = new PublishGuard();
    g.published("e", "s", 5, IDS, digest(1));
    var early = assertThrows(PublishGuard.Conflict.class, () -> g.check("e", "s", 3, IDS, digest(2)));
    assertTrue(early.getMessage().contains("step 3 is before step 5"), early.getMessage());
    var ids = assertThrows(PublishGuard.Conflict.class, () -> g.check("e", "s", 6, List.of("a", "b", "z"), digest(2)));
    assertTrue(ids.getMessage().contains("[z] only here, [c] only there"), ids.getMessage());
    assertEquals(PublishGuard.Decision.PUBLISH, g.check("e", "s", 6, List.of("c", "b", "a"), digest(2)));
    assertEquals(PublishGuard.Decision.PUBLISH, g.check("e", "other", 0, List.of("z"), digest(2)));
  }
}
