package io.vectory.app.workflow;

import io.vectory.app.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs `vectory ...` in this JVM against one store, capturing stdout and stderr: the embedded store of a data
 * folder, or the real stack (OpenSearch as the store, `add` publishing to Kafka).
 *
 * @param storeArgs appended to every verb (which store it reads and writes)
 * @param publishArgs appended to `add` too (where it publishes); empty for the embedded default
 */
record Vectory(List<String> storeArgs, List<String> publishArgs) {

  /** The embedded default under a data folder, nothing configured. */
  Vectory(Path dataDir) {
    this(List.of("--data-dir", dataDir.toString()), List.of());
  }

  /** Whether `add` publishes to Kafka (for the pipeline) rather than storing at once. */
  boolean publishes() {
    return !publishArgs.isEmpty();
  }

  /** How `ls` names this store. */
  String storeLabel() {
    return storeArgs.contains("--opensearch") ? "OpenSearch " : "embedded store ";
  }

  /** The command as a user types it, with this store's flags appended to the verb. */
  CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(storeArgs);
    if (args.length > 0 && args[0].equals("add")) all.addAll(publishArgs);
    return CliRun.run(all.toArray(String[]::new));
  }
}
