package io.vectory.core.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.vectors.FloatMatrix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy/.npz reading; fixtures are written byte by byte here, no Python needed. */
class NpyTest {
  @TempDir Path dir;

  static final float[][] M = {{1f, 2f, 3f}, {4f, -5.5f, 6.25f}};

  /** A .npy image: header of the given version + the values in the given dtype, order and byte order. */
  static byte[] npy(String descr, boolean fortran, long[] shape, int version, double[] values) {
    byte[] h = Npy.header(descr, fortran, shape, version);
    ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    int size = Integer.parseInt(descr.substring(2));
    ByteBuffer b = ByteBuffer.allocate(h.length + values.length * size).order(order);
    b.put(h);
    for (double v : values) {
      switch (descr.substring(1)) {
        case "f4" -> b.putFloat((float) v);
        case "f8" -> b.putDouble(v);
        case "f2" -> b.putShort(Float.floatToFloat16((float) v));
        case "i8" -> b.putLong((long) v);
        case "i4" -> b.putInt((int) v);
        default -> throw new IllegalArgumentException(descr);
      }
    }
    return b.array();
  }

  static double[] cOrder(float[][] m) {
    double[] v = new double[m.length * m[0].length];
    for (int r = 0; r < m.length; r++) for (int c = 0; c < m[0].length; c++) v[r * m[0].length + c] = m[r][c];
    return v;
  }

  static double[] fOrder(float[][] m) {
    double[] v = new double[m.length * m[0].length];
    for (int c = 0; c < m[0].length; c++) for (int r = 0; r < m.length; r++) v[c * m.length + r] = m[r][c];
    return v;
  }

  Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  static void assertMatrix(float[][] expected, FloatMatrix m) {
    assertEquals(expected.length, m.rows());
    assertEquals(expected[0].length, m.cols());
    for (int r = 0; r < m.rows(); r++) for (int c = 0; c < m.cols(); c++) assertEquals(expected[r][c], m.get(r, c), 0f);
  }

  @Test
  void readsEveryVersionDtypeAndOrder() throws IOException {
    for (int version : new int[] {1, 2, 3}) {
      for (String descr : new String[] {"<f4", ">f4", "<f8", "<f2"}) {
        for (boolean fortran : new boolean[] {false, true}) {
          double[] values = fortran ? fOrder(M) : cOrder(M);
          Path p = file("m-" + version + descr.substring(1) + (descr.charAt(0) == '>' ? "be" : "le") + fortran + ".npy",
              npy(descr, fortran, new long[] {2, 3}, version, values));
          assertMatrix(M, Npy.read(p).toFloatMatrix());
        }
      }
    }
  }

  @Test
  void writeThenReadRoundTrips() throws IOException {
    Path p = dir.resolve("w.npy");
    Npy.write(p, FloatMatrix.of(M));
    assertMatrix(M, Npy.read(p).toFloatMatrix());
    byte[] b = Files.readAllBytes(p);
    assertEquals(0, (b[8] & 0xff | (b[9] & 0xff) << 8) + 10 & 63, "data starts on a 64-byte boundary");
  }

