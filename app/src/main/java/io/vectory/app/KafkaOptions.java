package io.vectory.app;

import io.vectory.ingest.IngestSettings;
import picocli.CommandLine.Option;

/** Where the Kafka-facing commands connect: the picocli options and their resolution into {@link IngestSettings}. */
public final class KafkaOptions {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Kafka (default: $VECTORY_BOOTSTRAP_SERVERS, bootstrap.servers in ~/.vectory/config.properties, or 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(names = "--schema-registry", paramLabel = "URL",
      description = "Confluent-API schema registry URL (default: $VECTORY_SCHEMA_REGISTRY or schema.registry.url in the config file; none: Avro single-object encoding).")
  String schemaRegistry;

  /** The flags, else the environment, else the config file; throws IllegalArgumentException when that file cannot be read. */
  public IngestSettings settings() {
    return IngestSettings.resolve(bootstrapServers, schemaRegistry);
  }
}
