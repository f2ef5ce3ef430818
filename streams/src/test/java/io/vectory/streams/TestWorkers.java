package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.CompareWork;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import io.vectory.avro.SpaceLocation;
import io.vectory.avro.SpaceRegistered;
import io.vectory.avro.WorkDone;
import io.vectory.core.space.Space;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The compare workers beside a TopologyTestDriver: every event piped through {@link #pipe} is also logged at its
 * offset (the driver's one partition), so the workers' {@link SpaceReader} reads a checkpoint back by its location as
 * the real one reads space-events; after each event the work items the app produced are done with {@link WorkHandler}
 * (attempts and the error answer as {@link CompareWorker} gives them) and the answers piped back, until none is left.
 */
final class TestWorkers {
  private final TestInputTopic<String, SpaceEvent> events;
  private final TestInputTopic<String, WorkDone> answers;
  private final TestOutputTopic<String, CompareWork> work;
  private final ComparisonEngine engine;
  /** Index = offset on space-events; null for a record piped another way (raw bytes). */
  private final List<SpaceEvent> log = new ArrayList<>();
  final List<CompareWork> done = new ArrayList<>();
  /** The answers piped back, in order. */
  final List<WorkDone> answered = new ArrayList<>();

  TestWorkers(TopologyTestDriver driver, Topics topics, EventSerdes serdes, ComparisonEngine engine) {
    this.events = driver.createInputTopic(topics.spaceEvents.name(), Serdes.String().serializer(), topics.spaceEvents.valueSerde(serdes).serializer());
    this.answers = driver.createInputTopic(topics.workResults.name(), Serdes.String().serializer(), topics.workResults.valueSerde(serdes).serializer());
    this.work = driver.createOutputTopic(topics.compareWork.name(), Serdes.String().deserializer(), topics.compareWork.valueSerde(serdes).deserializer());
    this.engine = engine;
  }

  void pipe(String key, SpaceEvent e) {
    log.add(e);
    events.pipeInput(key, e);
    drain();
  }

  void pipe(String key, SpaceEvent e, long timestamp) {
    log.add(e);
    events.pipeInput(key, e, timestamp);
    drain();
  }

  /** Pipes an event and leaves the work it makes undone, until {@link #drain}. */
  void pipeHeld(String key, SpaceEvent e) {
    log.add(e);
    events.pipeInput(key, e);
  }

  /** A record of space-events piped without this (e.g. raw bytes): it holds an offset. */
  void skipped() {
    log.add(null);
  }

  /** Does every pending work item, as the workers would, and pipes the answers back; returns how many. */
  int drain() {
    return drain(false);
  }

  /** As {@link #drain()}; newest first, as workers of several instances may answer. */
  int drain(boolean newestFirst) {
    int n = 0;
    while (!work.isEmpty()) {
      List<CompareWork> items = new ArrayList<>(work.readValuesToList());
      if (newestFirst) java.util.Collections.reverse(items);
      for (CompareWork w : items) {
        WorkDone a = handle(w);
        answers.pipeInput(w.getCheckpoint().getExperiment(), a);
        answered.add(a);
        done.add(w);
        n++;
      }
    }
    return n;
  }

  private WorkDone handle(CompareWork w) {
    String last = null;
    for (int attempt = 1; attempt <= CheckpointProcessor.MAX_ATTEMPTS; attempt++) {
      try {
        return WorkHandler.handle(w, this::read, engine, "test-worker");
      } catch (Error | RuntimeException t) {
        if (!WorkHandler.retryable(t)) return WorkHandler.rejected(w, "test-worker", t.getMessage());
        last = t.getClass().getName() + ": " + t.getMessage();
      }
    }
    return WorkHandler.failed(w, "test-worker", CheckpointProcessor.MAX_ATTEMPTS, last);
  }

  private Space read(CheckpointKey ck, SpaceLocation loc) {
    SpaceRegistered r = null;
    List<EmbeddingChunk> chunks = new ArrayList<>();
    for (long o = loc.getFirstOffset(); o <= loc.getLastOffset(); o++) {
      SpaceEvent e = log.get((int) o);
      if (e == null) continue;
      if (e.getEvent() instanceof SpaceRegistered s && s.getCheckpoint().equals(ck)) r = s;
      if (e.getEvent() instanceof EmbeddingChunk c && c.getCheckpoint().equals(ck)) chunks.add(c);
    }
    return SpaceReader.assemble(ck, r, chunks);
  }
}
