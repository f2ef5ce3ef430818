package io.vectory.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.broker.EmbeddedKafka;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker restart in the middle of a publish loses and duplicates nothing. Uses its own in-process
 * KRaft broker (never the shared one): the publish pauses after some chunks are acknowledged, the
 * broker is stopped, the publish resumes against the dead broker, and the broker comes back on the
 * same log directory and port.
 */
class BrokerRestartTest {

  @Test
  void restartMidPublishLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir)) {
      kafka.start();
      float[][] v = Data.vectors(10_000, 512, 7);
      List<String> ids = Data.ids(10_000, "r");
      CountDownLatch halfway = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      int[] ackedAtStop = {-1, -1};
      CompletableFuture<PublishResult> publish;
      // 128 KiB chunks: about 160 of them, so the restart lands well inside the transaction.
      try (CheckpointPublisher p = CheckpointPublisher.builder(kafka.bootstrapServers()).maxChunkBytes(128 * 1024)
          // A 1 MiB send buffer makes send() wait for acknowledgements, so the stop lands between sends.
          .producerConfig(Map.of("delivery.timeout.ms", 120_000, "request.timeout.ms", 10_000,
              "buffer.memory", 1024 * 1024, "batch.size", 256 * 1024)).build()) {
        publish = CompletableFuture.supplyAsync(() -> p.publish("restart-exp", "head", 100, ids, v, SpaceDescription.of("ds", "m"),
            (acked, total, bytes) -> {
              if (acked >= total / 3 && halfway.getCount() > 0) {
                ackedAtStop[0] = acked;
                ackedAtStop[1] = total;
                halfway.countDown();
                try {
                  stopped.await(60, TimeUnit.SECONDS); // keep sending only once the broker is down
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }));
        assertTrue(halfway.await(120, TimeUnit.SECONDS), "publish never got a third of the way");
        kafka.stop();
        stopped.countDown();
        Thread.sleep(2000);
        kafka.start();
        PublishResult result = publish.get(240, TimeUnit.SECONDS);
        assertTrue(result.chunks() > 100, "chunks: " + result.chunks());
        assertTrue(ackedAtStop[0] < ackedAtStop[1], "the broker stopped with " + ackedAtStop[0] + " of " + ackedAtStop[1] + " chunks acknowledged");
        System.err.printf("broker restarted after %d of %d chunks; committed in %d attempt(s)%n", ackedAtStop[0], ackedAtStop[1], result.attempts());

        CheckpointReader.All all = CheckpointReader.readAll(kafka.bootstrapServers(), Map.of(), EventSerdes.singleObject(),
            Topics.defaults().spaceEvents, Duration.ofSeconds(60));
        assertEquals(1, all.checkpoints().size(), "committed copies of the checkpoint");
        assertEquals(0, all.duplicateChunks(), "duplicate chunks");
        assertEquals(result.chunks() + 2, all.eventsRead(), "committed events: register + chunks + completed");
        AssembledCheckpoint got = all.checkpoints().get(0);
        assertEquals("restart-exp/head@100", got.checkpoint());
        assertEquals(result.checksum(), got.checksum());
        Data.assertBitForBit(v, ids, got);
      }
    }
  }
}
