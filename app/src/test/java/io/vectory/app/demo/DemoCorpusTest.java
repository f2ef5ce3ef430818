package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
    assertEquals(64, c.sha256().length());
  }

  @Test
  void parsesQuotedFieldsWithCommasQuotesAndNewlines() {
    DemoCorpus c = DemoCorpus.parse(
        "id,label,text\r\na,x,\"one, \"\"two\"\"\nthree\"\r\nb,y,plain\n".getBytes(StandardCharsets.UTF_8), "t.csv");
    assertEquals(List.of("a", "b"), c.ids());
    assertEquals("one, \"two\"\nthree", c.texts().get(0));
    assertEquals("plain", c.texts().get(1));
  }

  @Test
  void badInputNamesTheSourceAndRecord() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> DemoCorpus.parse("id,label,text\na,x\n".getBytes(StandardCharsets.UTF_8), "t.csv"));
    assertTrue(e.getMessage().contains("t.csv") && e.getMessage().contains("record 1") && e.getMessage().contains("2 fields"), e.getMessage());
    var h = assertThrows(IllegalArgumentException.class,
        () -> DemoCorpus.parse("a,b\n".getBytes(StandardCharsets.UTF_8), "t.csv"));
    assertTrue(h.getMessage().contains("expected header id,label,text"), h.getMessage());
    var q = assertThrows(IllegalArgumentException.class,
        () -> DemoCorpus.parse("id,label,text\na,x,\"open\n".getBytes(StandardCharsets.UTF_8), "t.csv"));
    assertTrue(q.getMessage().contains("unterminated"), q.getMessage());
  }
}
