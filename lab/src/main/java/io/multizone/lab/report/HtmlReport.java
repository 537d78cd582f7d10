package io.multizone.lab.report;

import java.util.List;

/**
 * {@code report.html}: the same content as {@link MarkdownReport} in one self-contained page
 * (inline CSS, no script, no external reference) that opens from disk or an artifact store:
 * run facts, hosts, and per scenario the side-by-side table with outcome badges (green for
 * {@code ok}, red otherwise), the runs' notes, the {@link TimelineSvg} and the event lists.
 *
 * <p>The markup is well-formed XML (every element closed, attributes quoted, text escaped by
 * {@link Xml}), so tests and tools can read it with any XML parser.
 */
public final class HtmlReport {
  private static final String CSS = String.join("\n",
      "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;"
          + "color:#111827;background:#ffffff;margin:0;line-height:1.45}",
      "main{max-width:1000px;margin:0 auto;padding:24px 20px 48px}",
      "h1{font-size:1.6em;margin:0 0 8px}",
      "h2{font-size:1.25em;margin:36px 0 6px;padding-top:12px;border-top:1px solid #e5e7eb}",
      "h3{font-size:1em;margin:0 0 6px}",
      ".id{color:#6b7280;font-weight:normal;font-size:.8em;font-family:ui-monospace,monospace}",
      "dl.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 8px}",
      "dl.facts div{display:flex;gap:6px}",
      "dl.facts dt{color:#6b7280}",
      "dl.facts dd{margin:0;font-weight:600}",
      "table{border-collapse:collapse;margin:10px 0}",
      "th,td{padding:5px 12px;border-bottom:1px solid #e5e7eb;text-align:left;"
          + "vertical-align:top}",
      "thead th{border-bottom:2px solid #d1d5db;font-size:.9em}",
      "table.figures td{text-align:right;font-variant-numeric:tabular-nums;min-width:120px}",
      "table.figures tbody th{font-weight:normal;color:#374151}",
      "table.figures td.best{font-weight:700;color:#166534}",
      "table.figures tr.outcome th,table.figures tr.outcome td{border-bottom:none;"
          + "padding-top:9px}",
      ".policy{display:block;font-weight:normal;color:#6b7280;font-size:.85em}",
      ".badge{display:inline-block;padding:1px 10px;border-radius:10px;color:#ffffff;"
          + "font-weight:600;font-size:.85em}",
      ".badge.ok{background:#16a34a}",
      ".badge.bad{background:#dc2626}",
      "p.summary{max-width:80ch;color:#374151}",
      "ul.notes{margin:6px 0;padding-left:20px}",
      "figure.timeline{margin:16px 0;overflow-x:auto}",
      "figure.timeline svg{max-width:100%;height:auto}",
      "div.events{display:flex;flex-wrap:wrap;gap:12px 36px}",
      "table.events{font-size:.9em;margin-top:0}",
      "table.events td{padding:2px 10px 2px 0;border:none}",
      "table.events td.t{text-align:right;font-variant-numeric:tabular-nums;color:#374151}",
      ".kind{display:inline-block;width:9px;height:9px;border-radius:2px;"
          + "margin-right:6px;vertical-align:baseline}",
      "table.hosts{font-size:.92em}",
      "code{font-family:ui-monospace,monospace}");

  private HtmlReport() {
  }

  /** The whole page. */
  public static String render(LabResults results) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>").append(Xml.escape(results.title())).append("</title>\n")
        .append("<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n<main>\n");
    b.append("<h1>").append(Xml.escape(results.title())).append("</h1>\n");
    b.append("<dl class=\"facts\">\n");
    fact(b, "Hadoop version", ValueFormat.text(results.hadoopVersion()));
    fact(b, "mode", ValueFormat.text(results.mode()));
    fact(b, "quick", ValueFormat.value(results.quick()));
    fact(b, "seed", ValueFormat.text(results.seed()));
    fact(b, "started", ValueFormat.text(results.started()));
    b.append("</dl>\n");

