package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad checkpoints are refused before anything is sent (no broker listens at the address used). */
class CheckpointValidationTest {

  private final CheckpointPublisher publisher = CheckpointPublisher.builder("127.0.0.1:1").build();
  private final SpaceDescription d = SpaceDescription.of("ds", "m");

  private String refused(List<String> ids, float[][] v) {
    return assertThrows(InvalidCheckpointException.class, () -> publisher.publish("exp", "head", 3, ids, v, d)).getMessage();
  }

  @Test
  void hostileNamesAreRefusedBeforeAnythingIsSent() {
    float[][] v = {{1, 2}, {3, 4}};
    String m = assertThrows(InvalidCheckpointException.class, () -> publisher.publish("run\u001b[2J", "head", 3, List.of("a", "b"), v, d)).getMessage();
    assertTrue(m.contains("experiment name 'run\\u001B[2J' holds the non-printable character U+001B"), m);
    m = assertThrows(InvalidCheckpointException.class, () -> publisher.publish("..%2F", "he/ad", 3, List.of("a", "b"), v, d)).getMessage();
    assertTrue(m.contains("space name 'he/ad' holds '/'"), m);
    m = assertThrows(InvalidCheckpointException.class, () -> publisher.publish("x".repeat(60_000), "head", 3, List.of("a", "b"), v, d)).getMessage();
    assertTrue(m.contains("60000 characters long; at most 200"), m);
  }

  @Test
  void limitsTheStoresEnforceAreCheckedAtPublishTime() {
    String m = refused(List.of("a"), new float[][] {new float[100_000]});
    assertTrue(m.contains("dimension 100000 is above the limit of 4096"), m);
    m = refused(List.of("a"), new float[][] {{1, 2}});
    assertTrue(m.contains("1 row: a space needs at least 2 points"), m);
    m = refused(List.of("a", "b"), new float[][] {{1, 2}, {0, 0}});
    assertTrue(m.contains("row 1 (id 'b') is the zero vector, which has no direction under the cosine metric"), m);
  }

  @Test
  void wrongDimensionNamesTheRow() {
    float[][] v = {{1, 2, 3}, {4, 5, 6}, {7, 8}};
    String m = refused(List.of("a", "b", "c"), v);
    assertTrue(m.contains("exp/head@3: row 2 (id 'c') has dimension 2, expected 3"), m);
  }

  @Test
  void nanNamesRowIdAndComponent() {
    float[][] v = {{1, 2}, {3, Float.NaN}};
    String m = refused(List.of("a", "b"), v);
    assertTrue(m.contains("row 1 (id 'b') component 1 is NaN"), m);
  }

  @Test
  void infinityIsRefusedToo() {
    float[][] v = {{Float.NEGATIVE_INFINITY, 2}, {3, 4}};
    String m = refused(List.of("a", "b"), v);
    assertTrue(m.contains("row 0 (id 'a') component 0 is -Infinity"), m);
  }

  @Test
  void duplicateIdNamesBothRows() {
    String m = refused(List.of("a", "b", "a"), new float[][] {{1}, {2}, {3}});
    assertTrue(m.contains("duplicate id 'a' at rows 0 and 2"), m);
  }

  @Test
  void missingIdNamesTheRow() {
    String m = refused(Arrays.asList("a", null), new float[][] {{1}, {2}});
    assertTrue(m.contains("id of row 1 is missing"), m);
  }

  @Test
  void idCountMustMatchRows() {
    String m = refused(List.of("a"), new float[][] {{1}, {2}});
    assertTrue(m.contains("1 ids for 2 vectors"), m);
  }

  @Test
  void bufferNotAMultipleOfTheDimension() {
    String m = assertThrows(InvalidCheckpointException.class, () -> publisher.publish("exp", "head", 1, List.of("a", "b"),
        FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5}), 2, d, PublishProgress.NONE)).getMessage();
    assertTrue(m.contains("5 floats, not a multiple of dimension 2"), m);
  }

  @Test
  void metadataColumnOfTheWrongLength() {
    SpaceDescription withCol = d.withColumns(Map.of("label", List.of("x")));
    String m = assertThrows(InvalidCheckpointException.class,
        () -> publisher.publish("exp", "head", 1, List.of("a", "b"), new float[][] {{1}, {2}}, withCol)).getMessage();
    assertTrue(m.contains("metadata column 'label' has 1 values for 2 rows"), m);
  }
}
