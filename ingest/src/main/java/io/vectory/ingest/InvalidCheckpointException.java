package io.vectory.ingest;

/** The checkpoint was refused before anything was sent: the message names the row, id or field and what was expected. */
public final class InvalidCheckpointException extends IllegalArgumentException {
  public InvalidCheckpointException(String message) {
    super(message);
  }
}
