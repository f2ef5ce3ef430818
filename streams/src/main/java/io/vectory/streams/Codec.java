package io.vectory.streams;

import io.vectory.avro.CheckpointKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/** Plain Avro binary for store values: the schema is fixed by this code version, so no header is needed. */
final class Codec<T extends SpecificRecord> {
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;

  Codec(Class<T> type) {
    this.writer = new SpecificDatumWriter<>(type);
    this.reader = new SpecificDatumReader<>(type);
  }

  byte[] encode(T value) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(value, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  T decode(byte[] bytes) {
    try {
      BinaryDecoder dec = DecoderFactory.get().binaryDecoder(new ByteArrayInputStream(bytes), null);
      return reader.read(null, dec);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CheckpointKey key(String experiment, String space, long step) {
    return CheckpointKey.newBuilder().setExperiment(experiment).setSpace(space).setStep(step).build();
  }
}
