package io.vectory.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A value that cannot be read because of how this process is configured, not because of the record: a record in
 * the Confluent wire format read without a schema registry, or a schema registry that cannot be reached. A consumer
 * must not dead-letter such a record and move past it (every record after it would be lost the same way); it stops
 * before committing, and says what to configure.
 */
public class SerdeMisconfiguredException extends SerializationException {
  public SerdeMisconfiguredException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The exception itself or its first cause of this type, else null. */
  public static SerdeMisconfiguredException in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SerdeMisconfiguredException m) return m;
      if (c.getCause() == c) break;
    }
    return null;
  }
}
