package io.vectory.streams;

import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Test fixture, not an entry point of the product ({@code vectory pipeline} is): the pipeline in a child JVM, so
 * {@link ComparisonPipelineIT} can SIGKILL it mid-checkpoint. Arguments, in order: bootstrap servers, registry
 * URL, application id, state dir, topic prefix, and optionally the queries per k-NN shard ({@code compare.shard.rows}).
 * Prints "RUNNING" once Streams runs, then one line per result.
 */
public final class PipelineProcess {
  private PipelineProcess() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5 && args.length != 6) {
      throw new IllegalArgumentException("expected: bootstrap registry application-id state-dir topic-prefix [shard-rows]");
    }
    PipelineConfig config = PipelineConfig.defaults(Topics.withPrefix(args[4]), EventSerdes.registry(Map.of("schema.registry.url", args[1])))
        .withShardRows(args.length == 6 ? Integer.parseInt(args[5]) : 0);
    Properties streams = PipelineRunner.streamsProperties(args[0], args[2], Path.of(args[3]));
    // A killed member is noticed after this, not the 45 s default.
    streams.put("consumer.session.timeout.ms", "10000");
    PipelineRunner.Listener lines = PipelineRunner.Listener.lines(line -> {
      System.out.println(line);
      System.out.flush();
    });
    PipelineRunner runner = PipelineRunner.start(config, streams, 2, lines, Duration.ofMinutes(2));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runner.close(Duration.ofSeconds(30));
      stop.countDown();
    }, "pipeline-process-shutdown"));
    System.out.println("RUNNING application.id=" + args[2]);
    System.out.flush();
    stop.await();
  }
}
