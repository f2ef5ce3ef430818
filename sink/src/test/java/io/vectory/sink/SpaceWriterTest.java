package io.vectory.sink;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.avro.SpaceEvent;
import org.junit.jupiter.api.Test;

class SpaceWriterTest {

  /** An envelope without an event is bad input (dead-lettered by the task), not a NullPointerException that kills it. */
  @Test
  void anEmptyEnvelopeIsRejectedWithItsReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SpaceWriter(null).apply(new SpaceEvent()));
    assertTrue(e.getMessage().contains("field event holds a null"), e.getMessage());
  }
}
