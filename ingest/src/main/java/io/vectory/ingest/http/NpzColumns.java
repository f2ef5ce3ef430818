package io.vectory.ingest.http;

import io.vectory.core.npy.Npy;
import io.vectory.core.npy.NpyArray;
import io.vectory.core.npy.NpyFormatException;
import io.vectory.core.npy.NpzFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Metadata columns of an .npz body: every 1-D array besides the vectors and the ids, one value per row. */
final class NpzColumns {
  private static final Set<String> RESERVED = Set.of("vectors", "embeddings", NpzFile.IDS);

  private NpzColumns() {}

  static Map<String, List<String>> read(String source, byte[] body, int rows) throws IOException {
    if (body.length < 4 || body[0] != 'P' || body[1] != 'K') return Map.of(); // an .npy: no columns
    Path tmp = Files.createTempFile("vectory-ingest-columns", ".npz");
    try {
      Files.write(tmp, body);
      NpzFile z = Npy.readNpz(tmp);
      Map<String, List<String>> out = new LinkedHashMap<>();
      boolean named = z.names().contains("vectors") || z.names().contains("embeddings");
      boolean first = true;
      for (String n : z.names()) {
        boolean isVectors = !named && first && !n.equals(NpzFile.IDS);
        if (!n.equals(NpzFile.IDS)) first = false;
        if (RESERVED.contains(n) || isVectors) continue;
        NpyArray a = z.array(n);
        if (a.shape().length != 1) {
          throw new IllegalArgumentException(source + ": array '" + n + "' has shape " + a.shapeString()
              + "; expected a metadata column (1-D, one value per vector) besides the vectors and 'ids'");
        }
        List<String> values;
        try {
          values = a.toStrings();
        } catch (NpyFormatException e) {
          throw new IllegalArgumentException(source + ": metadata column '" + n + "': " + e.getMessage(), e);
        }
        if (values.size() != rows) {
          throw new IllegalArgumentException(source + ": metadata column '" + n + "' has " + values.size() + " values, but there are "
              + rows + " vectors; expected one value per vector, in row order");
        }
        out.put(n, values);
      }
      return out;
    } catch (NpyFormatException e) {
      throw new NpyFormatException(e.getMessage().replace(tmp.toString(), source), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
