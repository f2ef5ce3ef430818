package io.vectory.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, on free ports on
 * 127.0.0.1, with its log under {@code dir}: the demo's broker, and the one tests stop and start again on the same
 * log (the shared broker is never restarted). Small-machine settings: one partition per topic, replication 1, and a
 * 2 MiB cleaner buffer (the 128 MiB default can take a small heap down silently).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Properties props = new Properties();
  private final int port;
  private KafkaRaftServer server;

  /** Formats the log directory {@code dir/kafka-logs}; nothing listens until {@link #start}. */
  public EmbeddedKafka(Path dir) throws IOException {
    this.port = freePort();
    int controller = freePort();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", dir.resolve("kafka-logs").toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("log.cleaner.dedupe.buffer.size", "2097152");
    props.put("num.partitions", "1");
    props.put("message.max.bytes", String.valueOf(16 * 1024 * 1024 + 1024));
    Files.createDirectories(dir);
    Path file = dir.resolve("server.properties");
    try (var out = Files.newOutputStream(file)) {
      props.store(out, "vectory: in-process broker");
    }
    StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()},
        new PrintStream(OutputStream.nullOutputStream()));
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker (again, after {@link #stop}, on the same log and ports). */
  public EmbeddedKafka start() {
    if (server == null) {
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
    }
    return this;
  }

  /** Stops the broker and waits for it; {@link #start} brings it back. */
  public void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
