package io.vectory.app.ingest;

import io.vectory.app.KafkaOptions;
import io.vectory.avro.Metric;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.IngestSettings;
import io.vectory.ingest.SpaceDescription;
import io.vectory.ingest.http.IngestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vectory serve-ingest}: the HTTP ingest endpoint for training loops in other languages. */
@Command(
    name = "serve-ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Serve HTTP ingest: POST /v1/experiments/{experiment}/checkpoints/{step}?space=... with an .npy body,",
      "an .npz with an 'ids' array, or multipart parts 'vectors' (.npy) and 'ids'. Answers 202 once the",
      "checkpoint is committed to Kafka, 400 with a reason, 413 above --max-body-mb. See examples/python/publish.py."
    })
public final class ServeIngestCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8088", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--max-body-mb", defaultValue = "512", description = "Largest request body in MiB; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  long maxBodyMb;

  @Option(names = "--dataset-name", defaultValue = "unknown", description = "Dataset name when a request gives none.")
  String datasetName;

  @Option(names = "--model-name", defaultValue = "unknown", description = "Model name when a request gives none.")
  String modelName;

  @CommandLine.Mixin KafkaOptions kafka;

  @Option(names = "--transactional-id", description = "Kafka transactional.id (default: a random one).")
  String transactionalId;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    IngestSettings settings;
    try {
      settings = kafka.settings();
    } catch (IllegalArgumentException e) {
      err.println("vectory serve-ingest: " + e.getMessage());
      err.flush();
      return 2;
    }
    CheckpointPublisher.Builder b = settings.publisher();
    if (transactionalId != null) b.transactionalId(transactionalId);
    CheckpointPublisher publisher = b.build();
    SpaceDescription defaults = new SpaceDescription(datasetName, modelName, Metric.COSINE, null, Map.of(), "row", Map.of());
    IngestServer server;
    try {
      server = IngestServer.start(new InetSocketAddress(host, port), publisher, maxBodyMb * 1024 * 1024, defaults);
    } catch (IOException e) {
      publisher.close();
      err.println("vectory serve-ingest: cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); try --port 0 or another port");
      err.flush();
      return 1;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      publisher.close();
      stop.countDown();
    }, "vectory-ingest-shutdown"));
    err.println("vectory serve-ingest: listening on http://" + host + ":" + server.port()
        + "/v1/experiments/{experiment}/checkpoints/{step} → " + settings.describe());
    err.flush();
    stop.await();
    return 0;
  }
}
