package io.vectory.core.npy;

import java.io.IOException;

/** A file that is not the NumPy array we expected; the message names the file and what was expected. */
public final class NpyFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(String message) {
    super(message);
  }

  public NpyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
