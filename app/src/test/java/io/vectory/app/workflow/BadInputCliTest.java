package io.vectory.app.workflow;

import io.vectory.ingest.Http;
import io.vectory.app.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on the command line (docs/bad-input.md, surface "CLI"): each case runs the real {@code vectory} command
 * in this JVM and asserts its exit code and that stderr names the file, record or field and what was expected. The
 * case ids are the doc table's ({@code BadInputDocTest}). {@code @name} in an argument is a file of the fixture.
 */
class BadInputCliTest {

  @TempDir static Path dir;
  static Vectory v;

  /** One row of the table: the command as typed, its exit code and the parts its message must hold. */
  record Case(String id, String input, List<String> args, int exit, List<String> parts) {
    @Override
    public String toString() {
      return id + " " + input;
    }
  }

  static Case c(String id, String input, List<String> args, int exit, String... parts) {
    return new Case(id, input, args, exit, List.of(parts));
  }

  static List<String> add(String file, String experiment, String... more) {
    List<String> a = new ArrayList<>(List.of("add", "-e", file, "--experiment-name", experiment));
    a.addAll(List.of(more));
    return a;
  }

  static Stream<Case> cases() {
    return Stream.of(
        // .npy/.npz files: corrupt and lying headers, dtypes, shapes, values
        c("C01", "a .npy cut short (last row incomplete)", add("@trunc.npy", "c01"), 2,
            "trunc.npy: truncated: shape (5, 4) of '<f4' needs 80 data bytes, the file has 70 (complete rows: 4 of 5)"),
        c("C02", "a .npy whose header claims 50 rows, holding 5", add("@lie.npy", "c02"), 2,
            "lie.npy: truncated: shape (50, 4) of '<f4' needs 800 data bytes", "(complete rows: 5 of 50)"),
        c("C03", "a PNG renamed .npy (foreign magic bytes)", add("@png.npy", "c03"), 2,
            "png.npy: not a NumPy .npy file: bad magic string (expected \\x93NUMPY, found \\x89PNG"),
        c("C04", "an empty .npy file", add("@empty.npy", "c04"), 2,
            "empty.npy: not a NumPy .npy file: only 0 bytes, expected the 6-byte magic"),
        c("C05", "a .npy header length beyond the file", add("@hdrlen.npy", "c05"), 2,
            "hdrlen.npy: truncated .npy header: it declares 65535 bytes"),
        c("C06", "a .npy header without 'descr'", add("@nodescr.npy", "c06"), 2,
            "nodescr.npy: bad .npy header (no 'descr')", "expected a dict with 'descr', 'fortran_order' and 'shape'"),
        c("C07", "a .npy of format version 9", add("@ver9.npy", "c07"), 2,
            "ver9.npy: unsupported .npy format version 9.0; expected 1.0, 2.0 or 3.0"),
        c("C08", "an int32 .npy", add("@int.npy", "c08"), 2,
            "int.npy: unsupported dtype '<i4' (integers); expected floating point vectors"),
        c("C09", "a Python-object .npy (pickle)", add("@obj.npy", "c09"), 2,
            "obj.npy: unsupported dtype '|O' (Python objects)"),
        c("C10", "a 1-D .npy", add("@d1.npy", "c10"), 2, "d1.npy: expected a 2-D array (rows, dimensions), found shape (5,)"),
        c("C11", "a 3-D .npy", add("@d3.npy", "c11"), 2, "d3.npy: expected a 2-D array (rows, dimensions), found shape (2, 3, 4)"),
        c("C12", "a NaN in the vectors", add("@nan.npy", "c12"), 2, "nan.npy: row 1 (column 2) is NaN; expected finite values in every row"),
        c("C13", "+Inf in the vectors", add("@inf.npy", "c13"), 2, "inf.npy: row 3 (column 0) is +Inf; expected finite values in every row"),
        c("C14", "a zero vector under cosine", add("@zerovec.npy", "c14"), 2,
            "zerovec.npy: c14/default@0: row 2 (id '2') is the zero vector, which has no direction under the cosine metric"),
        c("C15", "a .npy of 0 rows", add("@rows0.npy", "c15"), 2, "rows0.npy: c15/default@0: no vectors (0 rows)"),
        c("C16", "a one-row space", add("@rows1.npy", "c16"), 2, "rows1.npy: c16/default@0: 1 row: a space needs at least 2 points to have neighbours"),
        c("C17", "1 × 100,000 vectors", add("@wide.npy", "c17"), 2,
            "wide.npy: c17/default@0: dimension 100000 is above the limit of 4096 components per vector"),
        c("C18", "an .npz whose 'ids' array is shorter than the vectors", add("@idsshort.npz", "c18"), 2,
            "idsshort.npz: the 'ids' array has 3 entries for 5 vectors; expected one id per row"),
        c("C19", "an .npz with a duplicate id", add("@idsdup.npz", "c19"), 2,
            "idsdup.npz: duplicate id 'a' at rows 0 and 2"),
        c("C20", "an .npz holding random bytes", add("@junk.npz", "c20"), 2, "junk.npz: not a .npz (zip) archive"),
        // CSV metadata
        c("C21", "CSV: a duplicate id", add("@ok.npy", "c21", "-d", "@dup.csv", "--id-field", "id"), 2,
            "dup.csv: duplicate id 'a' in field 'id' on lines 2 and 4"),
        c("C22", "CSV: fewer rows than vectors", add("@ok.npy", "c22", "-d", "@short.csv", "--id-field", "id"), 2,
            "short.csv: 2 data rows, but ", "ok.npy has 5 vectors; expected one CSV row per vector, in the same order"),
        c("C23", "CSV: a row missing a field", add("@ok.npy", "c23", "-d", "@missing.csv", "--id-field", "id"), 2,
            "missing.csv: line 3 has 1 fields, the header has 2"),
        c("C24", "CSV: --id-field not in the header", add("@ok.npy", "c24", "-d", "@noid.csv", "--id-field", "id"), 2,
            "noid.csv: no field 'id'; the header has [name, t]"),
        c("C25", "CSV: Latin-1, not UTF-8", add("@ok.npy", "c25", "-d", "@latin1.csv"), 2,
            "latin1.csv: line 2: byte 0xe9 at offset 10 is not UTF-8; expected a UTF-8 CSV"),
        c("C26", "CSV: an unterminated quote", add("@ok.npy", "c26", "-d", "@unterminated.csv"), 2,
            "unterminated.csv: line 3: unterminated quoted field"),
        c("C27", "CSV: empty file", add("@ok.npy", "c27", "-d", "@empty.csv"), 2, "empty.csv: empty CSV; expected a header row of field names"),
        c("C28", "CSV: quoted commas and newlines (accepted, one row each)", add("@ok.npy", "c28", "-d", "@quoted.csv", "--id-field", "id"), 0,
            "dataset quoted registered from ", "(5 rows, ids from id)", "added c28/default@0: 5 rows × 4"),
        // Paths
        c("C29", "-e names a directory", add("@adir", "c29"), 2, "adir: is a directory; expected a .npy or .npz file"),
        c("C30", "-d names a directory", add("@ok.npy", "c30", "-d", "@adir"), 2, "adir: is a directory; expected a CSV file"),
        c("C31", "-e names a missing file", add("@nope.npy", "c31"), 2, "nope.npy: no such file"),
        // embeddings load
        c("C32", "embeddings load: a missing file", List.of("embeddings", "load", "i32", "@nope.npy"), 2, "vectory load: ", "nope.npy: no such file"),
        c("C33", "embeddings load: 0 rows", List.of("embeddings", "load", "i33", "@rows0.npy"), 2,
            "rows0.npy: 0 rows: a space needs at least 2 points to have neighbours"),
        c("C34", "embeddings load: one row", List.of("embeddings", "load", "i34", "@rows1.npy"), 2,
            "rows1.npy: 1 row: a space needs at least 2 points to have neighbours"),
        c("C35", "embeddings load: a non-UTF-8 CSV", List.of("embeddings", "load", "i35", "@ok.npy", "-d", "@latin1.csv"), 2,
            "latin1.csv: line 2: byte 0xe9 at offset 10 is not UTF-8"),
        c("C36", "embeddings load: a directory", List.of("embeddings", "load", "i36", "@adir"), 2, "adir: is a directory; expected a .npy or .npz file"),
        c("C37", "embeddings load: foreign magic bytes", List.of("embeddings", "load", "i37", "@png.npy"), 2,
            "png.npy: not a NumPy .npy file: bad magic string"),
        // k out of range, unknown points
        c("C38", "compare -k 0", List.of("compare", "k/default@0", "k/default@1", "-k", "0"), 2, "-k must be at least 1, got 0"),
        c("C39", "compare -k n (12 points)", List.of("compare", "k/default@0", "k/default@1", "-k", "12"), 2, "-k must be between 1 and n - 1 = 11, got 12"),
        c("C40", "compare -k -3", List.of("compare", "k/default@0", "k/default@1", "-k", "-3"), 2, "-k must be at least 1, got -3"),
        c("C41", "query -k 0", List.of("query", "k/default", "0", "-k", "0"), 2, "-k 0: expected at least 1"),
        c("C42", "query an id the space does not hold", List.of("query", "k/default", "nope"), 2, "no point with id 'nope' in k/default@1"),
        c("C52", "query -k above the space's points - 1 (12 points)", List.of("query", "k/default", "0", "-k", "12"), 2,
            "-k 12: k/default@1 holds 12 points, so at most 11 neighbours (not counting the point itself); expected -k 1..11"),
        // Names
        c("C43", "experiment name with '/' and '..'", add("@ok.npy", "a/../b"), 2, "experiment name 'a/../b' holds '/'"),
        c("C44", "experiment name of 300 characters", add("@ok.npy", "x".repeat(300)), 2,
            "experiment name is 300 characters long; at most 200 are allowed"),
        c("C45", "experiment name with an ANSI escape", add("@ok.npy", "a\u001b[31mb"), 2,
            "experiment name 'a\\u001B[31mb' holds the non-printable character U+001B at position 1"),
        c("C46", "experiment name '..%2F..%2Fetc' (kept verbatim: a name, never a path)", add("@ok.npy", "..%2F..%2Fetc"), 0,
            "added ..%2F..%2Fetc/default@0: 5 rows × 4"),
        c("C47", "a unicode experiment name (accepted)", add("@ok.npy", "Ünïcödé-実験"), 0, "added Ünïcödé-実験/default@0: 5 rows × 4"),
        c("C48", "an empty space name", add("@ok.npy", "c48", "--embedding-space-name", ""), 2, "space name is empty"),
        c("C49", "a negative step", add("@ok.npy", "c49", "--step", "-1"), 2, "c49/default@-1: step must be >= 0, got -1"),
        c("C50", "an unknown metric", add("@ok.npy", "c50", "--metric", "hamming"), 2, "--metric hamming is not one of cosine, euclidean (l2), dot"),
        c("C51", "a later step with fewer points than the pipeline's k + 1 (5 points, k = 10)", add("@ok.npy", "small", "--step", "1"), 2,
            "small/default@1 is stored but not compared with small/default@0: it has 5 points, and a comparison takes the k = 10 nearest neighbours"
                + " of each (the pipeline's k), which needs at least 11 points"));
  }

