package io.vectory.app.store;

import io.vectory.app.DataDirOption;
import io.vectory.sink.IndexNames;
import io.vectory.store.SpaceStore;
import io.vectory.store.SpaceStores;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which store a command reads: the embedded one under the data folder (default), or OpenSearch. */
public final class StoreOptions {

  @Option(names = "--opensearch", paramLabel = "URL",
      description = "Use OpenSearch at URL (e.g. http://127.0.0.1:9200) instead of the embedded store.")
  String opensearch;

  @Option(names = "--index-prefix", paramLabel = "PREFIX", defaultValue = IndexNames.DEFAULT_PREFIX,
      description = "With --opensearch: prefix of every index name, as the sink connector's index.prefix (default: ${DEFAULT-VALUE}).")
  String indexPrefix;

  @Mixin DataDirOption dataDir;

  public SpaceStore open() {
    return SpaceStores.open(opensearch, new IndexNames(indexPrefix), dataDir.given());
  }

  String describe(SpaceStore store) {
    return (opensearch != null && !opensearch.isBlank() ? "OpenSearch " : "embedded store ") + store.location();
  }
}
