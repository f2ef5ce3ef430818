package io.vectory.core.npy;

import io.vectory.core.vectors.FloatMatrix;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0) and {@code .npz} archives of them. See
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*(?:'([^']*)'|\"([^\"]*)\"|(\\[))");
  private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Reads a {@code .npy} file (memory-mapped; the data is converted on {@link NpyArray#toFloatMatrix()}). */
  public static NpyArray read(Path file) throws IOException {
    ByteBuffer whole;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new NpyFormatException(file + ": " + size + " bytes; files over 2 GiB are not supported, use --sample on a smaller export");
      }
      whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    return parse(file.toString(), whole);
  }

  /** Reads every array of a {@code .npz} archive (stored or deflated). */
  public static NpzFile readNpz(Path file) throws IOException {
    return NpzFile.read(file);
  }

  /** Reads a {@code .npy} or {@code .npz} (by its name), giving the chosen array (or the first) as a float matrix. */
  public static FloatMatrix readMatrix(Path file, String arrayName) throws IOException {
    if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npz")) {
      NpzFile z = readNpz(file);
      return (arrayName == null ? z.first() : z.array(arrayName)).toFloatMatrix();
    }
    return read(file).toFloatMatrix();
  }

  /** Parses one {@code .npy} image; {@code source} names it in errors. */
  public static NpyArray parse(String source, ByteBuffer whole) throws NpyFormatException {
    ByteBuffer b = whole.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 10) {
      throw new NpyFormatException(source + ": not a NumPy .npy file: only " + b.remaining()
          + " bytes, expected the 6-byte magic \\x93NUMPY, a version and a header");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(i) != MAGIC[i]) {
        throw new NpyFormatException(source + ": not a NumPy .npy file: bad magic string (expected \\x93NUMPY, found "
            + printable(b, 6) + ")");
      }
    }
    int major = b.get(6) & 0xff;
    int minor = b.get(7) & 0xff;
    long headerLen;
    int headerStart;
    switch (major) {
      case 1 -> {
        headerLen = b.getShort(8) & 0xffff;
        headerStart = 10;
      }
      case 2, 3 -> {
        if (b.remaining() < 12) throw new NpyFormatException(source + ": truncated .npy header");
        headerLen = b.getInt(8) & 0xffffffffL;
        headerStart = 12;
      }
      default -> throw new NpyFormatException(source + ": unsupported .npy format version " + major + "." + minor
          + "; expected 1.0, 2.0 or 3.0");
    }
    if (headerStart + headerLen > b.remaining()) {
      throw new NpyFormatException(source + ": truncated .npy header: it declares " + headerLen + " bytes, the file has "
          + (b.remaining() - headerStart) + " after the preamble");
    }
    byte[] hb = new byte[(int) headerLen];
    b.get(headerStart, hb);
    // Versions 1 and 2 use latin-1 headers, version 3 UTF-8; the dict itself is ASCII either way.
    String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();

    Matcher dm = DESCR.matcher(header);
    if (!dm.find()) throw badHeader(source, header, "no 'descr'");
    if (dm.group(3) != null) {
      throw new NpyFormatException(source + ": unsupported dtype: structured records (" + abbreviate(header)
          + "); expected a plain float array ('<f4', '>f4', '<f8' or '<f2')");
    }
    String descr = dm.group(1) != null ? dm.group(1) : dm.group(2);
    Matcher fm = FORTRAN.matcher(header);
    if (!fm.find()) throw badHeader(source, header, "no 'fortran_order'");
    boolean fortran = fm.group(1).equals("True");
    Matcher sm = SHAPE.matcher(header);
    if (!sm.find()) throw badHeader(source, header, "no 'shape' tuple");
    String[] parts = sm.group(1).split(",");
    int dims = 0;
    long[] tmp = new long[parts.length];
    for (String p : parts) {
      String t = p.strip();
      if (t.isEmpty()) continue;
      if (t.endsWith("L")) t = t.substring(0, t.length() - 1); // Python 2 longs
      try {
        tmp[dims++] = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw badHeader(source, header, "shape entry '" + t + "' is not an integer");
      }
      if (tmp[dims - 1] < 0) throw badHeader(source, header, "negative shape");
    }
    long[] shape = java.util.Arrays.copyOf(tmp, dims);

    NpyArray.Dtype t = NpyArray.Dtype.parse(source, descr);
    long count = 1;
    for (long s : shape) count = Math.multiplyExact(count, s);
    long need = Math.multiplyExact(count, (long) t.itemSize());
    long dataStart = headerStart + headerLen;
    long have = b.remaining() - dataStart;
    if (have < need) {
      long rowBytes = shape.length >= 2 ? need / Math.max(1, shape[0]) : t.itemSize();
      throw new NpyFormatException(source + ": truncated: shape " + shapeString(shape) + " of '" + descr + "' needs "
          + need + " data bytes, the file has " + have
          + (shape.length >= 2 && rowBytes > 0 ? " (complete rows: " + (have / rowBytes) + " of " + shape[0] + ")" : ""));
    }
    if (need > Integer.MAX_VALUE) {
      throw new NpyFormatException(source + ": " + need + " data bytes; arrays over 2 GiB are not supported");
    }
    ByteBuffer data = b.slice((int) dataStart, (int) need);
    return new NpyArray(source, descr, fortran, shape, data);
  }

  /** Writes {@code m} as a version 1.0, C-order, little-endian float32 ({@code <f4}) {@code .npy} file. */
  public static void write(Path file, FloatMatrix m) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(toBytes(m));
    }
  }

  /** The bytes of {@link #write}. */
  public static byte[] toBytes(FloatMatrix m) {
    byte[] header = header("<f4", false, new long[] {m.rows(), m.cols()}, 1);
    ByteBuffer b = ByteBuffer.allocate(header.length + m.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(header);
    b.asFloatBuffer().put(m.data());
    return b.array();
  }

  /**
   * The preamble and header of a {@code .npy} file of the given version, padded with spaces and a newline so
   * the data starts on a 64-byte boundary, as NumPy writes it.
   */
  public static byte[] header(String descr, boolean fortranOrder, long[] shape, int version) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False") + ", 'shape': "
        + shapeString(shape) + ", }";
    int pre = version == 1 ? 10 : 12;
    int total = pre + dict.length() + 1;
    int padded = (total + 63) / 64 * 64;
    String h = dict + " ".repeat(padded - total) + "\n";
    byte[] hb = h.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(pre + hb.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) version).put((byte) 0);
    if (version == 1) b.putShort((short) hb.length);
    else b.putInt(hb.length);
    b.put(hb);
    return b.array();
  }

  static String shapeString(long[] shape) {
    if (shape.length == 1) return "(" + shape[0] + ",)";
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
    return sb.append(')').toString();
  }

  private static NpyFormatException badHeader(String source, String header, String why) {
    return new NpyFormatException(source + ": bad .npy header (" + why + "): " + abbreviate(header)
        + "; expected a dict with 'descr', 'fortran_order' and 'shape'");
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }

  private static String printable(ByteBuffer b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int c = b.get(i) & 0xff;
      if (c >= 32 && c < 127) sb.append((char) c);
      else sb.append(String.format("\\x%02x", c));
    }
    return sb.toString();
  }
}
