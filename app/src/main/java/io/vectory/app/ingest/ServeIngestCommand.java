package io.vectory.app.ingest;

import io.vectory.app.DataDirOption;
import io.vectory.app.TopicsOption;
import io.vectory.avro.Metric;
import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.IngestSettings;
import io.vectory.ingest.SpaceDescription;
import io.vectory.ingest.http.IngestServer;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
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
      "an .npz with an 'ids' array and one 1-D array per metadata column, or multipart parts 'vectors' (.npy),",
      "'ids' and 'metadata' (CSV with a header). Answers 202 once the checkpoint is committed to Kafka, 200 when",
      "the same checkpoint was published before (not sent again), 409 when the pipeline would drop it (other data",
      "under a published step, an earlier step, other ids), 400 with a reason, 413 above --max-body-mb.",
      "GET .../checkpoints/{step}/verdict?space=&timeout_ms= waits for the pipeline's verdict: accepted with its",
      "comparisons, or rejected with the reason. Refused: a request from a web page of another origin (403), a",
      "body other than .npy/.npz (application/octet-stream, application/x-npy, application/x-npz) or multipart (415),",
      "and, with --token, one without 'Authorization: Bearer <token>' (401). Python client: python/ (pip install ./python)."
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

  @CommandLine.Mixin PublishOptions publish;

  @CommandLine.Mixin TopicsOption topicsOption;

  /** Where the embedded pipeline, started when no Kafka is configured, keeps its store. */
  @CommandLine.Mixin DataDirOption dataDir;

  @Option(names = "--token", description = "Ask every request for 'Authorization: Bearer <token>' (default: $VECTORY_INGEST_TOKEN, ingest.token in"
      + " ~/.vectory/config.properties, else no token).")
  String token;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    IngestSettings settings;
    try {
      settings = publish.settings();
    } catch (IllegalArgumentException e) {
      err.println("vectory serve-ingest: " + e.getMessage());
      err.flush();
      return 2;
    }
    // Nothing configured (no flag, no VECTORY_BOOTSTRAP_SERVERS, no config file): the whole pipeline in this process,
    // so a first tracked run needs only this command.
    EmbeddedPipeline embedded = null;
    if ("default".equals(settings.source()) && settings.schemaRegistry() == null) {
      err.println("vectory serve-ingest: no Kafka configured; starting the embedded pipeline ...");
      err.flush();
      embedded = EmbeddedPipeline.start(dataDir.resolved(), err);
      settings = new IngestSettings(embedded.bootstrapServers(), null, Map.of(), "embedded");
    }
    EmbeddedPipeline pipeline = embedded;
    Topics topics = topicsOption.topics();
    CheckpointPublisher publisher = publish.publisher(settings).topics(topics).build();
    SpaceDescription defaults = new SpaceDescription(datasetName, modelName, Metric.COSINE, null, Map.of(), "row", Map.of());
    String ingestToken;
    try {
      ingestToken = IngestSettings.ingestToken(token);
    } catch (IllegalArgumentException e) {
      publisher.close();
      if (pipeline != null) pipeline.close();
      err.println("vectory serve-ingest: " + e.getMessage());
      err.flush();
      return 2;
    }
    IngestServer server;
    try {
      // The verdict endpoint reads the pipeline's results where the pipeline writes them.
      server = IngestServer.start(new InetSocketAddress(host, port), publisher, maxBodyMb * 1024 * 1024, defaults,
          new IngestServer.VerdictSource(settings.bootstrapServers(), settings.clientConfig(), EventSerdes.fromConfig(settings.serdeConfig()), topics), ingestToken);
    } catch (IOException e) {
      publisher.close();
      if (pipeline != null) pipeline.close();
      err.println("vectory serve-ingest: cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); try --port 0 or another port");
      err.flush();
      return 1;
    } catch (org.apache.kafka.common.KafkaException e) {
      publisher.close();
      if (pipeline != null) pipeline.close();
      err.println("vectory serve-ingest: cannot read the pipeline's topics at " + settings.bootstrapServers() + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      publisher.close();
      if (pipeline != null) pipeline.close();
      stop.countDown();
    }, "vectory-ingest-shutdown"));
    err.println("vectory serve-ingest: listening on http://" + host + ":" + server.port()
        + "/v1/experiments/{experiment}/checkpoints/{step} → " + (pipeline != null ? pipeline.describe() : settings.describe())
        + (ingestToken != null ? " (bearer token required)" : ""));
    err.flush();
    stop.await();
    return 0;
  }
}