    b.append("<h2>Hosts</h2>\n");
    if (results.hosts().isEmpty()) {
      b.append("<p>No hosts listed.</p>\n");
    } else {
      b.append("<table class=\"hosts\">\n<thead><tr><th>host</th><th>zone</th><th>rack</th>")
          .append("<th>address</th><th>roles</th></tr></thead>\n<tbody>\n");
      for (LabResults.Host h : results.hosts()) {
        b.append("<tr><td><code>").append(Xml.escape(ValueFormat.text(h.name())))
            .append("</code></td><td>").append(Xml.escape(ValueFormat.text(h.zone())))
            .append("</td><td>").append(Xml.escape(ValueFormat.text(h.rack())))
            .append("</td><td>").append(Xml.escape(ValueFormat.text(h.address())))
            .append("</td><td>").append(Xml.escape(String.join(", ", h.roles())))
            .append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    for (LabResults.Scenario s : results.scenarios()) {
      scenario(b, s);
    }
    b.append("</main>\n</body>\n</html>\n");
    return b.toString();
  }

  private static void fact(StringBuilder b, String name, String value) {
    b.append("<div><dt>").append(Xml.escape(name)).append("</dt><dd>").append(Xml.escape(value))
        .append("</dd></div>\n");
  }

  private static void scenario(StringBuilder b, LabResults.Scenario s) {
    b.append("<section class=\"scenario\" id=\"scenario-").append(Xml.token(s.id())).append("\">\n");
    b.append("<h2>").append(Xml.escape(s.title()));
    if (s.id() != null && !s.id().equals(s.title())) {
      b.append(" <span class=\"id\">").append(Xml.escape(s.id())).append("</span>");
    }
    b.append("</h2>\n");
    if (!LabResults.blank(s.summary())) {
      b.append("<p class=\"summary\">").append(Xml.escape(s.summary())).append("</p>\n");
    }
    ScenarioTable table = ScenarioTable.of(s);
    List<LabResults.Run> runs = table.runs();
    if (runs.isEmpty()) {
      b.append("<p>No runs.</p>\n</section>\n");
      return;
    }
    b.append("<table class=\"figures\">\n<thead><tr><th>figure</th>");
    for (LabResults.Run r : runs) {
      b.append("<th>").append(Xml.escape(r.heading()));
      if (r.policy() != null && !r.policy().equals(r.heading())) {
        b.append("<span class=\"policy\">").append(Xml.escape(r.policy())).append("</span>");
      }
      b.append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (ScenarioTable.Row row : table.rows()) {
      b.append("<tr data-key=\"").append(Xml.escape(row.key())).append("\"><th>")
          .append(Xml.escape(row.label())).append("</th>");
      for (int i = 0; i < runs.size(); i++) {
        b.append(row.isBest(i) ? "<td class=\"best\">" : "<td>")
            .append(Xml.escape(row.cells().get(i))).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("<tr class=\"outcome\"><th>outcome</th>");
    for (int i = 0; i < runs.size(); i++) {
      b.append("<td>").append(badge(runs.get(i), table.outcomes().get(i))).append("</td>");
    }
    b.append("</tr>\n</tbody>\n</table>\n");

    StringBuilder notes = new StringBuilder();
    for (LabResults.Run r : runs) {
      if (!LabResults.blank(r.note())) {
        notes.append("<li><strong>").append(Xml.escape(r.heading())).append("</strong>: ")
            .append(Xml.escape(r.note())).append("</li>\n");
      }
    }
    if (notes.length() > 0) {
      b.append("<ul class=\"notes\">\n").append(notes).append("</ul>\n");
    }

    b.append("<figure class=\"timeline\">\n").append(TimelineSvg.render(s)).append("</figure>\n");

    b.append("<div class=\"events\">\n");
    for (LabResults.Run r : runs) {
      b.append("<div>\n<h3>").append(Xml.escape(r.heading())).append(' ')
          .append(badge(r, ValueFormat.text(r.outcome()))).append("</h3>\n");
      LabResults.Timeline tl = r.timeline();
      if (tl == null || tl.events().isEmpty()) {
        b.append("<p>No events recorded.</p>\n</div>\n");
        continue;
      }
      b.append("<table class=\"events\">\n<tbody>\n");
      for (LabResults.Event e : tl.eventsByTime()) {
        String kind = LabResults.Event.KINDS.contains(e.kind()) ? e.kind() : "other";
        b.append("<tr><td class=\"t\">").append(Xml.escape(ValueFormat.seconds(e.t())))
            .append("</td><td><span class=\"kind\" style=\"background:")
            .append(TimelineSvg.colour(kind)).append("\"></span>")
            .append(Xml.escape(e.kind().isEmpty() ? "event" : e.kind())).append("</td><td>")
            .append(Xml.escape(e.label())).append("</td></tr>\n");
      }
      if (tl.end() != null) {
        b.append("<tr><td class=\"t\">").append(Xml.escape(ValueFormat.seconds(tl.end())))
            .append("</td><td></td><td>end of run</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n</div>\n");
    }
    b.append("</div>\n</section>\n");
  }

  private static String badge(LabResults.Run run, String outcome) {
    return "<span class=\"badge " + (run.isOk() ? "ok" : "bad") + "\">" + Xml.escape(outcome)
        + "</span>";
  }
}
