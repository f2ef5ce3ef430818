package io.vectory.sink;

import java.io.IOException;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.transport.TransportException;
import org.opensearch.client.transport.httpclient5.ResponseException;

/**
 * Sorts what the OpenSearch client throws into the store's two kinds of failure: {@link
 * StoreUnavailableException} when the same call may succeed later (no connection, a timeout, 5xx, 429),
 * so the Connect task redelivers; {@link IllegalArgumentException} naming the call and OpenSearch's
 * reason when the request itself is refused (400, 404, a mapping conflict), so it is reported, not retried.
 * Refused credentials (401, 403) are neither: an {@link IllegalStateException} that stops the caller,
 * because neither retrying nor dropping the record helps until the settings are fixed.
 */
public final class OpenSearchCalls {

  private OpenSearchCalls() {}

  /** One client call. */
  @FunctionalInterface
  public interface Call<T> {
    T run() throws IOException;
  }

  /** Runs {@code call}; {@code what} names it in messages ("create index x", "search y"). */
  public static <T> T call(String where, String what, Call<T> call) {
    try {
      return call.run();
    } catch (OpenSearchException e) {
      throw classify(where, what, e.status(), reason(e.error()), e);
    } catch (ResponseException e) {
      throw classify(where, what, e.status(), e.getMessage(), e);
    } catch (TransportException e) {
      int status = e.getCause() instanceof ResponseException r ? r.status() : -1;
      if (status > 0) throw classify(where, what, status, e.getMessage(), e);
      throw new StoreUnavailableException("OpenSearch at " + where + " gave an unreadable answer to " + what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StoreUnavailableException("OpenSearch at " + where + " is unreachable (" + what + "): " + e, e);
    }
  }

  /** Like {@link #call}, but a 404 (no such index) gives {@code missing} instead of an error. */
  public static <T> T callOr404(String where, String what, T missing, Call<T> call) {
    try {
      return call(where, what, call);
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof OpenSearchException os && os.status() == 404) return missing;
      throw e;
    }
  }

  /** Whether the refusal was OpenSearch's {@code type} (e.g. resource_already_exists_exception). */
  public static boolean isType(RuntimeException e, String type) {
    return e.getCause() instanceof OpenSearchException os && os.error() != null && type.equals(os.error().type());
  }

  /** "type: reason (caused by type: reason)", the way OpenSearch explains a refusal. */
  public static String reason(ErrorCause c) {
    if (c == null) return "no reason given";
    String s = c.type() + ": " + c.reason();
    return c.causedBy() == null ? s : s + " (caused by " + c.causedBy().type() + ": " + c.causedBy().reason() + ")";
  }

  private static RuntimeException classify(String where, String what, int status, String reason, Exception e) {
    if (status >= 500 || status == 429) {
      return new StoreUnavailableException("OpenSearch at " + where + " answered " + status + " to " + what + ": " + reason, e);
    }
    if (status == 401 || status == 403) {
      return new IllegalStateException("OpenSearch at " + where + " denied access (HTTP " + status + ") to " + what
          + "; check the user name and password (opensearch.username / opensearch.password, or user:password@ in the URL)", e);
    }
    return new IllegalArgumentException("OpenSearch at " + where + " refused " + what + " (" + status + "): " + reason, e);
  }
}
