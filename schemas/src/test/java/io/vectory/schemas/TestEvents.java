package io.vectory.schemas;

import io.vectory.avro.CheckpointKey;
import io.vectory.avro.EmbeddingChunk;
import io.vectory.avro.SpaceEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

final class TestEvents {
  private TestEvents() {}

  static String registryUrl() {
    String v = System.getenv("VECTORY_SCHEMA_REGISTRY");
    return v == null || v.isBlank() ? "http://127.0.0.1:8081/apis/ccompat/v7" : v;
  }

  static SpaceEvent chunk(String experiment, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : values) b.putFloat(f);
    b.flip();
    return SpaceEvent.newBuilder().setEvent(EmbeddingChunk.newBuilder()
        .setCheckpoint(CheckpointKey.newBuilder().setExperiment(experiment).setSpace("head").setStep(3).build())
        .setSequence(0).setFirstRow(0).setDimension(values.length / 2)
        .setIds(List.of("a", "b")).setVectors(b).setMetadata(List.of()).build()).build();
  }
}
