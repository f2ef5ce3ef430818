package io.vectory.app.ingest;

import io.vectory.app.KafkaOptions;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.IngestSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How the publishing commands (add, serve-ingest) reach Kafka: where it is, and the producer's transactional id. */
public final class PublishOptions {

  @Mixin KafkaOptions kafka;

  @Option(names = "--transactional-id", description = "Kafka transactional.id (default: a random one).")
  String transactionalId;

  /** The flags, else the environment, else the config file (see {@link KafkaOptions#settings()}). */
  IngestSettings settings() {
    return kafka.settings();
  }

  /** A publisher for {@code settings} (the configured ones, or an embedded broker's) with the transactional id given. */
  CheckpointPublisher.Builder publisher(IngestSettings settings) {
    CheckpointPublisher.Builder b = settings.publisher();
    if (transactionalId != null) b.transactionalId(transactionalId);
    return b;
  }
}
