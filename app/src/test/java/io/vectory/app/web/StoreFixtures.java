package io.vectory.app.web;

import io.vectory.avro.SpaceEvent;
import io.vectory.core.compare.Metric;
import io.vectory.datasets.Fortunes;
import io.vectory.core.npy.Npy;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.SpaceStore;
import io.vectory.sink.SpaceWriter;
import io.vectory.sink.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test data for the store-backed verbs: the real MiniLM pair of core's test resources (600 fortunes embedded by
 * all-minilm-l6-v2 and its quantised twin) with the fortunes' labels and texts, and a way to store a space as a
 * checkpoint the same way the pipeline does (register, chunks, completion through {@link SpaceWriter}).
 */
public final class StoreFixtures {

  /** core/src/test/resources/real, seen from the app module (surefire runs in the module's folder). */
  public static final Path REAL = Path.of("..", "core", "src", "test", "resources", "real");

  private StoreFixtures() {}

  /** minilm.npy or minilm-q.npy with ids and label/text columns from the fortunes corpus (same row order). */
  public static Space realMiniLm(String file) throws IOException {
    FloatMatrix m = Npy.readMatrix(REAL.resolve(file), null);
    List<String> ids = Files.readAllLines(REAL.resolve("ids.txt")).stream().filter(s -> !s.isBlank()).toList();
    Map<String, Fortunes.Fortune> byId = new HashMap<>();
    for (Fortunes.Fortune f : Fortunes.load()) byId.put(f.id(), f);
    List<String> labels = new ArrayList<>(), texts = new ArrayList<>();
    for (String id : ids) {
      labels.add(byId.get(id).label());
      texts.add(byId.get(id).text());
    }
    return new Space(file, ids, m, Map.of("label", labels, "text", texts));
  }

  /** Stores {@code space} as checkpoint experiment/spaceName@step, as the pipeline's sink would. */
  public static void storeCheckpoint(SpaceStore store, String experiment, String spaceName, long step, Space space,
      Metric metric) {
    SpaceWriter w = new SpaceWriter(store);
    for (SpaceEvent e : TestData.checkpoint(experiment, spaceName, step, space, metric, 250, "test")) w.apply(e);
  }
}
