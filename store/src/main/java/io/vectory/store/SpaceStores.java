package io.vectory.store;

import io.vectory.sink.IndexNames;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens the store a command should use: OpenSearch when a URL is given, else the embedded store under the
 * data folder. The data folder is, in order: the given path, {@code $VECTORY_HOME/data}, {@code ~/.vectory/data}.
 */
public final class SpaceStores {

  private SpaceStores() {}

  /** @param opensearchUrl null or blank for the embedded store; @param dataDir null for the default folder */
  public static SpaceStore open(String opensearchUrl, Path dataDir) {
    return open(opensearchUrl, IndexNames.defaults(), dataDir);
  }

  /** As above, OpenSearch's indices named with {@code names} (the sink connector's index.prefix). */
  public static SpaceStore open(String opensearchUrl, IndexNames names, Path dataDir) {
    if (opensearchUrl != null && !opensearchUrl.isBlank()) {
      return new OpenSearchSpaceStore(opensearchUrl, names, Duration.ofSeconds(60));
    }
    return new EmbeddedSpaceStore(dataDir != null ? dataDir : defaultDataDir());
  }

  /** {@code $VECTORY_HOME/data}, or {@code ~/.vectory/data}. */
  public static Path defaultDataDir() {
    String home = System.getenv("VECTORY_HOME");
    if (home != null && !home.isBlank()) return Path.of(home).resolve("data");
    return Path.of(System.getProperty("user.home"), ".vectory", "data");
  }
}
