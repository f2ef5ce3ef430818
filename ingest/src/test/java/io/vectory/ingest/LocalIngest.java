package io.vectory.ingest;

import io.vectory.broker.EmbeddedKafka;
import io.vectory.ingest.http.IngestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real HTTP ingest for tests: an in-process broker, a publisher on it, and the servers started on it (closed together). */
final class LocalIngest implements AutoCloseable {
  private final EmbeddedKafka kafka;
  final CheckpointPublisher publisher;
  private final List<IngestServer> servers = new ArrayList<>();

  private LocalIngest(EmbeddedKafka kafka) {
    this.kafka = kafka;
    this.publisher = CheckpointPublisher.builder(kafka.bootstrapServers()).build();
  }

  static LocalIngest start(Path dir) throws IOException {
    EmbeddedKafka kafka = new EmbeddedKafka(dir);
    kafka.start();
    return new LocalIngest(kafka);
  }

  String bootstrap() {
    return kafka.bootstrapServers();
  }

  /** A server on a free loopback port taking bodies up to {@code maxBodyBytes}, asking for {@code token} unless null. */
  IngestServer serve(long maxBodyBytes, String token) throws IOException {
    IngestServer s = IngestServer.start(new InetSocketAddress("127.0.0.1", 0), publisher, maxBodyBytes, SpaceDescription.of("ds", "m"), null, token);
    servers.add(s);
    return s;
  }

  /** The checkpoint route's base URL of {@code s}: append {@code <experiment>/checkpoints/<step>}. */
  static String base(IngestServer s) {
    return "http://127.0.0.1:" + s.port() + "/v1/experiments/";
  }

  @Override
  public void close() {
    servers.forEach(IngestServer::close);
    publisher.close();
    kafka.close();
  }
}
