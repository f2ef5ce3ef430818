package io.vectory.core.compare;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work items on a few platform threads (all cores by default; -Dvectory.threads=N to pin): the engine's passes,
 * linear CKA and PCA's covariance.
 */
public final class Parallel {
  private Parallel() {}

  public static int threads() {
    int t = Integer.getInteger("vectory.threads", Runtime.getRuntime().availableProcessors());
    return Math.max(1, t);
  }

  /** Work item i in [0, count) runs on worker w in [0, workers); items are handed out in increasing order. */
  public interface Body {
    void run(int worker, int item);
  }

  public static void run(int workers, int count, Body body) {
    if (workers <= 1 || count <= 1) {
      for (int i = 0; i < count; i++) body.run(0, i);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] ts = new Thread[workers];
    for (int w = 0; w < workers; w++) {
      final int worker = w;
      ts[w] = new Thread(() -> {
        try {
          for (int i; failure.get() == null && (i = next.getAndIncrement()) < count; ) body.run(worker, i);
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }, "vectory-compare-" + w);
      ts[w].setDaemon(true);
      ts[w].start();
    }
    for (Thread t : ts) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException re) throw re;
    if (t instanceof Error er) throw er;
    if (t != null) throw new IllegalStateException(t);
  }
}
