package io.vectory.streams;

import io.vectory.avro.DeadLetter;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.TopicSpec;
import io.vectory.streams.metrics.VectoryMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record whose bytes are not a SpaceEvent goes to the dead-letter topic as a {@link DeadLetter}
 * carrying its original bytes and why it failed, and processing continues. The dead letter is
 * produced in the task's transaction, so it is written exactly once with the consumed offset.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  private String topic;
  private Serializer<DeadLetter> serializer;
  private VectoryMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(ComparisonTopology.DEAD_LETTER_TOPIC_CONFIG);
    if (t == null) throw new IllegalArgumentException(ComparisonTopology.DEAD_LETTER_TOPIC_CONFIG + " is not set; expected the dead-letter topic name");
    topic = t.toString();
    Object s = configs.get(ComparisonTopology.EVENT_SERDES_CONFIG);
    EventSerdes serdes = s instanceof EventSerdes e ? e : EventSerdes.singleObject();
    serializer = new TopicSpec<>(topic, DeadLetter.class).valueSerde(serdes).serializer();
    metrics = configs.get(ComparisonTopology.METRICS_CONFIG) instanceof VectoryMetrics m ? m : VectoryMetrics.noop();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    io.vectory.schemas.SerdeMisconfiguredException misconfigured = io.vectory.schemas.SerdeMisconfiguredException.in(exception);
    if (io.vectory.schemas.RegistryUnreachableException.in(exception) != null) {
      // It may pass: the pipeline pauses and reads this record again once the registry answers.
      log.warn("cannot read {}/{}@{} while the schema registry is unreachable; not consuming it: {}", record.topic(), record.partition(),
          record.offset(), misconfigured.getMessage());
      return Response.fail();
    }
    if (misconfigured != null) {
      // Not the record's fault: every record after it would fail the same way. Stop before committing past it.
      log.error("cannot read {}/{}@{} because of this instance's settings; stopping without consuming it: {}", record.topic(), record.partition(),
          record.offset(), misconfigured.getMessage());
      return Response.fail();
    }
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    String reason = "value: cannot decode the record at " + record.topic() + "/" + record.partition() + "@" + record.offset()
        + " as a SpaceEvent: " + exception.getMessage();
    log.warn(reason);
    metrics.deadLetter("decode");
    DeadLetter d = DeadLetter.newBuilder()
        .setSourceTopic(record.topic()).setPartition(record.partition()).setOffset(record.offset())
        .setKey(key).setCheckpoint(null).setReason(reason)
        .setPayload(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setFailedAt(Instant.now()).build();
    Long ts = record.timestamp() >= 0 ? record.timestamp() : null; // a record without a timestamp reports -1
    return Response.resume(List.of(new ProducerRecord<>(topic, null, ts, record.key(), serializer.serialize(topic, d))));
  }
}