  static byte[] zip(Map<String, byte[]> entries, boolean deflate) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bo)) {
      for (var e : entries.entrySet()) {
        ZipEntry ze = new ZipEntry(e.getKey());
        if (!deflate) {
          ze.setMethod(ZipEntry.STORED);
          ze.setSize(e.getValue().length);
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          ze.setCrc(crc.getValue());
        }
        z.putNextEntry(ze);
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return bo.toByteArray();
  }

  static byte[] unicodeIds(String... ids) {
    int width = 4;
    byte[] h = Npy.header("<U" + width, false, new long[] {ids.length}, 1);
    ByteBuffer b = ByteBuffer.allocate(h.length + ids.length * width * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(h);
    for (String id : ids) for (int c = 0; c < width; c++) b.putInt(c < id.length() ? id.charAt(c) : 0);
    return b.array();
  }

  @Test
  void readsNpzStoredAndDeflatedWithIdsAndNamedArrays() throws IOException {
    for (boolean deflate : new boolean[] {false, true}) {
      var entries = new java.util.LinkedHashMap<String, byte[]>();
      entries.put("ids.npy", unicodeIds("a", "bb"));
      entries.put("emb.npy", npy("<f4", false, new long[] {2, 3}, 1, cOrder(M)));
      entries.put("other.npy", npy("<f8", true, new long[] {2, 3}, 1, fOrder(M)));
      Path p = file("z" + deflate + ".npz", zip(entries, deflate));
      NpzFile z = Npy.readNpz(p);
      assertEquals(List.of("ids", "emb", "other"), z.names());
      assertMatrix(M, z.first().toFloatMatrix());
      assertMatrix(M, z.array("other").toFloatMatrix());
      assertEquals(List.of("a", "bb"), z.ids().orElseThrow());
      var e = assertThrows(NpyFormatException.class, () -> z.array("nope"));
      assertTrue(e.getMessage().contains("no array named 'nope'") && e.getMessage().contains("[ids, emb, other]"), e.getMessage());
    }
  }

  @Test
  void integerIdsReadAsStrings() throws IOException {
    Path p = file("i.npy", npy("<i8", false, new long[] {3}, 1, new double[] {7, 8, 9}));
    assertEquals(List.of("7", "8", "9"), Npy.read(p).toStrings());
  }

  private String error(byte[] bytes, String name) throws IOException {
    Path p = file(name, bytes);
    var e = assertThrows(NpyFormatException.class, () -> Npy.read(p).toFloatMatrix());
    assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void badMagic() throws IOException {
    byte[] b = npy("<f4", false, new long[] {2, 3}, 1, cOrder(M));
    b[1] = 'X';
    String m = error(b, "magic.npy");
    assertTrue(m.contains("bad magic string") && m.contains("expected \\x93NUMPY"), m);
  }

  @Test
  void badHeader() throws IOException {
    byte[] b = npy("<f4", false, new long[] {2, 3}, 1, cOrder(M));
    String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replace("'shape'", "'shapf'");
    String m = error(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "header.npy");
    assertTrue(m.contains("bad .npy header (no 'shape' tuple)"), m);
    assertTrue(error(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0, 0, 0}, "version.npy")
        .contains("unsupported .npy format version 9.0; expected 1.0, 2.0 or 3.0"));
  }

  @Test
  void unsupportedDtypes() throws IOException {
    String ints = error(npy("<i8", false, new long[] {2, 3}, 1, cOrder(M)), "ints.npy");
    assertTrue(ints.contains("unsupported dtype '<i8' (integers)") && ints.contains("expected floating point"), ints);
    byte[] obj = Npy.header("|O", false, new long[] {2, 3}, 1);
    String objects = error(java.util.Arrays.copyOf(obj, obj.length + 48), "obj.npy");
    assertTrue(objects.contains("unsupported dtype '|O' (Python objects)"), objects);
    byte[] cx = Npy.header("<c8", false, new long[] {2, 3}, 1);
    String complex = error(java.util.Arrays.copyOf(cx, cx.length + 48), "complex.npy");
    assertTrue(complex.contains("'<c8' (complex numbers)"), complex);
  }

  @Test
  void not2d() throws IOException {
    String one = error(npy("<f4", false, new long[] {6}, 1, cOrder(M)), "1d.npy");
    assertTrue(one.contains("expected a 2-D array (rows, dimensions), found shape (6,)"), one);
    String three = error(npy("<f4", false, new long[] {1, 2, 3}, 1, cOrder(M)), "3d.npy");
    assertTrue(three.contains("found shape (1, 2, 3)"), three);
  }

  @Test
  void truncated() throws IOException {
    byte[] b = npy("<f4", false, new long[] {2, 3}, 1, cOrder(M));
    String m = error(java.util.Arrays.copyOf(b, b.length - 5), "short.npy");
    assertTrue(m.contains("truncated: shape (2, 3) of '<f4' needs 24 data bytes, the file has 19 (complete rows: 1 of 2)"), m);
  }

  @Test
  void nanAndInfinityNameTheFirstRow() throws IOException {
    double[] v = cOrder(M);
    v[4] = Double.NaN;
    String nan = error(npy("<f4", false, new long[] {2, 3}, 1, v), "nan.npy");
    assertTrue(nan.contains("row 1 (column 1) is NaN; expected finite values"), nan);
    double[] w = cOrder(M);
    w[2] = Double.NEGATIVE_INFINITY;
    String inf = error(npy("<f8", false, new long[] {2, 3}, 2, w), "inf.npy");
    assertTrue(inf.contains("row 0 (column 2) is -Inf"), inf);
    double[] big = cOrder(M);
    big[3] = 1e300;
    String range = error(npy("<f8", false, new long[] {2, 3}, 1, big), "big.npy");
    assertTrue(range.contains("row 1 (column 0) is out of float32 range"), range);
  }

  @Test
  void notAZip() throws IOException {
    Path p = file("bad.npz", "this is not a zip".getBytes());
    var e = assertThrows(NpyFormatException.class, () -> Npy.readNpz(p));
    assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("not a .npz (zip) archive"), e.getMessage());
  }

  @Test
  void floatsAsIdsAreRejected() throws IOException {
    Path p = file("fid.npy", npy("<f4", false, new long[] {3}, 1, new double[] {1, 2, 3}));
    var e = assertThrows(NpyFormatException.class, () -> Npy.read(p).toStrings());
    assertTrue(e.getMessage().contains("unsupported dtype '<f4' for ids"), e.getMessage());
  }

  @Test
  void matchesNumpyWhenPresent() throws Exception {
    // Optional cross-check against NumPy's own writer; the tests above need no Python.
    Path py = Path.of("/usr/bin/python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(py), "no /usr/bin/python3");
    Path out = dir.resolve("np.npz");
    Process pr = new ProcessBuilder(py.toString(), "-c",
        "import numpy as np,sys; a=np.array([[1,2,3],[4,-5.5,6.25]]); "
            + "np.savez_compressed(sys.argv[1], ids=np.array(['a','bb']), v=np.asfortranarray(a.astype('>f4')), h=a.astype('<f2'))",
        out.toString()).redirectErrorStream(true).start();
    String log = new String(pr.getInputStream().readAllBytes());
    org.junit.jupiter.api.Assumptions.assumeTrue(pr.waitFor() == 0, "numpy not importable: " + log);
    NpzFile z = Npy.readNpz(out);
    assertMatrix(M, z.first().toFloatMatrix());
    assertMatrix(M, z.array("h").toFloatMatrix());
    assertEquals(List.of("a", "bb"), z.ids().orElseThrow());
    assertArrayEquals(new long[] {2, 3}, z.array("v").shape());
  }
}
