package io.multizone.lab.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The test fixture: a realistic results.json with two-run and single-run scenarios. */
final class Fixture {
  static final String NAME = "results-two-runs.json";

  private Fixture() {
  }

  static String json() throws IOException {
    try (InputStream in = Fixture.class.getResourceAsStream(NAME)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
  }

  static LabResults results() throws Exception {
    return ResultsReader.parse(json(), NAME);
  }

  /** The cells of the Markdown table row whose first cell is {@code label}, without it. */
  static List<String> markdownRow(String markdown, String section, String label) {
    int from = markdown.indexOf("## " + section);
    if (from < 0) {
      throw new AssertionError("no section " + section + " in\n" + markdown);
    }
    int to = markdown.indexOf("\n## ", from + 3);
    String part = to < 0 ? markdown.substring(from) : markdown.substring(from, to);
    for (String line : part.split("\n")) {
      if (!line.startsWith("| ")) {
        continue;
      }
      List<String> cells = cells(line);
      if (cells.get(0).equals(label)) {
        return cells.subList(1, cells.size());
      }
    }
    throw new AssertionError("no row '" + label + "' in section " + section + ":\n" + part);
  }

  /** Splits a Markdown table line on unescaped pipes. */
  static List<String> cells(String line) {
    List<String> cells = new ArrayList<String>();
    StringBuilder cell = new StringBuilder();
    String body = line.trim();
    body = body.substring(1, body.length() - 1);
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length() && body.charAt(i + 1) == '|') {
        cell.append("\\|");
        i++;
      } else if (c == '|') {
        cells.add(cell.toString().trim());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString().trim());
    return cells;
  }

  static List<String> list(String... s) {
    return Arrays.asList(s);
  }
}