  @BeforeAll
  static void fixture() throws Exception {
    v = new Vectory(dir.resolve("data"));
    float[][] ok = rand(5, 4, 1);
    byte[] okNpy = Npy.toBytes(FloatMatrix.of(ok));
    Files.write(dir.resolve("ok.npy"), okNpy);
    Files.write(dir.resolve("trunc.npy"), Arrays.copyOf(okNpy, okNpy.length - 10));
    Files.write(dir.resolve("lie.npy"), Http.replace(okNpy, "(5, 4)", "(50, 4)"));
    Files.write(dir.resolve("png.npy"), Http.concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, new byte[40]));
    Files.write(dir.resolve("empty.npy"), new byte[0]);
    byte[] hdr = okNpy.clone();
    hdr[8] = (byte) 0xff;
    hdr[9] = (byte) 0xff;
    Files.write(dir.resolve("hdrlen.npy"), hdr);
    Files.write(dir.resolve("nodescr.npy"), Http.replace(okNpy, "'descr'", "'dexcr'"));
    byte[] v9 = okNpy.clone();
    v9[6] = 9;
    Files.write(dir.resolve("ver9.npy"), v9);
    Files.write(dir.resolve("int.npy"), Http.concat(Npy.header("<i4", false, new long[] {5, 4}, 1), new byte[80]));
    Files.write(dir.resolve("obj.npy"), Http.concat(Npy.header("|O", false, new long[] {1, 2}, 1), new byte[16]));
    Files.write(dir.resolve("d1.npy"), Http.concat(Npy.header("<f4", false, new long[] {5}, 1), floats(new float[] {1, 2, 3, 4, 5})));
    Files.write(dir.resolve("d3.npy"), Http.concat(Npy.header("<f4", false, new long[] {2, 3, 4}, 1), floats(new float[24])));
    float[][] nan = rand(5, 4, 2);
    nan[1][2] = Float.NaN;
    Files.write(dir.resolve("nan.npy"), Npy.toBytes(FloatMatrix.of(nan)));
    float[][] inf = rand(5, 4, 3);
    inf[3][0] = Float.POSITIVE_INFINITY;
    Files.write(dir.resolve("inf.npy"), Npy.toBytes(FloatMatrix.of(inf)));
    float[][] zero = rand(5, 4, 4);
    zero[2] = new float[4];
    Files.write(dir.resolve("zerovec.npy"), Npy.toBytes(FloatMatrix.of(zero)));
    Files.write(dir.resolve("rows0.npy"), Npy.toBytes(FloatMatrix.wrap(0, 8, new float[0])));
    Files.write(dir.resolve("rows1.npy"), Npy.toBytes(FloatMatrix.of(rand(1, 8, 5))));
    Files.write(dir.resolve("wide.npy"), Npy.toBytes(FloatMatrix.of(rand(1, 100_000, 6))));
    Files.write(dir.resolve("idsshort.npz"), Http.npz(ok, List.of("a", "b", "c")));
    Files.write(dir.resolve("idsdup.npz"), Http.npz(ok, List.of("a", "b", "a", "c", "d")));
    Files.write(dir.resolve("junk.npz"), Http.concat(new byte[] {'P', 'K', 3, 4}, "not really a zip archive at all".getBytes(StandardCharsets.US_ASCII)));
    Files.writeString(dir.resolve("dup.csv"), "id,t\na,1\nb,2\na,3\nc,4\nd,5\n");
    Files.writeString(dir.resolve("short.csv"), "id,t\na,1\nb,2\n");
    Files.writeString(dir.resolve("missing.csv"), "id,t\na,1\nb\nc,3\nd,4\ne,5\n");
    Files.writeString(dir.resolve("noid.csv"), "name,t\na,1\nb,2\nc,3\nd,4\ne,5\n");
    Files.write(dir.resolve("latin1.csv"), "id,t\n1,caf\u00e9\n2,x\n3,y\n4,z\n5,w\n".getBytes(StandardCharsets.ISO_8859_1));
    Files.writeString(dir.resolve("unterminated.csv"), "id,t\n1,a\n2,\"open\n3,c\n");
    Files.writeString(dir.resolve("empty.csv"), "");
    Files.writeString(dir.resolve("quoted.csv"), "id,t\na,\"x, y\"\nb,\"line1\nline2\"\nc,\"say \"\"hi\"\"\"\nd,4\ne,5\n");
    Files.createDirectories(dir.resolve("adir"));
    // Two accepted steps for the compare and query cases.
    Files.write(dir.resolve("k0.npy"), Npy.toBytes(FloatMatrix.of(rand(12, 4, 8))));
    CliRun k0 = v.run("add", "-e", dir.resolve("k0.npy").toString(), "--experiment-name", "k", "--step", "0");
    assertEquals(0, k0.exit(), k0.toString());
    Files.write(dir.resolve("ok1.npy"), Npy.toBytes(FloatMatrix.of(rand(12, 4, 7))));
    CliRun k1 = v.run("add", "-e", dir.resolve("ok1.npy").toString(), "--experiment-name", "k", "--step", "1");
    assertEquals(0, k1.exit(), k1.toString());
    CliRun small = v.run("add", "-e", dir.resolve("ok.npy").toString(), "--experiment-name", "small", "--step", "0");
    assertEquals(0, small.exit(), "a first step has nothing to compare with: " + small);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachBadInputIsAClearErrorWithItsExitCode(Case c) {
    String[] args = c.args().stream().map(a -> a.startsWith("@") ? dir.resolve(a.substring(1)).toString() : a).toArray(String[]::new);
    CliRun r = v.run(args);
    assertEquals(c.exit(), r.exit(), r.toString());
    String text = c.exit() == 0 ? r.out() + r.err() : r.err();
    for (String part : c.parts()) assertTrue(text.contains(part), () -> c.id() + ": expected '" + part + "' in\n" + r);
    // No Java class names, no stack traces: the user sees the reason.
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.err().contains("java."), r.toString());
  }

  @Test
  void aRefusedAddRegistersNothingAndLosesNothingAlreadyAccepted() throws Exception {
    Files.writeString(dir.resolve("five.csv"), "id,t\na,1\nb,2\nc,3\nd,4\ne,5\n");
    CliRun bad = v.run("add", "-e", dir.resolve("zerovec.npy").toString(), "-d", dir.resolve("five.csv").toString(), "--id-field", "id",
        "--dataset-name", "refused-ds", "--experiment-name", "refused");
    assertEquals(2, bad.exit(), bad.toString());
    assertTrue(bad.err().contains("row 2 (id 'c') is the zero vector"), bad.toString());
    assertFalse(bad.err().contains("registered"), "no dataset registered before the refusal: " + bad);
    CliRun ls = v.run("ls");
    assertEquals(0, ls.exit(), ls.toString());
    assertFalse(ls.out().contains("refused"), ls.toString());
    assertTrue(ls.out().contains("s@1") || ls.out().contains("default@1") || ls.out().contains("k "), "the accepted space k is still listed: " + ls);
    assertEquals(0, v.run("query", "k/default", "0", "-k", "2").exit(), "the accepted space still answers");
  }

  /** The case ids of this suite, for BadInputDocTest. */
  static List<String> ids() {
    return cases().map(Case::id).toList();
  }

  static float[][] rand(int n, int d, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[][] v = new float[n][d];
    for (float[] row : v) for (int i = 0; i < d; i++) row[i] = (float) r.nextGaussian();
    return v;
  }

  static byte[] floats(float[] f) {
    ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(f);
    return b.array();
  }

}
