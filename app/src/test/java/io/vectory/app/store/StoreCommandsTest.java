package io.vectory.app.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class StoreCommandsTest {

  @Test
  void tablesShowControlCharactersOfStoredNamesAsEscapes() {
    String t = StoreCommands.table(List.of(new String[] {"NAME", "ROWS"}, new String[] {"run\u001b[2J", "3"}));
    assertFalse(t.contains("\u001b"), "no raw escape reaches the terminal: " + t);
    assertEquals("  NAME          ROWS\n  run\\u001B[2J  3\n", t);
  }
}
