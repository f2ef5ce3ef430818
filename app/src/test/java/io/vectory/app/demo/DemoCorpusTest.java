package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCorpusTest {

  @Test
  void loadsTheRealCorpus() {
    DemoCorpus c = DemoCorpus.load();
    assertEquals(1307, c.size());
    assertEquals(10, c.labelNames().size());
    assertEquals("f0000", c.ids().getFirst());
    assertEquals(c.size(), c.ids().stream().distinct().count(), "ids are unique");
    assertTrue(c.texts().get(1).startsWith("\"For that matter"), "doubled quotes unescaped: " + c.texts().get(1));
    int[] idx = c.labelIndex();
    for (int i = 0; i < c.size(); i++) assertEquals(c.labels().get(i), c.labelNames().get(idx[i]));
  }

  @Test
  void theHashChangesWithAnyField() {
    DemoCorpus base = DemoCorpus.of(List.of("a", "b"), List.of("x", "y"), List.of("one", "two"));
    assertEquals(64, base.sha256().length());
    assertEquals(base.sha256(), DemoCorpus.of(List.of("a", "b"), List.of("x", "y"), List.of("one", "two")).sha256());
    assertNotEquals(base.sha256(), DemoCorpus.of(List.of("a", "b"), List.of("x", "x"), List.of("one", "two")).sha256());
    assertNotEquals(base.sha256(), DemoCorpus.of(List.of("a", "b"), List.of("x", "y"), List.of("one", "twO")).sha256());
    // Field boundaries count: "ab"+"c" is not "a"+"bc".
    assertNotEquals(DemoCorpus.of(List.of("ab"), List.of("c"), List.of("t")).sha256(),
        DemoCorpus.of(List.of("a"), List.of("bc"), List.of("t")).sha256());
  }
}
