package io.vectory.ingest;

import io.vectory.schemas.CheckpointNames;
import io.vectory.schemas.CheckpointProtocol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a checkpoint before anything is sent (the consumers' checks of {@link CheckpointProtocol}, on the caller's
 * arrays); the first problem found is reported with its row, id or column.
 */
final class CheckpointValidator {
  private CheckpointValidator() {}

  static void validate(String experiment, String space, long step, List<String> ids, Rows rows, SpaceDescription d) {
    try {
      CheckpointNames.requireValid("experiment", experiment);
      CheckpointNames.requireValid("space", space);
      if (d != null && d.dataset() != null) CheckpointNames.requirePrintable("dataset", d.dataset());
      if (d != null && d.model() != null) CheckpointNames.requirePrintable("model", d.model());
    } catch (IllegalArgumentException e) {
      throw new InvalidCheckpointException(e.getMessage());
    }
    String where = CheckpointNames.of(experiment, space, step);
    if (step < 0) throw new InvalidCheckpointException(where + ": step must be >= 0, got " + step);
    int n = rows.rows();
    if (n == 0) throw new InvalidCheckpointException(where + ": no vectors (0 rows)");
    if (ids == null) throw new InvalidCheckpointException(where + ": ids are missing");
    int dim = rows.dimension();
    if (dim == 0) throw new InvalidCheckpointException(where + ": vectors have dimension 0");
    String size = CheckpointProtocol.checkSize(n, dim);
    if (!size.isEmpty()) throw new InvalidCheckpointException(where + ": " + size);
    if (rows instanceof Rows.Arrays2d a) {
      for (int r = 0; r < n; r++) {
        float[] row = a.row(r);
        if (row == null) throw new InvalidCheckpointException(where + ": row " + r + " is null");
        if (row.length != dim) {
          throw new InvalidCheckpointException(where + ": row " + r + (r < ids.size() ? " (id '" + ids.get(r) + "')" : "")
              + " has dimension " + row.length + ", expected " + dim + " like row 0");
        }
      }
    } else if (rows instanceof Rows.Buffer b && b.remaining() % dim != 0) {
      throw new InvalidCheckpointException(where + ": the buffer holds " + b.remaining() + " floats, not a multiple of dimension " + dim);
    }
    if (ids.size() != n) throw new InvalidCheckpointException(where + ": " + ids.size() + " ids for " + n + " vectors; expected one id per row");
    Map<String, Integer> seen = new HashMap<>(n * 2);
    for (int r = 0; r < n; r++) {
      String id = ids.get(r);
      if (id == null || id.isEmpty()) throw new InvalidCheckpointException(where + ": id of row " + r + " is missing (null or empty)");
      Integer first = seen.putIfAbsent(id, r);
      if (first != null) throw new InvalidCheckpointException(where + ": duplicate id '" + id + "' at rows " + first + " and " + r + "; ids must be unique");
    }
    boolean cosine = d.metric() == io.vectory.avro.Metric.COSINE;
    for (int r = 0; r < n; r++) {
      boolean zero = true;
      for (int c = 0; c < dim; c++) {
        float f = rows.get(r, c);
        if (!Float.isFinite(f)) {
          throw new InvalidCheckpointException(where + ": row " + r + " (id '" + ids.get(r) + "') component " + c + " is " + f + "; vectors must be finite");
        }
        zero &= f == 0;
      }
      if (zero && cosine) {
        throw new InvalidCheckpointException(where + ": row " + r + " (id '" + ids.get(r) + "') is the zero vector, which has no direction under the cosine metric;"
            + " drop it or publish with another metric");
      }
    }
    for (Map.Entry<String, List<String>> col : d.columns().entrySet()) {
      if (col.getValue().size() != n) {
        throw new InvalidCheckpointException(where + ": metadata column '" + col.getKey() + "' has " + col.getValue().size() + " values for " + n + " rows");
      }
    }
  }
}
