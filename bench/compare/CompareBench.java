import io.vectory.core.compare.CompareOptions;
import io.vectory.core.compare.ComparisonOutcome;
import io.vectory.core.compare.ExactKnn;
import io.vectory.core.compare.Metric;
import io.vectory.core.compare.ProgressListener;
import io.vectory.core.compare.SpaceComparator;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times vectory's engine on a pair of .npy files, in a fresh JVM: the first run (JIT cold, what a user sees) and
 * then warm runs. Run with the core jar on the class path:
 *   java --add-modules jdk.incubator.vector -cp core/target/vectory-core-*.jar bench/compare/CompareBench.java A B K RUNS
 * Prints key=value lines that bench/compare.sh reads.
 */
public final class CompareBench {
  public static void main(String[] args) throws Exception {
    FloatMatrix a = Npy.read(Path.of(args[0])).toFloatMatrix();
    FloatMatrix b = Npy.read(Path.of(args[1])).toFloatMatrix();
    int k = Integer.parseInt(args[2]);
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    String mode = args.length > 4 ? args[4] : "compare";
    CompareOptions o = CompareOptions.defaults().withK(k);
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    for (int run = 1; run <= runs; run++) {
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      if (mode.equals("knn")) {
        ExactKnn.search(a, Metric.COSINE, k, false);
        ExactKnn.search(b, Metric.COSINE, k, false);
        System.out.printf(Locale.ROOT, "run=%d knn_seconds=%.3f%n", run, (System.nanoTime() - t0) / 1e9);
      } else {
        ComparisonOutcome out = SpaceComparator.compare(a, b, o, ProgressListener.NONE);
        System.out.printf(Locale.ROOT, "run=%d seconds=%.3f cpu_seconds=%.3f mean_jaccard=%.6f cka=%.6f%n", run,
            (System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - c0) / 1e9, out.meanJaccard(), out.cka());
      }
    }
  }
}
