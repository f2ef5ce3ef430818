package io.vectory.ingest;

/** A committed checkpoint: its key {@code experiment/space@step}, size, CRC-32C of its vector bytes, attempts and time. */
public record PublishResult(String checkpoint, long rows, int dimension, int chunks, long checksum, long vectorBytes, int attempts, long nanos) {

  /** Vector bytes per second of wall time, in MB/s (10^6 bytes). */
  public double megabytesPerSecond() {
    return vectorBytes / 1e6 / (nanos / 1e9);
  }
}
