package io.vectory.app;

import io.vectory.store.SpaceStores;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}: the embedded store's folder, one option for every command that opens or starts it. */
public final class DataDirOption {

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Folder of the embedded store (default: $VECTORY_HOME/data, else ~/.vectory/data).")
  Path dataDir;

  /** The folder given, or null when the option was not given. */
  public Path given() {
    return dataDir;
  }

  /** The folder given, else the default one. */
  public Path resolved() {
    return dataDir != null ? dataDir : SpaceStores.defaultDataDir();
  }
}
