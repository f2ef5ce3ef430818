import io.vectory.ingest.CheckpointPublisher;
import io.vectory.ingest.PublishResult;
import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.EventSerdes;
import io.vectory.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Publishes one rows × dim checkpoint with CheckpointPublisher and prints machine-readable figures
 * (bench/publish.sh runs Kafka's ProducerPerformance with the same record size and bytes beside it).
 * Args: bootstrap registry-url|none topic-prefix rows dim
 */
public class PublishBench {
  public static void main(String[] args) {
    String bootstrap = args[0];
    String registry = args[1];
    String prefix = args[2];
    int rows = Integer.parseInt(args[3]);
    int dim = Integer.parseInt(args[4]);
    SplittableRandom rnd = new SplittableRandom(42);
    float[][] v = new float[rows][dim];
    for (float[] r : v) for (int c = 0; c < dim; c++) r[c] = (float) rnd.nextGaussian();
    List<String> ids = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) ids.add("doc-" + i);
    EventSerdes serdes = registry.equals("none") ? EventSerdes.singleObject() : EventSerdes.registry(Map.of("schema.registry.url", registry));
    Topics topics = Topics.withPrefix(prefix);
    // Warm-up: a small checkpoint (JIT, producer init, topic creation, schema registration) not timed.
    try (CheckpointPublisher p = CheckpointPublisher.builder(bootstrap).serdes(serdes).topics(topics).build()) {
      float[][] w = new float[2000][dim];
      for (float[] r : w) for (int c = 0; c < dim; c++) r[c] = (float) rnd.nextGaussian();
      p.publish("bench", "warmup", 0, ids.subList(0, 2000), w, SpaceDescription.of("bench", "random"));
      long[] lastReport = {0};
      PublishResult r = p.publish("bench", "head", 1, ids, v, SpaceDescription.of("bench", "random"), (acked, total, bytes) -> {
        long now = System.nanoTime();
        if (now - lastReport[0] > 1_000_000_000L) {
          System.err.printf("  publishing: %d/%d chunks acknowledged%n", acked, total);
          lastReport[0] = now;
        }
      });
      // Encoded size of a full chunk: what ProducerPerformance sends per record.
      long recordBytes = topics.spaceEvents.valueSerde(serdes).serializer().serialize(topics.spaceEvents.name(),
          io.vectory.avro.SpaceEvent.newBuilder().setEvent(io.vectory.avro.EmbeddingChunk.newBuilder()
              .setCheckpoint(io.vectory.avro.CheckpointKey.newBuilder().setExperiment("bench").setSpace("head").setStep(1).build())
              .setSequence(0).setFirstRow(0).setDimension(dim).setIds(ids.subList(0, rowsPerChunk(r)))
              .setVectors(java.nio.ByteBuffer.allocate(rowsPerChunk(r) * dim * 4)).setMetadata(List.of()).build()).build()).length;
      long totalBytes = r.vectorBytes();
      System.out.printf("rows=%d dim=%d chunks=%d vector_bytes=%d record_bytes=%d seconds=%.3f mb_per_s=%.1f attempts=%d%n",
          r.rows(), r.dimension(), r.chunks(), totalBytes, recordBytes, r.nanos() / 1e9, r.megabytesPerSecond(), r.attempts());
    }
  }

  private static int rowsPerChunk(PublishResult r) {
    return (int) ((r.rows() + r.chunks() - 1) / r.chunks());
  }
}
