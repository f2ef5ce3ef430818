package io.vectory.app.web;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Projections run here: a bounded pool of workers (UMAP and PCA are CPU-bound, more threads than cores only
 * slow each other), one job per key shared by every request that wants it, and superseding by slot: a page
 * names the map a request is for ("its slot"), and when that slot asks for another projection, the job it
 * asked for before is cancelled unless another slot still wants it. A cancelled job stops at its next
 * progress report.
 */
final class ProjectionJobs<T> implements AutoCloseable {

  /** A job's own flag: checked by the work's progress reports, which throw once it is set. */
  static final class Job<T> {
    final CompletableFuture<T> future = new CompletableFuture<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    volatile Map<String, Object> progress;

    void check() {
      if (cancelled.get() || Thread.currentThread().isInterrupted()) throw new CancellationException("superseded");
    }
  }

  private final ExecutorService pool;
  private final Map<String, Job<T>> jobs = new ConcurrentHashMap<>();
  private final Map<String, String> slots = new ConcurrentHashMap<>();

  ProjectionJobs(int workers) {
    pool = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "vectory-projection");
      t.setDaemon(true);
      return t;
    });
  }

  /** The job for {@code key}, started when none runs or is done; {@code slot} (may be null) supersedes its last job. */
  Job<T> submit(String key, String slot, Function<Job<T>, T> work) {
    if (slot != null && !slot.isBlank()) {
      String before = slots.put(slot, key);
      if (before != null && !before.equals(key) && !slots.containsValue(before)) {
        Job<T> old = jobs.get(before);
        if (old != null && !old.future.isDone()) {
          old.cancelled.set(true);
          jobs.remove(before, old);
          old.future.completeExceptionally(new CancellationException(
              "superseded: the page asked for another projection for this map"));
        }
      }
    }
    return jobs.compute(key, (k, j) -> {
      if (j != null && !(j.future.isCompletedExceptionally())) return j;
      Job<T> fresh = new Job<>();
      pool.execute(() -> {
        if (fresh.cancelled.get()) return;
        try {
          fresh.future.complete(work.apply(fresh));
        } catch (RuntimeException | Error e) {
          fresh.future.completeExceptionally(e);
        }
      });
      return fresh;
    });
  }

  Job<T> get(String key) {
    return jobs.get(key);
  }

  @Override
  public void close() {
    for (Job<T> j : jobs.values()) j.cancelled.set(true);
    pool.shutdownNow();
  }
}
