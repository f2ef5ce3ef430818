package io.vectory.app.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/bad-input.md cannot drift from the suites: its table holds exactly the case ids of BadInputCliTest (run here),
 * BadInputHttpTest and BadRecordsIT (read from their sources, in other modules), each once, with its surface; README
 * links the page.
 */
class BadInputDocTest {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Pattern ROW = Pattern.compile("(?m)^\\| ([CHR]\\d{2}) \\| (\\S+) \\|");
  static final Pattern CASE = Pattern.compile("\\bc\\(\"([CHR]\\d{2})\"");

  static List<String> caseIds(String source) throws Exception {
    Matcher m = CASE.matcher(Files.readString(ROOT.resolve(source)));
    List<String> ids = new ArrayList<>();
    while (m.find()) ids.add(m.group(1));
    return ids;
  }

  @Test
  void theTableHoldsEverySuitesCaseIdsOnceAndNoOthers() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/bad-input.md"));
    Matcher m = ROW.matcher(doc);
    List<String> rows = new ArrayList<>();
    List<String> surfaces = new ArrayList<>();
    while (m.find()) {
      rows.add(m.group(1));
      surfaces.add(m.group(2));
    }
    Set<String> unique = new LinkedHashSet<>(rows);
    assertEquals(rows.size(), unique.size(), "a case id appears twice in docs/bad-input.md: " + rows);

    List<String> cli = BadInputCliTest.ids();
    assertEquals(cli, caseIds("app/src/test/java/io/vectory/app/workflow/BadInputCliTest.java"), "the source reading finds what the suite runs");
    List<String> http = caseIds("ingest/src/test/java/io/vectory/ingest/BadInputHttpTest.java");
    List<String> topic = caseIds("streams/src/test/java/io/vectory/streams/BadRecordsIT.java");
    List<String> all = new ArrayList<>(cli);
    all.addAll(http);
    all.addAll(topic);
    assertEquals(all.size(), new LinkedHashSet<>(all).size(), "case ids are unique across the suites: " + all);
    assertEquals(new ArrayList<>(all), rows, "docs/bad-input.md lists the suites' cases, in their order");
    for (int i = 0; i < rows.size(); i++) {
      String expected = switch (rows.get(i).charAt(0)) {
        case 'C' -> "CLI";
        case 'H' -> "HTTP";
        default -> "topic";
      };
      assertEquals(expected, surfaces.get(i), rows.get(i) + "'s surface");
    }
    assertTrue(all.size() >= 40, "at least 40 cases: " + all.size());
  }

  @Test
  void theReadmeLinksTheTable() throws Exception {
    assertTrue(Files.readString(ROOT.resolve("README.md")).contains("(docs/bad-input.md)"), "README links docs/bad-input.md");
  }
}
