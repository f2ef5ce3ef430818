package io.vectory.core.space;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A metadata CSV (RFC 4180: header row, comma separated, fields optionally quoted with "" escapes), one data row
 * per vector, in the vectors' row order.
 *
 * @param source the file, named in errors
 * @param header field names
 * @param rows data rows, each with one value per header field
 * @param lines the 1-based line each data row starts on, for errors
 */
public record Metadata(String source, List<String> header, List<List<String>> rows, int[] lines) {

  public static Metadata read(Path file) throws IOException {
    return parse(file.toString(), readText(file));
  }

  /**
   * The CSV's text, decoded as UTF-8. A directory, or bytes that are not UTF-8 (a Latin-1 or Windows-1252 export),
   * are refused naming the file and, for bad bytes, the line and the byte.
   */
  public static String readText(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a directory; expected a CSV file");
    if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
    return decode(file.toString(), Files.readAllBytes(file));
  }

  /** CSV bytes decoded as UTF-8; bytes that are not UTF-8 are refused naming {@code source}, the line and the byte. */
  public static String decode(String source, byte[] bytes) {
    return decode(source, bytes, "a UTF-8 CSV (re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8)");
  }

  /** Text bytes decoded as UTF-8, else refused naming {@code source}, the line, the byte and {@code expected}. */
  public static String decode(String source, byte[] bytes, String expected) {
    java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    java.nio.charset.CoderResult r = dec.decode(in, out, true);
    if (r.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
      throw new IllegalArgumentException(source + ": line " + line + ": byte 0x" + String.format("%02x", bytes[at] & 0xff) + " at offset " + at
          + " is not UTF-8; expected " + expected);
    }
    dec.flush(out);
    return out.flip().toString();
  }

  public static Metadata parse(String source, String text) {
    List<List<String>> records = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int line = 1;
    int rowStart = 1;
    if (text.startsWith("\uFEFF")) text = text.substring(1);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            f.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') line++;
          f.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        row.add(f.toString());
        f.setLength(0);
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
        if (any || f.length() > 0) {
          row.add(f.toString());
          records.add(row);
          starts.add(rowStart);
        }
        row = new ArrayList<>();
        f.setLength(0);
        any = false;
        line++;
        rowStart = line;
      } else {
        f.append(c);
        any = true;
      }
    }
    if (quoted) throw new IllegalArgumentException(source + ": line " + rowStart + ": unterminated quoted field");
    if (any || f.length() > 0) {
      row.add(f.toString());
      records.add(row);
      starts.add(rowStart);
    }
    if (records.isEmpty()) throw new IllegalArgumentException(source + ": empty CSV; expected a header row of field names");
    List<String> header = records.get(0).stream().map(String::strip).toList();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      if (seen.put(header.get(i), i) != null) {
        throw new IllegalArgumentException(source + ": the header names field '" + header.get(i) + "' twice");
      }
    }
    int[] lines = new int[records.size() - 1];
    for (int r = 1; r < records.size(); r++) {
      if (records.get(r).size() != header.size()) {
        throw new IllegalArgumentException(source + ": line " + starts.get(r) + " has " + records.get(r).size()
            + " fields, the header has " + header.size());
      }
      lines[r - 1] = starts.get(r);
    }
    return new Metadata(source, header, List.copyOf(records.subList(1, records.size())), lines);
  }

  /** The values of a field; the error names the file and lists the fields there are. */
  public List<String> column(String field) {
    int c = header.indexOf(field);
    if (c < 0) {
      throw new IllegalArgumentException(source + ": no field '" + field + "'; the header has " + header);
    }
    List<String> out = new ArrayList<>(rows.size());
    for (List<String> r : rows) out.add(r.get(c));
    return out;
  }

  /** The id field's values, which must be unique and non-empty. */
  public List<String> ids(String idField) {
    List<String> ids = column(idField);
    Map<String, Integer> first = new HashMap<>(ids.size() * 2);
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i).isEmpty()) {
        throw new IllegalArgumentException(source + ": line " + lines[i] + ": empty id in field '" + idField + "'");
      }
      Integer prev = first.putIfAbsent(ids.get(i), i);
      if (prev != null) {
        throw new IllegalArgumentException(source + ": duplicate id '" + ids.get(i) + "' in field '" + idField
            + "' on lines " + lines[prev] + " and " + lines[i]);
      }
    }
    return ids;
  }

  /**
   * The space with this file's columns attached. When the space has no ids of its own ({@code ownIds} false),
   * the CSV rows are its rows in order and {@code idField} (or, when null, the row number) gives the ids; the
   * row counts must match. When it has its own ids (an .npz 'ids' array) and {@code idField} is given, CSV rows
   * are matched to vectors by id.
   */
  public Space attach(Space space, boolean ownIds, String idField) {
    int n = space.vectors().rows();
    if (rows.size() != n) {
      throw new IllegalArgumentException(source + ": " + rows.size() + " data rows, but " + space.name() + " has " + n
          + " vectors; expected one CSV row per vector, in the same order");
    }
    Map<String, List<String>> cols = new LinkedHashMap<>();
    if (ownIds && idField != null) {
      List<String> csvIds = ids(idField);
      Map<String, Integer> rowOf = new HashMap<>(n * 2);
      for (int i = 0; i < n; i++) rowOf.put(csvIds.get(i), i);
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        Integer r = rowOf.get(space.ids().get(i));
        if (r == null) {
          throw new IllegalArgumentException(source + ": no row with " + idField + " = '" + space.ids().get(i) + "' (an id of "
              + space.name() + ")");
        }
        order[i] = r;
      }
      for (String h : header) {
        List<String> src = column(h);
        List<String> v = new ArrayList<>(n);
        for (int i = 0; i < n; i++) v.add(src.get(order[i]));
        cols.put(h, v);
      }
      return new Space(space.name(), space.ids(), space.vectors(), cols);
    }
    for (String h : header) cols.put(h, column(h));
    List<String> ids = ownIds ? space.ids() : (idField == null ? Space.rowNumbers(n) : ids(idField));
    return new Space(space.name(), ids, space.vectors(), cols);
  }
}
