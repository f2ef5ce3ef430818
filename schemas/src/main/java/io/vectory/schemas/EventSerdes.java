package io.vectory.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * How event values are encoded on the wire. The embedded default (no registry) uses Avro
 * single-object encoding with the project's own schemas; with a schema registry, the Confluent wire
 * format (magic 0, 4-byte schema id, Avro binary).
 */
public interface EventSerdes {

  <V extends SpecificRecord> Serde<V> forValue(TopicSpec<V> topic);

  /** Avro single-object encoding; needs no registry. */
  static EventSerdes singleObject() {
    return SingleObjectSerde::new;
  }
}
