package io.vectory.app.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.app.CliRun;
import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vectory add` refuses bad input before connecting anywhere (nothing listens at the Kafka address given). */
class AddCommandTest {

  @TempDir Path dir;

  private Path npy(float[][] v) throws Exception {
    Path p = dir.resolve("emb.npy");
    Npy.write(p, FloatMatrix.of(v));
    return p;
  }

  private CliRun add(String... extra) {
    String[] base = {"add", "--experiment-name", "exp", "--bootstrap-servers", "127.0.0.1:1"};
    String[] all = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return CliRun.run(all);
  }

  @Test
  void missingIdFieldNamesTheFileAndItsFields() throws Exception {
    Path e = npy(new float[][] {{1, 2}, {3, 4}});
    Path csv = Files.writeString(dir.resolve("data.csv"), "name,label\na,x\nb,y\n");
    CliRun r = add("-e", e.toString(), "-d", csv.toString(), "--id-field", "doc_id");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("data.csv: no field 'doc_id'; the header has [name, label]"), r.err());
  }

  @Test
  void corruptNpyNamesTheFile() throws Exception {
    Path e = npy(new float[][] {{1, 2}, {3, 4}, {5, 6}});
    byte[] b = Files.readAllBytes(e);
    Files.write(e, Arrays.copyOf(b, b.length - 5));
    CliRun r = add("-e", e.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("vectory add: " + e), r.err());
  }

  @Test
  void nanInNpyIsRefused() throws Exception {
    Path e = npy(new float[][] {{1, 2}, {3, Float.NaN}});
    CliRun r = add("-e", e.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("emb.npy") && r.err().toLowerCase().contains("nan"), r.err());
  }

  @Test
  void duplicateIdInCsvNamesTheLines() throws Exception {
    Path e = npy(new float[][] {{1}, {2}, {3}});
    Path csv = Files.writeString(dir.resolve("data.csv"), "id,label\na,x\nb,y\na,z\n");
    CliRun r = add("-e", e.toString(), "-d", csv.toString(), "--id-field", "id");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("duplicate id 'a'") && r.err().contains("lines 2 and 4"), r.err());
  }

  @Test
  void csvRowCountMustMatch() throws Exception {
    Path e = npy(new float[][] {{1}, {2}, {3}});
    Path csv = Files.writeString(dir.resolve("data.csv"), "id\na\nb\n");
    CliRun r = add("-e", e.toString(), "-d", csv.toString(), "--id-field", "id");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("2 data rows") && r.err().contains("3 vectors"), r.err());
  }

  @Test
  void idFieldWithoutDatasetIsExplained() throws Exception {
    CliRun r = add("-e", npy(new float[][] {{1}}).toString(), "--id-field", "id");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--id-field id needs -d/--dataset"), r.err());
  }

  @Test
  void missingFileAndBadMetric() throws Exception {
    CliRun r = add("-e", dir.resolve("nope.npy").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("nope.npy: no such file"), r.err());
    CliRun m = add("-e", npy(new float[][] {{1}}).toString(), "--metric", "manhattan");
    assertEquals(2, m.exit());
    assertTrue(m.err().contains("--metric manhattan is not one of cosine, euclidean (l2), dot"), m.err());
  }
}
