package io.vectory.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class FortunesTest {
  @Test
  void corpusLoadsWithUniqueIdsAndTenLabels() {
    var f = Fortunes.load();
    assertEquals(1307, f.size());
    assertEquals("f0000", f.get(0).id());
    assertEquals(f.size(), new HashSet<>(f.stream().map(Fortunes.Fortune::id).toList()).size());
    assertEquals(10, f.stream().map(Fortunes.Fortune::label).distinct().count());
  }
}
