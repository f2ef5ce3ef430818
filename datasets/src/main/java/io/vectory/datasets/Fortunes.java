package io.vectory.datasets;

import io.vectory.core.space.Metadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The demo's real labelled corpus: 1,307 fortunes in 10 categories (see io/vectory/datasets/README.md). */
public final class Fortunes {
  /** The corpus as a class-path resource: a CSV with the columns id, label, text. */
  public static final String RESOURCE = "/io/vectory/datasets/fortunes.csv";

  /** One fortune: its id (f0000…), its category and its text. */
  public record Fortune(String id, String label, String text) {}

  private Fortunes() {}

  public static List<Fortune> load() {
    try (InputStream in = Fortunes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
      Metadata m = Metadata.parse(RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<String> ids = m.ids("id");
      List<String> labels = m.column("label");
      List<String> texts = m.column("text");
      List<Fortune> out = new ArrayList<>(ids.size());
      for (int i = 0; i < ids.size(); i++) out.add(new Fortune(ids.get(i), labels.get(i), texts.get(i)));
      return List.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
