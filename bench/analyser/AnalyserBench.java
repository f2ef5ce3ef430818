import io.vectory.app.web.AnalyserServer;
import io.vectory.core.compare.Metric;
import io.vectory.core.npy.Npy;
import io.vectory.core.projection.UmapOptions;
import io.vectory.core.space.Space;
import io.vectory.core.vectors.FloatMatrix;
import io.vectory.store.EmbeddedSpaceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The analyser benchmark's server: java -cp vectory.jar AnalyserBench.java N D DIR.
 *
 * <p>Makes (once, cached in DIR) two spaces of N points in D dimensions, two noisy views of the same clustered
 * Gaussians with a "label" column (the cluster), stores them in an embedded store under DIR, writes A's vectors
 * as DIR/a.npy for the reference UMAP, drops the on-disk projection cache (so every projection is timed cold),
 * then serves the analyser on a free loopback port: prints "url=..." and serves until standard input closes.
 */
public final class AnalyserBench {

  static final int CLUSTERS = 24;

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int d = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]);
    Path data = dir.resolve("store");
    Path done = dir.resolve("store.done");
    if (!Files.exists(done)) {
      deleteTree(data);
      Files.createDirectories(dir);
      long t0 = System.nanoTime();
      try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(data)) {
        Space[] ab = make(n, d, 7);
        store.putIndex("bench-a", ab[0], Metric.COSINE, "exact", "synthetic-" + n, "gaussians", "bench/analyser");
        store.putIndex("bench-b", ab[1], Metric.COSINE, "exact", "synthetic-" + n, "gaussians", "bench/analyser");
        Npy.write(dir.resolve("a.npy"), ab[0].vectors());
      }
      Files.writeString(done, n + " x " + d + "\n");
      System.err.printf("made and stored two %d x %d spaces in %.1f s%n", n, d, (System.nanoTime() - t0) / 1e9);
    }
    deleteTree(data.resolve("projections"));
    try (EmbeddedSpaceStore store = new EmbeddedSpaceStore(data);
         AnalyserServer server = AnalyserServer.start(store, "127.0.0.1", 0, UmapOptions.defaults())) {
      System.out.println("url=" + server.url());
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the script closes our standard input
      }
    }
  }

  /** Two views (each its own noise) of the same points around CLUSTERS random centres, seeded. */
  static Space[] make(int n, int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] centres = new float[CLUSTERS * d];
    for (int i = 0; i < centres.length; i++) centres[i] = (float) rnd.nextGaussian();
    float[] a = new float[n * d];
    float[] b = new float[n * d];
    List<String> ids = new ArrayList<>(n);
    List<String> labels = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      int c = rnd.nextInt(CLUSTERS);
      // Clusters of different widths, so the maps are not all alike blobs.
      double width = 0.6 + 0.05 * c;
      for (int j = 0; j < d; j++) {
        double base = centres[c * d + j] + width * rnd.nextGaussian();
        a[r * d + j] = (float) (base + 0.3 * rnd.nextGaussian());
        b[r * d + j] = (float) (base + 0.3 * rnd.nextGaussian());
      }
      ids.add("p" + r);
      labels.add("cluster-" + c);
    }
    Map<String, List<String>> cols = new LinkedHashMap<>();
    cols.put("label", labels);
    return new Space[] {new Space("a", ids, FloatMatrix.wrap(n, d, a), cols), new Space("b", ids, FloatMatrix.wrap(n, d, b), cols)};
  }

  static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
