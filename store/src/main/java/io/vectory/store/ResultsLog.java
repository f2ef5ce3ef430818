package io.vectory.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectory.avro.ComparisonResult;
import io.vectory.avro.DeadLetter;
import io.vectory.avro.DriftAlert;
import io.vectory.sink.Docs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded store's comparison results, drift alerts and the pipeline's rejections (its dead letters):
 * {@code comparisons.jsonl}, {@code alerts.jsonl} and {@code rejections.jsonl}, the documents of the OpenSearch
 * result indices ({@link Docs}), one per line with its natural {@code _id}; the last line of an {@code _id} wins. Its own lock:
 * appending a result never waits for an index write or a search.
 */
final class ResultsLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path comparisons;
  private final Path alerts;
  private final Path rejections;

  ResultsLog(Path root) {
    this.comparisons = root.resolve("comparisons.jsonl");
    this.alerts = root.resolve("alerts.jsonl");
    this.rejections = root.resolve("rejections.jsonl");
  }

  synchronized void putComparisons(List<ComparisonResult> results) {
    List<String> lines = new ArrayList<>();
    for (ComparisonResult r : results) lines.add(line(Docs.comparisonId(r), Docs.comparisonDoc(r)));
    append(comparisons, lines);
  }

  synchronized void putAlerts(List<DriftAlert> list) {
    List<String> lines = new ArrayList<>();
    for (DriftAlert a : list) lines.add(line(Docs.alertId(a), Docs.alertDoc(a)));
    append(alerts, lines);
  }

  synchronized void putDeadLetters(List<DeadLetter> list) {
    List<String> lines = new ArrayList<>();
    for (DeadLetter d : list) lines.add(line(Docs.deadLetterId(d), Docs.deadLetterDoc(d)));
    append(rejections, lines);
  }

  synchronized List<ComparisonResult> comparisons(String experiment) {
    List<ComparisonResult> out = new ArrayList<>();
    for (Map<String, Object> d : readLines(comparisons, experiment)) out.add(Docs.comparisonFromDoc(d));
    return out;
  }

  synchronized List<DriftAlert> alerts(String experiment) {
    List<DriftAlert> out = new ArrayList<>();
    for (Map<String, Object> d : readLines(alerts, experiment)) out.add(Docs.alertFromDoc(d));
    return out;
  }

  synchronized List<DeadLetter> deadLetters(String experiment) {
    List<DeadLetter> out = new ArrayList<>();
    for (Map<String, Object> d : readLines(rejections, experiment)) out.add(Docs.deadLetterFromDoc(d));
    return out;
  }

  /** Drops every result, alert and rejection of an experiment (rewrites the files without them). */
  synchronized int deleteExperiment(String experiment) {
    return rewriteWithout(comparisons, experiment) + rewriteWithout(alerts, experiment) + rewriteWithout(rejections, experiment);
  }

  private static int rewriteWithout(Path file, String experiment) {
    if (!Files.exists(file)) return 0;
    try {
      List<String> keep = new ArrayList<>();
      int dropped = 0;
      for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (l.isBlank()) continue;
        Map<String, Object> d;
        try {
          d = JSON.readValue(l, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
          keep.add(l); // not ours to judge here; readLines reports it
          continue;
        }
        if (experiment.equals(d.get("experiment"))) dropped++;
        else keep.add(l);
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, keep, StandardCharsets.UTF_8);
      IndexFolders.atomicMove(tmp, file);
      return dropped;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
    }
  }

  private static String line(String id, Map<String, Object> doc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("_id", id);
    m.putAll(doc);
    try {
      return JSON.writeValueAsString(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Path file, List<String> lines) {
    if (lines.isEmpty()) return;
    StringBuilder b = new StringBuilder();
    for (String l : lines) b.append(l).append('\n');
    try {
      // One write per batch in append mode: a reader never sees half a line from another writer's batch.
      Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  /** The documents of a JSON-lines file, the last of each _id winning, oldest @timestamp first. */
  private static List<Map<String, Object>> readLines(Path file, String experiment) {
    if (!Files.exists(file)) return List.of();
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int n = 1; n <= all.size(); n++) {
        String l = all.get(n - 1);
        if (l.isBlank()) continue;
        Map<String, Object> d;
        try {
          d = JSON.readValue(l, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
          // A torn last line (the process died mid-write) is skipped; anything else is corruption worth naming.
          if (n == all.size()) break;
          throw new IllegalArgumentException(file + " line " + n + ": not a JSON document: " + e.getMessage());
        }
        String id = String.valueOf(d.remove("_id"));
        if (experiment == null || experiment.equals(d.get("experiment"))) {
          byId.remove(id);
          byId.put(id, d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Map<String, Object>> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparingLong(d -> ((Number) d.get("@timestamp")).longValue()));
    return out;
  }
}
