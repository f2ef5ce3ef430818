package io.vectory.ingest.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of RFC 7578 multipart/form-data: named parts and their bytes. */
final class Multipart {
  private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
  private static final Pattern NAME = Pattern.compile("name=\"([^\"]*)\"");

  private Multipart() {}

  static Map<String, byte[]> parse(String contentType, byte[] body) {
    Matcher bm = BOUNDARY.matcher(contentType);
    if (!bm.find()) throw new IllegalArgumentException("multipart Content-Type without a boundary: " + contentType);
    byte[] delim = ("--" + (bm.group(1) != null ? bm.group(1) : bm.group(2))).getBytes(StandardCharsets.ISO_8859_1);
    Map<String, byte[]> parts = new LinkedHashMap<>();
    int pos = indexOf(body, delim, 0);
    if (pos < 0) throw new IllegalArgumentException("multipart body does not contain its boundary");
    while (true) {
      int start = pos + delim.length;
      if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') break; // closing delimiter
      start = skipCrlf(body, start);
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
      if (headersEnd < 0) throw new IllegalArgumentException("multipart part without a blank line after its headers");
      String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
      int dataStart = headersEnd + 4;
      int next = indexOf(body, delim, dataStart);
      if (next < 0) throw new IllegalArgumentException("multipart body is not closed by its boundary");
      int dataEnd = next >= 2 && body[next - 2] == '\r' && body[next - 1] == '\n' ? next - 2 : next;
      Matcher nm = NAME.matcher(headers);
      if (nm.find()) parts.put(nm.group(1), Arrays.copyOfRange(body, dataStart, dataEnd));
      pos = next;
    }
    return parts;
  }

  private static int skipCrlf(byte[] b, int i) {
    return i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n' ? i + 2 : i;
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}
