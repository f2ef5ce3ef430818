package io.vectory.schemas;

/**
 * The schema registry did not answer (connection refused, timed out). Unlike the other
 * {@link SerdeMisconfiguredException}s this one may pass: a consumer neither dead-letters the record nor moves past
 * it, and may wait for the registry and read the same record again.
 */
public final class RegistryUnreachableException extends SerdeMisconfiguredException {
  private final String url;

  public RegistryUnreachableException(String url, String message, Throwable cause) {
    super(message, cause);
    this.url = url;
  }

  /** The registry URL that did not answer (no user-info). */
  public String url() {
    return url;
  }

  /** The exception itself or its first cause of this type, else null. */
  public static RegistryUnreachableException in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RegistryUnreachableException m) return m;
      if (c.getCause() == c) break;
    }
    return null;
  }
}
