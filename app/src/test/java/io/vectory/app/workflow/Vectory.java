package io.vectory.app.workflow;

import io.vectory.app.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs `vectory ...` in this JVM against one data folder (the embedded store), capturing stdout and stderr. */
record Vectory(Path dataDir) {

  /** The command as a user types it; {@code --data-dir} is appended to the verb that takes it. */
  CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--data-dir");
    all.add(dataDir.toString());
    return CliRun.run(all.toArray(String[]::new));
  }
}
