package io.multizone.lab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The terminal summary {@code multizone-lab} prints at the end: one block per scenario with
 * its title, a header naming each run, one line per figure and the outcome line, columns
 * padded with spaces (no colours, no box drawing) so it survives logs and copy-paste.
 */
public final class SummaryTable {
  private static final String GAP = "   ";

  private SummaryTable() {
  }

  /** Every scenario's block, separated by blank lines. */
  public static String render(LabResults results) {
    StringBuilder b = new StringBuilder();
    for (LabResults.Scenario s : results.scenarios()) {
      if (b.length() > 0) {
        b.append('\n');
      }
      block(b, s);
    }
    return b.toString();
  }

  private static void block(StringBuilder b, LabResults.Scenario s) {
    String title = s.title();
    if (s.id() != null && !s.id().equals(title)) {
      title += " (" + s.id() + ")";
    }
    b.append(oneLine(title)).append('\n');
    ScenarioTable table = ScenarioTable.of(s);
    if (table.runs().isEmpty()) {
      b.append("  no runs\n");
      return;
    }
    List<String[]> lines = new ArrayList<String[]>();
    int columns = table.runs().size() + 1;
    String[] head = new String[columns];
    head[0] = "";
    for (int i = 0; i < table.runs().size(); i++) {
      head[i + 1] = table.runs().get(i).headingWithPolicy();
    }
    lines.add(head);
    for (ScenarioTable.Row row : table.rows()) {
      String[] line = new String[columns];
      line[0] = row.label();
      for (int i = 0; i < row.cells().size(); i++) {
        line[i + 1] = row.cells().get(i);
      }
      lines.add(line);
    }
    String[] outcome = new String[columns];
    outcome[0] = "outcome";
    for (int i = 0; i < table.outcomes().size(); i++) {
      outcome[i + 1] = table.outcomes().get(i);
    }
    lines.add(outcome);

    int[] width = new int[columns];
    for (String[] line : lines) {
      for (int c = 0; c < columns; c++) {
        line[c] = oneLine(line[c]);
        width[c] = Math.max(width[c], line[c].length());
      }
    }
    for (String[] line : lines) {
      StringBuilder l = new StringBuilder("  ");
      for (int c = 0; c < columns; c++) {
        l.append(line[c]);
        if (c < columns - 1) {
          for (int i = line[c].length(); i < width[c]; i++) {
            l.append(' ');
          }
          l.append(GAP);
        }
      }
      b.append(rtrim(l.toString())).append('\n');
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
  }

  private static String rtrim(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }
}
