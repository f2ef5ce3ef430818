package io.vectory.core.compare;

/** Told how much of a long computation is done. May be called from several threads at once. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (done, total) -> {};

  void progress(long done, long total);
}
