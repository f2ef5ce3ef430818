package io.vectory.app.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.CliRun;
import io.vectory.core.vectors.FloatMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow's refusals (each message and its non-zero exit), later steps compared with the previous and
 * first checkpoints, and where two spaces differ (--worst, --per-point, --label-field); on the first 300
 * fortunes of the two-model fixture.
 */
class WorkflowRefusalsTest {

  static final int N = 300;

  @TempDir Path dir;
  Vectory v;
  Path minilm, bge, csv;

  @BeforeEach
  void data() throws Exception {
    TwoModelFixture f = TwoModelFixture.load();
    minilm = dir.resolve("minilm.npz");
    bge = dir.resolve("bge.npz");
    csv = dir.resolve("meta.csv");
    TwoModelFixture.writeNpz(minilm, head(f.minilm, N));
    TwoModelFixture.writeNpz(bge, head(f.bge, N));
    f.writeCsv(dir.resolve("all.csv"));
    List<String> lines = Files.readAllLines(dir.resolve("all.csv"));
    Files.write(csv, lines.subList(0, N + 1));
    v = new Vectory(dir.resolve("data"));
  }

  private static FloatMatrix head(FloatMatrix m, int n) {
    float[] d = new float[n * m.cols()];
    System.arraycopy(m.data(), 0, d, 0, d.length);
    return FloatMatrix.wrap(n, m.cols(), d);
  }

