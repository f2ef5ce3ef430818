package io.vectory.ingest.http;

import io.vectory.avro.CheckpointCompleted;
import io.vectory.avro.CheckpointKey;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.SpaceEvent;
import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The pipeline's verdict on each checkpoint, read from its output topics from the moment this server starts
 * (read_committed): accepted when the checkpoint's CheckpointCompleted reaches {@code indexed-spaces} — the pipeline
 * re-emits it once each of its comparisons is published or dead-lettered, so they are all committed by then —, rejected
 * when a dead letter names it and {@code indexed-spaces}, read to its end as of that dead letter, holds no completion
 * of it (a failed comparison of an accepted checkpoint is dead-lettered in the completion's transaction).
 * Clients wait on it ({@code GET .../verdict}) instead of taking "published" for "accepted".
 */
final class Verdicts implements AutoCloseable {

  /** What the pipeline said about one checkpoint so far. */
  record Verdict(String status, List<ComparisonResult> comparisons, List<String> reasons) {}

  private static final int KEPT = 10_000;

  private static final class State {
    boolean accepted;
    Map<TopicPartition, Long> until; // after acceptance: read the result topics up to here, then it is final
    Map<TopicPartition, Long> rejectUntil; // after a dead letter: read indexed-spaces up to here; no acceptance, rejected
    boolean done;
    final List<ComparisonResult> comparisons = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final Deserializer<ComparisonResult> comparisons;
  private final Deserializer<DeadLetter> deadLetters;
  private final Deserializer<SpaceEvent> indexed;
  private final Map<String, State> states = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, State> e) {
      return size() > KEPT;
    }
  };
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final Thread thread;
  private volatile boolean closing;

  Verdicts(String bootstrapServers, Map<String, Object> clientConfig, EventSerdes serdes, Topics topics) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    this.topics = topics;
    this.comparisons = topics.comparisons.valueSerde(serdes).deserializer();
    this.deadLetters = topics.deadLetters.valueSerde(serdes).deserializer();
    this.indexed = topics.indexedSpaces.valueSerde(serdes).deserializer();
    this.thread = new Thread(this::loop, "vectory-ingest-verdicts");
    this.thread.setDaemon(true);
  }

  /** Starts reading at the topics' current ends; returns once positioned, so every later verdict is seen. */
  Verdicts start() {
    refreshAssignment(true);
    thread.start();
    return this;
  }

  /** Waits up to {@code timeout} for a final verdict; "pending" when none came. */
  Verdict await(String checkpoint, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        State s = states.get(checkpoint);
        if (s != null && s.done) {
          return new Verdict(s.accepted ? "accepted" : "rejected", List.copyOf(s.comparisons), List.copyOf(s.reasons));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return new Verdict("pending", s == null ? List.of() : List.copyOf(s.comparisons), s == null ? List.of() : List.copyOf(s.reasons));
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  private void refreshAssignment(boolean atEnd) {
    Map<String, List<PartitionInfo>> all = consumer.listTopics(Duration.ofSeconds(30));
    Set<TopicPartition> now = new HashSet<>(assigned);
    List<TopicPartition> added = new ArrayList<>();
    for (String t : List.of(topics.comparisons.name(), topics.deadLetters.name(), topics.indexedSpaces.name())) {
      for (PartitionInfo p : all.getOrDefault(t, List.of())) {
        TopicPartition tp = new TopicPartition(t, p.partition());
        if (now.add(tp)) added.add(tp);
      }
    }
    if (added.isEmpty()) return;
    consumer.assign(now);
    // Partitions there at start: from their end. Ones that appear later (the pipeline created them): from the start.
    if (atEnd) consumer.seekToEnd(added);
    else consumer.seekToBeginning(added);
    for (TopicPartition tp : added) consumer.position(tp);
    assigned.addAll(added);
  }

  private void loop() {
    long nextRefresh = System.nanoTime();
    try {
      while (!closing) {
        if (System.nanoTime() >= nextRefresh) {
          refreshAssignment(false);
          nextRefresh = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        }
        if (assigned.isEmpty()) {
          Thread.sleep(200);
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            read(r);
          } catch (RuntimeException e) {
            System.err.println("vectory serve-ingest: cannot read " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
          }
        }
        settle();
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void read(ConsumerRecord<String, byte[]> r) {
    String t = r.topic();
    if (t.equals(topics.indexedSpaces.name())) {
      SpaceEvent e = indexed.deserialize(t, r.value());
      if (e.getEvent() instanceof CheckpointCompleted done) {
        synchronized (this) {
          State s = states.computeIfAbsent(CheckpointNames.of(done.getCheckpoint()), k -> new State());
          if (!s.done) {
            s.accepted = true;
            s.until = new HashMap<>();
            for (TopicPartition tp : assigned) if (!tp.topic().equals(t)) s.until.put(tp, null);
          }
        }
      }
    } else if (t.equals(topics.comparisons.name())) {
      ComparisonResult c = comparisons.deserialize(t, r.value());
      synchronized (this) {
        states.computeIfAbsent(CheckpointNames.of(c.getA()), k -> new State()).comparisons.add(c);
      }
    } else {
      DeadLetter d = deadLetters.deserialize(t, r.value());
      if (d.getCheckpoint() == null) return;
      synchronized (this) {
        State s = states.computeIfAbsent(d.getCheckpoint(), k -> new State());
        s.reasons.add(d.getReason());
        if (!s.accepted && s.rejectUntil == null) {
          s.rejectUntil = new HashMap<>();
          for (TopicPartition tp : assigned) if (tp.topic().equals(topics.indexedSpaces.name())) s.rejectUntil.put(tp, null);
        }
      }
    }
  }

  /**
   * An accepted checkpoint is final once the result topics are read up to their ends as of its acceptance; one named
   * by a dead letter is rejected once indexed-spaces is read up to its end as of that, with no acceptance.
   */
  private void settle() {
    List<State> open = new ArrayList<>();
    synchronized (this) {
      for (State s : states.values()) if ((s.accepted || s.rejectUntil != null) && !s.done) open.add(s);
    }
    if (open.isEmpty()) return;
    for (State s : open) {
      Map<TopicPartition, Long> until = s.accepted ? s.until : s.rejectUntil;
      if (until.containsValue(null)) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(until.keySet());
        until.replaceAll((tp, v) -> v != null ? v : ends.getOrDefault(tp, 0L));
      }
    }
    boolean changed = false;
    for (State s : open) {
      boolean caughtUp = true;
      for (Map.Entry<TopicPartition, Long> e : (s.accepted ? s.until : s.rejectUntil).entrySet()) {
        if (consumer.position(e.getKey()) < e.getValue()) caughtUp = false;
      }
      if (caughtUp) {
        synchronized (this) {
          s.done = true;
        }
        changed = true;
      }
    }
    if (changed) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** A comparison as JSON-ready values, with the record's own field names. */
  static Map<String, Object> json(ComparisonResult c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", c.getDataset());
    m.put("model", c.getModel());
    m.put("a", key(c.getA()));
    m.put("b", key(c.getB()));
    m.put("relation", c.getRelation().name());
    m.put("k", c.getK());
    m.put("metric_a", c.getMetricA().name());
    m.put("metric_b", c.getMetricB().name());
    m.put("include_self", c.getIncludeSelf());
    m.put("exact", c.getExact());
    m.put("n", c.getN());
    m.put("mean_jaccard", c.getMeanJaccard());
    m.put("queries", c.getQueries());
    m.put("ci_low", c.getCiLow());
    m.put("ci_high", c.getCiHigh());
    m.put("histogram", c.getHistogram());
    m.put("label_means", c.getLabelMeans());
    m.put("cka", c.getCka());
    m.put("compute_millis", c.getComputeMillis());
    return m;
  }

  private static Map<String, Object> key(CheckpointKey k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment", k.getExperiment());
    m.put("space", k.getSpace());
    m.put("step", k.getStep());
    return m;
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
