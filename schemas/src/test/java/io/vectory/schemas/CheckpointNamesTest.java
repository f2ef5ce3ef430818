package io.vectory.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CheckpointNamesTest {

  @Test
  void acceptsNamesUsersWrite() {
    for (String ok : new String[] {"triplet_loss_v1.0", "fortunes-demo-2", "digits triplet", "résumé-试验", "O'Brien", "a"}) {
      assertEquals(ok, CheckpointNames.requireValid("experiment", ok));
    }
  }

  @Test
  void parsesWhatOfSpells() {
    io.vectory.avro.CheckpointKey k = CheckpointNames.parse(CheckpointNames.of("digits triplet.run-2", "head", 12));
    assertEquals("digits triplet.run-2", k.getExperiment());
    assertEquals("head", k.getSpace());
    assertEquals(12L, k.getStep());
    for (String bad : new String[] {"exp/space", "exp@3", "/s@1", "e/@1", "e/s@", "e/s@x", "e/s/t@1", "e/s@1@2", null}) {
      assertEquals(null, CheckpointNames.parse(bad), String.valueOf(bad));
    }
  }

  @Test
  void refusesHostileNamesSayingWhy() {
    assertMessage("experiment name is empty", "");
    assertMessage("non-printable character U+0000 at position 1", "a\u0000b");
    assertMessage("non-printable character U+000A at position 3", "run\nx");
    assertMessage("non-printable character U+001B at position 0", "\u001b[31mred");
    assertMessage("non-printable character U+202E", "abc\u202Eexe");
    assertMessage("holds '/'", "..%2F../x/y");
    assertMessage("holds '@'", "exp@3");
    assertMessage("starts or ends with white space", " padded");
    assertMessage("is not allowed", "..");
    assertMessage("60000 characters long; at most 200", "x".repeat(60_000));
  }

  @Test
  void printableShowsControlCharactersAsEscapes() {
    assertEquals("a\\u001B[31mb\\u0000", CheckpointNames.printable("a\u001b[31mb\u0000"));
  }

  private static void assertMessage(String expected, String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointNames.requireValid("experiment", name));
    assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should contain '" + expected + "'");
    assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), "the message itself is printable: " + e.getMessage());
  }
}
