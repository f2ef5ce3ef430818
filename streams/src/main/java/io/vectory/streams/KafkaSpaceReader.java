package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceLocation;
import io.vectory.avro.SpaceRegistered;
import io.vectory.core.space.Space;
import io.vectory.schemas.CheckpointNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@link SpaceReader} on the space-events topic: seeks to the checkpoint's first event and reads (read_committed) up to
 * its completion, keeping that checkpoint's registration and chunks. The last few spaces read are kept, bounded by
 * bytes, since a checkpoint's shards and its comparisons read it several times in a row.
 */
final class KafkaSpaceReader implements SpaceReader, AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final Deserializer<SpaceEvent> events;
  private final long cacheBytes;
  /** Access-ordered: the eldest is the least recently read. */
  private final LinkedHashMap<String, Space> cache = new LinkedHashMap<>(8, 0.75f, true);

  /**
   * @param readerProps a read_committed consumer's settings without a group (bootstrap, security, fetch sizes)
   * @param cacheBytes the vectors kept between reads, at most (at least the last space read is kept)
   */
  KafkaSpaceReader(Properties readerProps, Deserializer<SpaceEvent> events, long cacheBytes) {
    this.consumer = new KafkaConsumer<>(readerProps, new StringDeserializer(), new ByteArrayDeserializer());
    this.events = events;
    this.cacheBytes = cacheBytes;
  }

  @Override
  public Space read(CheckpointKey ck, SpaceLocation loc) {
    String key = CheckpointNames.of(ck) + "@" + loc.getPartition() + "/" + loc.getFirstOffset();
    Space cached = cache.get(key);
    if (cached != null) return cached;
    Space s = fetch(ck, loc);
    cache.put(key, s);
    long bytes = 0;
    for (Space v : cache.values()) bytes += 4L * v.vectors().rows() * v.vectors().cols();
    for (Iterator<Map.Entry<String, Space>> it = cache.entrySet().iterator(); it.hasNext() && bytes > cacheBytes && cache.size() > 1; ) {
      Space eldest = it.next().getValue();
      bytes -= 4L * eldest.vectors().rows() * eldest.vectors().cols();
      it.remove();
    }
    return s;
  }

  private Space fetch(CheckpointKey ck, SpaceLocation loc) {
    TopicPartition tp = new TopicPartition(loc.getTopic(), loc.getPartition());
    consumer.assign(List.of(tp));
    long earliest = consumer.beginningOffsets(List.of(tp)).get(tp);
    if (earliest > loc.getFirstOffset()) {
      throw new IllegalStateException("the events of " + CheckpointNames.of(ck) + " (" + tp + " offsets " + loc.getFirstOffset() + ".."
          + loc.getLastOffset() + ") are no longer in the topic (its earliest offset is " + earliest
          + "): its retention deleted them; the pipeline creates " + loc.getTopic() + " with retention.ms=-1 for this reason");
    }
    consumer.seek(tp, loc.getFirstOffset());
    SpaceRegistered registered = null;
    Map<Integer, EmbeddingChunk> chunks = new LinkedHashMap<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (consumer.position(tp) <= loc.getLastOffset()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("reading " + CheckpointNames.of(ck) + " from " + tp + ": still at offset " + consumer.position(tp)
            + " of " + loc.getLastOffset() + " after 2 minutes");
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        if (r.offset() > loc.getLastOffset() || r.value() == null) continue;
        SpaceEvent event;
        try {
          event = events.deserialize(r.topic(), r.headers(), r.value());
        } catch (SerializationException e) {
          // The app dead-lettered what it could not decode, so no accepted checkpoint holds it; a registry that does not
          // answer is not about the record and stops the read.
          if (io.vectory.schemas.RegistryUnreachableException.in(e) != null) throw e;
          continue;
        }
        switch (event.getEvent()) {
          case SpaceRegistered e when e.getCheckpoint().equals(ck) -> registered = e;
          case EmbeddingChunk c when c.getCheckpoint().equals(ck) -> chunks.put(c.getSequence(), c);
          default -> { }
        }
      }
    }
    consumer.assign(List.of()); // release the fetch buffers of this partition
    return SpaceReader.assemble(ck, registered, new ArrayList<>(chunks.values()));
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
