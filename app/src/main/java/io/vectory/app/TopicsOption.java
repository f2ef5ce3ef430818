package io.vectory.app;

import io.vectory.schemas.Topics;
import picocli.CommandLine.Option;

/** {@code --topic-prefix}: the pipeline and serve-ingest must name the topics alike, so they read one option. */
public final class TopicsOption {

  @Option(names = "--topic-prefix", defaultValue = "",
      description = "Prefix of every topic name, the same for `vectory pipeline` and `vectory serve-ingest` (default: none).")
  String topicPrefix;

  public Topics topics() {
    return Topics.withPrefix(topicPrefix);
  }
}
