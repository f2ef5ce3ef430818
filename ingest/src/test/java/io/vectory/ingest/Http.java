package io.vectory.ingest;

import io.vectory.core.npy.Npy;
import io.vectory.core.vectors.FloatMatrix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Request bodies as NumPy would write them, byte surgery on them, and a tiny client. Shared with app's tests (test jar). */
public final class Http {
  private Http() {}

  static final HttpClient CLIENT = HttpClient.newHttpClient();

  public static byte[] npy(float[][] v) {
    return Npy.toBytes(FloatMatrix.of(v));
  }

  /** An .npz with 'vectors' (float32) and 'ids' (NumPy '<U' strings, UTF-32LE, fixed width). */
  public static byte[] npz(float[][] v, List<String> ids) throws IOException {
    int width = ids.stream().mapToInt(s -> s.codePointCount(0, s.length())).max().orElse(1);
    byte[] header = Npy.header("<U" + width, false, new long[] {ids.size()}, 1);
    ByteArrayOutputStream idBytes = new ByteArrayOutputStream();
    idBytes.write(header);
    for (String id : ids) {
      byte[] u = id.getBytes(java.nio.charset.Charset.forName("UTF-32LE"));
      idBytes.write(u);
      idBytes.write(new byte[width * 4 - u.length]);
    }
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      z.putNextEntry(new ZipEntry("vectors.npy"));
      z.write(npy(v));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("ids.npy"));
      z.write(idBytes.toByteArray());
      z.closeEntry();
    }
    return zip.toByteArray();
  }

  static HttpResponse<String> multipart(String url, byte[] npy, String ids) throws Exception {
    String boundary = "vectory-test-boundary";
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"vectors\"; filename=\"v.npy\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    b.write(npy);
    b.write(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"ids\"\r\n\r\n" + ids
        + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(b.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url, byte[] body, String contentType) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] o = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, o, a.length, b.length);
    return o;
  }

  /** {@code bytes} with {@code from} replaced by {@code to}, read as Latin-1; fails when {@code from} is absent. */
  public static byte[] replace(byte[] bytes, String from, String to) {
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    if (!s.contains(from)) throw new AssertionError("no '" + from + "' in the bytes to change");
    return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
  }
}
