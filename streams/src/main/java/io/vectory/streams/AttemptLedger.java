package io.vectory.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Failed attempts at processing a record, kept on disk outside the Streams state (which a failed exactly-once task
 * rolls back with its transaction): a record whose processing throws (an {@code Error} such as {@code
 * OutOfMemoryError} or {@code StackOverflowError}, or an unexpected runtime exception) aborts the task's
 * transaction, the stream thread is replaced and reads the same record again. The ledger counts those attempts
 * across replaced threads and restarted processes, so the processor can dead-letter the record with the last
 * failure once {@link CheckpointProcessor#MAX_ATTEMPTS} have failed, and the partition moves on.
 *
 * <p>One small file per failing record ({@code <dir>/<topic>-<partition>-<offset>}: the attempt count, the
 * checkpoint, the last failure), so a healthy run writes nothing. A file names its checkpoint too: a record at
 * the same offset of a re-created topic is not mistaken for it.
 */
final class AttemptLedger {
  record Entry(int failures, String checkpoint, String lastFailure) {}

  private static final Map<Path, AttemptLedger> OPEN = new java.util.concurrent.ConcurrentHashMap<>();

  private final Path dir;
  private final Map<String, Entry> entries = new HashMap<>();

  /**
   * The ledger under {@code dir} (created when the first failure is recorded), one instance per directory in this
   * JVM: a replaced stream thread sees the count of the thread it replaces even if the disk refused the write.
   */
  static AttemptLedger open(Path dir) {
    return OPEN.computeIfAbsent(dir.toAbsolutePath().normalize(), AttemptLedger::new);
  }

  private AttemptLedger(Path dir) {
    this.dir = dir;
    if (!Files.isDirectory(dir)) return;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().endsWith(".tmp")) continue;
        String[] lines = Files.readString(f, StandardCharsets.UTF_8).split("\n", 3);
        if (lines.length < 3) continue;
        try {
          entries.put(f.getFileName().toString(), new Entry(Integer.parseInt(lines[0].strip()), lines[1], lines[2]));
        } catch (NumberFormatException e) {
          // a torn write: not counted
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the attempt ledger " + dir + ": " + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  static String key(String topic, int partition, long offset) {
    return topic + "-" + partition + "-" + offset;
  }

  /** The record's failed attempts so far (0 if none, or if the entry belongs to another checkpoint at that offset). */
  synchronized Entry get(String key, String checkpoint) {
    Entry e = entries.get(key);
    return e != null && e.checkpoint().equals(checkpoint) ? e : null;
  }

  /** Records one more failed attempt; written to disk before the failure is rethrown. Returns the new count. */
  synchronized int failed(String key, String checkpoint, String failure) {
    Entry before = get(key, checkpoint);
    Entry e = new Entry(before == null ? 1 : before.failures() + 1, checkpoint, failure.replace('\n', ' '));
    entries.put(key, e);
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(key + ".tmp");
      Files.writeString(tmp, e.failures() + "\n" + e.checkpoint() + "\n" + e.lastFailure(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, dir.resolve(key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException x) {
        Files.move(tmp, dir.resolve(key), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException x) {
      // Counted in memory still, so a replaced thread of this process gives up as well; a restart counts anew.
      org.slf4j.LoggerFactory.getLogger(AttemptLedger.class).error("cannot record a failed attempt in {}: {}", dir, x.toString());
    }
    return e.failures();
  }

  /** Forgets the record (it succeeded, or it was dead-lettered). */
  synchronized void clear(String key) {
    if (entries.remove(key) == null) return;
    try {
      Files.deleteIfExists(dir.resolve(key));
    } catch (IOException x) {
      org.slf4j.LoggerFactory.getLogger(AttemptLedger.class).warn("cannot remove {} from the attempt ledger: {}", key, x.toString());
    }
  }

  synchronized boolean isEmpty() {
    return entries.isEmpty();
  }
}
