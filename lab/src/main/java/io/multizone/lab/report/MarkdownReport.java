package io.multizone.lab.report;

import java.util.List;

/**
 * {@code report.md}: the run facts, the hosts, and per scenario its summary, the side-by-side
 * {@link ScenarioTable} (best values in bold where a figure says which way is better), the
 * runs' notes and a short event list per run. Plain GitHub-flavoured Markdown that also reads
 * well as text.
 */
public final class MarkdownReport {
  private MarkdownReport() {
  }

  /** The whole report. */
  public static String render(LabResults results) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(inline(results.title())).append("\n\n");
    b.append("- Hadoop version: ").append(inline(ValueFormat.text(results.hadoopVersion())))
        .append('\n');
    b.append("- mode: ").append(inline(ValueFormat.text(results.mode()))).append('\n');
    b.append("- quick: ").append(ValueFormat.value(results.quick())).append('\n');
    b.append("- seed: ").append(inline(ValueFormat.text(results.seed()))).append('\n');
    b.append("- started: ").append(inline(ValueFormat.text(results.started()))).append("\n\n");

    b.append("## Hosts\n\n");
    if (results.hosts().isEmpty()) {
      b.append("No hosts listed.\n\n");
    } else {
      b.append("| host | zone | rack | address | roles |\n|---|---|---|---|---|\n");
      for (LabResults.Host h : results.hosts()) {
        b.append("| ").append(cell(ValueFormat.text(h.name())))
            .append(" | ").append(cell(ValueFormat.text(h.zone())))
            .append(" | ").append(cell(ValueFormat.text(h.rack())))
            .append(" | ").append(cell(ValueFormat.text(h.address())))
            .append(" | ").append(cell(String.join(", ", h.roles())))
            .append(" |\n");
      }
      b.append('\n');
    }
    for (LabResults.Scenario s : results.scenarios()) {
      scenario(b, s);
    }
    return b.toString();
  }

  private static void scenario(StringBuilder b, LabResults.Scenario s) {
    b.append("## ").append(inline(s.title()));
    if (s.id() != null && !s.id().equals(s.title())) {
      b.append(" (`").append(s.id().replace("`", "'")).append("`)");
    }
    b.append("\n\n");
    if (!LabResults.blank(s.summary())) {
      b.append(inline(s.summary())).append("\n\n");
    }
    ScenarioTable table = ScenarioTable.of(s);
    List<LabResults.Run> runs = table.runs();
    if (runs.isEmpty()) {
      b.append("No runs.\n\n");
      return;
    }
    b.append("| figure |");
    for (LabResults.Run r : runs) {
      b.append(' ').append(cell(r.headingWithPolicy())).append(" |");
    }
    b.append("\n|---|");
    for (int i = 0; i < runs.size(); i++) {
      b.append("--:|");
    }
    b.append('\n');
    for (ScenarioTable.Row row : table.rows()) {
      b.append("| ").append(cell(row.label())).append(" |");
      for (int i = 0; i < runs.size(); i++) {
        String v = cell(row.cells().get(i));
        b.append(' ').append(row.isBest(i) ? "**" + v + "**" : v).append(" |");
      }
      b.append('\n');
    }
    b.append("| outcome |");
    for (String o : table.outcomes()) {
      b.append(' ').append(cell(o)).append(" |");
    }
    b.append("\n\n");

    boolean notes = false;
    for (LabResults.Run r : runs) {
      if (!LabResults.blank(r.note())) {
        if (!notes) {
          b.append("Notes:\n\n");
          notes = true;
        }
        b.append("- ").append(inline(r.heading())).append(": ").append(inline(r.note()))
            .append('\n');
      }
    }
    if (notes) {
      b.append('\n');
    }

    boolean anyEvents = false;
    for (LabResults.Run r : runs) {
      anyEvents |= r.timeline() != null && !r.timeline().events().isEmpty();
    }
    if (!anyEvents) {
      return;
    }
    b.append("### Events\n\n");
    for (LabResults.Run r : runs) {
      b.append("**").append(inline(r.headingWithPolicy())).append("**\n\n");
      if (r.timeline() == null || r.timeline().events().isEmpty()) {
        b.append("No events recorded.\n\n");
        continue;
      }
      for (LabResults.Event e : r.timeline().eventsByTime()) {
        b.append("- `").append(pad(ValueFormat.seconds(e.t()), 9)).append("` ")
            .append(inline(e.kind().isEmpty() ? "event" : e.kind())).append(": ")
            .append(inline(e.label())).append('\n');
      }
      if (r.timeline().end() != null) {
        b.append("- `").append(pad(ValueFormat.seconds(r.timeline().end()), 9))
            .append("` end of run\n");
      }
      b.append('\n');
    }
  }

  private static String pad(String s, int width) {
    StringBuilder b = new StringBuilder();
    for (int i = s.length(); i < width; i++) {
      b.append(' ');
    }
    return b.append(s).toString();
  }

  /** Text in running Markdown: one line, with the characters that would format escaped. */
  static String inline(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n') {
        b.append(' ');
      } else if (c == '\\' || c == '<' || c == '*' || c == '`' || c == '[' || c == ']') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Text in a table cell: as {@link #inline} with '|' escaped too. */
  static String cell(String s) {
    return inline(s).replace("|", "\\|");
  }
}