  private CliRun add(Path npz, String experiment, String space, long step, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("add", "-e", npz.toString(), "--dataset-name", "fortunes", "--experiment-name", experiment,
        "--embedding-space-name", space, "--step", Long.toString(step), "--id-field", "image_id"));
    args.addAll(List.of(extra));
    return v.run(args.toArray(String[]::new));
  }

  private CliRun registerAndAdd(Path npz, String experiment, String space, long step) {
    return add(npz, experiment, space, step, "-d", csv.toString());
  }

  @Test
  void anAmbiguousBareNameListsTheCandidates() {
    assertEquals(0, registerAndAdd(minilm, "exp1", "shared", 0).exit());
    assertEquals(0, add(bge, "exp2", "shared", 0).exit());
    CliRun r = v.run("compare", "shared", "exp1/shared");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("'shared' is ambiguous: it names 2 spaces (exp1/shared, exp2/shared); write one of them as experiment/space"), r.toString());
    CliRun q = v.run("query", "shared", "0");
    assertEquals(2, q.exit(), q.toString());
    assertTrue(q.err().contains("'shared' is ambiguous"), q.toString());
  }

  @Test
  void deletingWhatOthersDependOnIsRefusedWithTheDependentsUnlessRecursive() {
    assertEquals(0, registerAndAdd(minilm, "exp1", "s", 0).exit());
    assertEquals(0, v.run("embeddings", "load", "s_lsh_cosine", "exp1/s").exit());

    CliRun ds = v.run("dataset", "delete", "fortunes");
    assertEquals(2, ds.exit(), ds.toString());
    assertTrue(ds.err().contains("cannot delete dataset fortunes: 2 depend on it (experiment exp1, index s_lsh_cosine); delete them first or add --recursive"), ds.toString());
    CliRun ex = v.run("experiment", "delete", "exp1");
    assertEquals(2, ex.exit(), ex.toString());
    assertTrue(ex.err().contains("cannot delete experiment exp1: 1 depends on it (space exp1/s@0)"), ex.toString());
    CliRun sp = v.run("embeddings", "delete", "exp1/s@0");
    assertEquals(2, sp.exit(), sp.toString());
    assertTrue(sp.err().contains("cannot delete exp1/s@0: 1 depends on it (index s_lsh_cosine)"), sp.toString());
    assertTrue(v.run("ls").out().contains("exp1"), "nothing was deleted");

    CliRun rec = v.run("dataset", "delete", "fortunes", "--recursive");
    assertEquals(0, rec.exit(), rec.toString());
    assertTrue(rec.out().contains("deleted index s_lsh_cosine") && rec.out().contains("deleted space exp1/s@0") && rec.out().contains("deleted dataset fortunes"), rec.toString());
    CliRun ls = v.run("ls");
    assertTrue(ls.out().contains("Datasets: none") && ls.out().contains("Indices: none"), ls.toString());
  }

  @Test
  void aDatasetReusedWithAnotherRowCountNamesBothCounts() throws Exception {
    assertEquals(0, registerAndAdd(minilm, "exp1", "s", 0).exit());
    Path fewer = dir.resolve("fewer.npz");
    TwoModelFixture.writeNpz(fewer, head(TwoModelFixture.load().bge, 150));
    CliRun r = add(fewer, "exp2", "s", 0);
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("dataset fortunes has 300 rows (registered from " + csv.toAbsolutePath() + "), but " + fewer + " has 150 vectors;"
        + " expected one vector per dataset row"), r.toString());
    CliRun unknown = v.run("add", "-e", fewer.toString(), "--dataset-name", "nope", "--experiment-name", "e", "--id-field", "image_id");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("no dataset named nope in ") && unknown.err().contains("registered: fortunes"), unknown.toString());
  }

  @Test
  void vectorysLshFlagsAreRefusedNamingTheHnswSettings() {
    assertEquals(0, registerAndAdd(minilm, "exp1", "s", 0).exit());
    CliRun r = v.run("embeddings", "load", "idx", "s", "-k", "4", "-L", "2", "-w", "1.5");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("-k, -L, -w: Vectory's LSH settings (hash length, tables, bucket width) do not apply: the approximate index here is"
        + " a Lucene HNSW graph; tune it with --hnsw-m (links per node, default 16) and --hnsw-ef-construction (build candidates, default 100)"), r.toString());
    CliRun ok = v.run("embeddings", "load", "idx", "s", "--model", "lsh", "--similarity", "l2", "--hnsw-m", "8", "--hnsw-ef-construction", "50");
    assertEquals(0, ok.exit(), ok.toString());
    assertTrue(ok.out().contains("(approximate: Lucene HNSW, M 8, ef_construction 50, euclidean;"), ok.toString());
    CliRun list = v.run("embeddings", "list-indices");
    assertTrue(Pattern.compile("(?m)^  idx +exp1/s@0 +300 +384 +euclidean +lsh \\(HNSW\\)").matcher(list.out()).find(), list.toString());
  }

  @Test
  void aConfiguredBrokerThatIsDownFailsInSecondsNamingIt() {
    CliRun r = registerAndAdd(minilm, "exp1", "s", 0);
    assertEquals(0, r.exit());
    CliRun down = add(bge, "exp2", "s", 0, "--bootstrap-servers", "127.0.0.1:1");
    assertEquals(1, down.exit(), down.toString());
    assertTrue(down.err().contains("no answer from the Kafka broker 127.0.0.1:1 (from flag) within 4 s; start it, or unset the broker setting"), down.toString());
  }

  @Test
  void deleteAllIndicesAsksAndYesSkipsTheQuestion() {
    assertEquals(0, registerAndAdd(minilm, "exp1", "s", 0).exit());
    assertEquals(0, v.run("embeddings", "load", "i1", "s").exit());
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream("n\n".getBytes()));
      CliRun no = v.run("embeddings", "delete-all-indices");
      assertEquals(1, no.exit(), no.toString());
      assertTrue(no.out().contains("Delete 1 loaded indices (i1) from ") && no.out().contains("Nothing deleted."), no.toString());
    } finally {
      System.setIn(stdin);
    }
    CliRun yes = v.run("embeddings", "delete-all-indices", "--yes");
    assertEquals(0, yes.exit(), yes.toString());
    assertTrue(yes.out().contains("deleted index i1"), yes.toString());
    CliRun idx = v.run("embeddings", "delete-index", "exp1/s@0");
    assertEquals(2, idx.exit(), idx.toString());
    assertTrue(idx.err().contains("exp1/s@0 is a space, not a loaded index"), idx.toString());
  }

  @Test
  void laterStepsAreComparedWithThePreviousAndFirstAtOneKnnPassEach() throws Exception {
    assertEquals(0, registerAndAdd(minilm, "run", "s", 0).exit());
    CliRun s1 = add(bge, "run", "s", 1, "-p", "lr=0.01", "--train-dataset", "fortunes-train", "--dims", "384");
    assertEquals(0, s1.exit(), s1.toString());
    // On the second step the previous checkpoint is also the first: one comparison, both relations.
    Matcher m1 = Pattern.compile("compared with previous checkpoint run/s@0: mean Jaccard (\\d\\.\\d{4}).*; 2 k-NN passes\\)").matcher(s1.out());
    assertTrue(m1.find(), s1.toString());
    assertTrue(s1.out().contains("compared with first checkpoint run/s@0: mean Jaccard " + m1.group(1)), s1.toString());

    Path params = dir.resolve("params.json");
    Files.writeString(params, "{\"lr\": 0.001, \"loss\": \"triplet\"}");
    CliRun s2 = add(minilm, "run", "s", 2, "-p", params.toString());
    assertEquals(0, s2.exit(), s2.toString());
    // One k-NN pass of the new checkpoint for both references: theirs were kept when they were compared.
    assertTrue(Pattern.compile("compared with previous checkpoint run/s@1: .*; 1 k-NN pass\\)").matcher(s2.out()).find(), s2.toString());
    assertTrue(Pattern.compile("compared with first checkpoint run/s@0: mean Jaccard 1\\.0000.*; 0 k-NN passes\\)").matcher(s2.out()).find(), s2.toString());
    CliRun ls = v.run("ls");
    assertTrue(Pattern.compile("(?m)run +s@2 +s@0 +first").matcher(ls.out()).find(), ls.toString());
    assertTrue(Pattern.compile("(?m)run +s@2 +s@1 +previous").matcher(ls.out()).find(), ls.toString());

    CliRun bad = add(minilm, "run", "s", 3, "--dims", "128");
    assertEquals(2, bad.exit(), bad.toString());
    assertTrue(bad.err().contains("vectors have 384 dimensions, --dims says 128"), bad.toString());
    CliRun badP = add(minilm, "run", "s", 3, "-p", "novalue");
    assertEquals(2, badP.exit(), badP.toString());
    assertTrue(badP.err().contains("-p novalue: expected KEY=VALUE or a JSON file"), badP.toString());
  }

  @Test
  void whereTheSpacesDiffer() throws Exception {
    assertEquals(0, registerAndAdd(minilm, "a", "s", 0).exit());
    assertEquals(0, add(bge, "b", "s", 0).exit());
    Path perPoint = dir.resolve("per-point.csv");
    CliRun r = v.run("compare", "a/s", "b/s", "--worst", "3", "--per-point", perPoint.toString(), "--label-field", "label");
    assertEquals(0, r.exit(), r.toString());
    // Per-label means, lowest first.
    Matcher m = Pattern.compile("(?m)^  (\\S+) +(\\d\\.\\d{4})  \\(\\d+ points\\)$").matcher(r.out().substring(r.out().indexOf("lowest first:")));
    double last = -1;
    int labels = 0;
    while (m.find()) {
      double mean = Double.parseDouble(m.group(2));
      assertTrue(mean >= last, "sorted lowest first: " + r.out());
      last = mean;
      labels++;
    }
    assertTrue(labels >= 2, r.toString());
    assertTrue(r.out().contains("The 3 points with the lowest Jaccard"), r.toString());
    assertEquals(3, r.out().split("\n    in A \\(a/s@0\\): ", -1).length - 1, r.toString());
    io.vectory.core.space.Metadata pp = io.vectory.core.space.Metadata.read(perPoint);
    assertEquals(List.of("id", "jaccard"), pp.header().subList(0, 2));
    assertEquals(java.util.Set.of("label", "text"), java.util.Set.copyOf(pp.header().subList(2, 4)));
    assertEquals(N, pp.rows().size(), "one row per point");
    Matcher worst = Pattern.compile("(?m)^  (\\S+)  Jaccard (\\d\\.\\d{4})").matcher(r.out());
    assertTrue(worst.find());
    String worstId = worst.group(1);
    double worstJ = Double.parseDouble(worst.group(2));
    for (String j : pp.column("jaccard")) assertTrue(Double.parseDouble(j) >= worstJ - 5e-5, "the worst is the lowest: " + j);
    assertTrue(pp.column("id").contains(worstId), worstId);
  }
}
