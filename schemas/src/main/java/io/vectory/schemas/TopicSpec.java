package io.vectory.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One topic: its name, and the types of its keys and values. Every key is the experiment name, so
 * all events of one experiment stay on one partition and are processed in order.
 */
public record TopicSpec<V extends SpecificRecord>(String name, Class<V> valueType) {

  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /** The value serde for this topic under the given encoding (registry or single-object). */
  public Serde<V> valueSerde(EventSerdes serdes) {
    return serdes.forValue(this);
  }
}
