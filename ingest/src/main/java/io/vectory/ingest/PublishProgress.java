package io.vectory.ingest;

/** Progress of one publish: chunks acknowledged by the broker out of the total. Called on the publishing thread. */
@FunctionalInterface
public interface PublishProgress {
  PublishProgress NONE = (acked, total, bytes) -> {};

  void progress(int chunksAcked, int chunksTotal, long vectorBytesAcked);
}
