package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IndexNamesTest {

  private final IndexNames names = IndexNames.defaults();

  @Test
  void plainNamesAreReadable() {
    assertEquals("vectory-space-fortunes_triplet-head-300", names.space("fortunes_triplet", "head", 300));
    assertEquals("vectory-comparisons", names.comparisons());
    assertEquals("vectory-alerts", names.alerts());
    assertEquals("vectory-index-my-index", names.loaded("my-index"));
  }

  @Test
  void namesThatNeedRewritingGetAHashOfTheExactKey() {
    String upper = names.space("Exp", "head", 1);
    String lower = names.space("exp", "head", 1);
    assertNotEquals(upper, lower);
    assertTrue(upper.matches("vectory-space-exp-head-1-h[0-9a-f]{8}"), upper);
    // a dash inside a part would make experiment/space boundaries ambiguous without the hash
    assertNotEquals(names.space("a-b", "c", 1), names.space("a", "b-c", 1));
    assertNotEquals(names.loaded("my-index"), names.loaded("my_index"));
    assertNotEquals(names.loaded("My-Index"), names.loaded("my-index"));
  }

  @Test
  void everyNameIsAValidOpenSearchIndexName() {
    String[] odd = {"A/B", "x y", "día", "*?\"<>|,#:", "\\", "..", "_x", "-x", "x".repeat(400)};
    for (String s : odd) {
      for (String n : new String[] {names.space(s, s, 7), names.loaded(s)}) {
        assertTrue(n.matches("[a-z0-9][a-z0-9_.-]*"), n);
        assertTrue(n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255, n);
      }
    }
    assertNotEquals(names.space("x".repeat(400), "a", 1), names.space("x".repeat(400), "b", 1));
  }

  @Test
  void prefixIsChecked() {
    assertEquals("it-1-space-e-s-2", new IndexNames("it-1-").space("e", "s", 2));
    assertThrows(IllegalArgumentException.class, () -> new IndexNames("Bad Prefix"));
    assertThrows(IllegalArgumentException.class, () -> new IndexNames("_x"));
  }
}
