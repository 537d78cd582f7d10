package io.multizone.lab.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One scenario's timeline as an inline SVG: one horizontal lane per run (stock above ours) on
 * a shared time axis in seconds, so the two policies' reactions to the same fault line up by
 * eye. Each event is a marker coloured (and shaped) by kind on the lane's top edge, with a thin
 * line across the lane and its label on a flag pole above; labels that would overlap go up a
 * row, so every label stays readable however close the events are. Each series is a polyline
 * inside its lane (y 0..1 maps to the lane's height). A run's lane ends where its timeline's
 * {@code end} is. Hovering any marker shows its time, kind and label (SVG {@code <title>}).
 * A scenario with nothing timed (no run has a timeline) gets its lanes only, without axis.
 *
 * <p>Output is well-formed XML with no script and no external reference; the only URL is the
 * SVG namespace. Elements carry classes ({@code lane}, {@code event}, {@code series}) so tests
 * and stylesheets can find them.
 */
public final class TimelineSvg {
  static final int WIDTH = 960;
  static final int LEFT = 184;
  static final int RIGHT = 28;
  static final int LEGEND = 34;
  static final int ROW = 16;
  static final int BAND = 54;
  static final int LANE_GAP = 20;
  static final int AXIS = 42;
  static final double CHAR_WIDTH = 6.6; // generous average for 11px sans-serif
  static final String FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial,"
      + " sans-serif";

  private static final String[] SERIES_COLOURS = {"#7c3aed", "#0891b2", "#db2777", "#65a30d"};

  private TimelineSvg() {
  }

  /** Drawing order of markers: later kinds are drawn on top of earlier ones. */
  static int priority(String kind) {
    switch (kind) {
      case "fault":
        return 5;
      case "detected":
        return 4;
      case "recovered":
        return 3;
      case "job":
        return 2;
      case "phase":
        return 0;
      default:
        return 1;
    }
  }

  /** The colour of an event kind; unknown kinds are neutral grey. */
  public static String colour(String kind) {
    switch (kind) {
      case "phase":
        return "#64748b";
      case "fault":
        return "#dc2626";
      case "detected":
        return "#d97706";
      case "recovered":
        return "#16a34a";
      case "job":
        return "#2563eb";
      default:
        return "#9ca3af";
    }
  }

  /** The SVG of one scenario. */
  public static String render(LabResults.Scenario scenario) {
    List<LabResults.Run> runs = scenario.runs();
    double latest = 0;
    boolean timed = false; // anything to put on a time axis at all
    for (LabResults.Run r : runs) {
      LabResults.Timeline tl = r.timeline();
      if (tl != null) {
        latest = Math.max(latest, tl.latest());
        timed |= tl.end() != null || !tl.events().isEmpty() || !tl.series().isEmpty();
      }
    }
    double[] ticks = ticks(latest);
    Axis axis = new Axis(ticks[ticks.length - 1]);

    List<Lane> lanes = new ArrayList<Lane>();
    int y = timed ? LEGEND : 0; // no legend without anything timed
    for (LabResults.Run r : runs) {
      Lane lane = new Lane(r, axis, y);
      lanes.add(lane);
      y = lane.bottom() + LANE_GAP;
    }
    int axisY = (lanes.isEmpty() ? LEGEND : y - LANE_GAP) + 10;
    int height = timed ? axisY + AXIS : axisY;

    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"")
        .append(WIDTH).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(height).append("\" role=\"img\" font-family=\"")
        .append(FONT).append("\" font-size=\"11\">\n");
    b.append("<title>").append(Xml.escape("Timeline: " + scenario.title())).append("</title>\n");
    if (timed) {
      legend(b, runs);
    }
    // Grid first, so everything else is drawn over it.
    if (timed) {
      grid(b, ticks, axis, axisY);
    }
    for (Lane lane : lanes) {
      lane.render(b);
    }
    if (timed) {
      axis(b, ticks, axis, axisY);
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static void grid(StringBuilder b, double[] ticks, Axis axis, int axisY) {
    b.append("<g class=\"grid\" stroke=\"#e5e7eb\" stroke-width=\"1\">\n");
    for (double t : ticks) {
      String x = f(axis.x(t));
      b.append("<line x1=\"").append(x).append("\" y1=\"").append(LEGEND - 4)
          .append("\" x2=\"").append(x).append("\" y2=\"").append(axisY).append("\"/>\n");
    }
    b.append("</g>\n");
  }

  private static void axis(StringBuilder b, double[] ticks, Axis axis, int axisY) {
    b.append("<g class=\"axis\" fill=\"#4b5563\">\n");
    b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(axisY).append("\" x2=\"")
        .append(WIDTH - RIGHT).append("\" y2=\"").append(axisY)
        .append("\" stroke=\"#6b7280\" stroke-width=\"1\"/>\n");
    double step = ticks.length > 1 ? ticks[1] - ticks[0] : ticks[0];
    for (double t : ticks) {
      String x = f(axis.x(t));
      b.append("<line x1=\"").append(x).append("\" y1=\"").append(axisY).append("\" x2=\"")
          .append(x).append("\" y2=\"").append(axisY + 5)
          .append("\" stroke=\"#6b7280\" stroke-width=\"1\"/>\n");
      b.append("<text class=\"tick\" x=\"").append(x).append("\" y=\"").append(axisY + 18)
          .append("\" text-anchor=\"middle\">").append(tickLabel(t, step)).append("</text>\n");
    }
    b.append("<text x=\"").append(WIDTH - RIGHT).append("\" y=\"").append(axisY + 34)
        .append("\" text-anchor=\"end\" fill=\"#6b7280\">seconds from each run's start</text>\n");
    b.append("</g>\n");
  }

  /** Kind swatches along the top: the five known kinds, plus "other" if any run has one. */
  private static void legend(StringBuilder b, List<LabResults.Run> runs) {
    Set<String> kinds = new LinkedHashSet<String>(LabResults.Event.KINDS);
    for (LabResults.Run r : runs) {
      if (r.timeline() != null) {
        for (LabResults.Event e : r.timeline().events()) {
          if (!LabResults.Event.KINDS.contains(e.kind())) {
            kinds.add("other");
          }
        }
      }
    }
    b.append("<g class=\"legend\" fill=\"#374151\">\n");
    double x = LEFT;
    for (String k : kinds) {
      b.append(marker(k, x + 5, 14));
      b.append("<text x=\"").append(f(x + 14)).append("\" y=\"18\">").append(k)
          .append("</text>\n");
      x += 30 + k.length() * CHAR_WIDTH;
    }
    b.append("</g>\n");
  }

  /** The marker of a kind centred on (x, y): shape and colour both tell the kind. */
  static String marker(String kind, double x, double y) {
    String c = colour(kind);
    String common = " fill=\"" + c + "\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n";
    switch (kind) {
      case "fault": // triangle pointing down: something hit
        return "<polygon class=\"marker\" points=\"" + f(x - 6) + "," + f(y - 5) + " "
            + f(x + 6) + "," + f(y - 5) + " " + f(x) + "," + f(y + 6) + "\"" + common;
      case "detected": // diamond
        return "<polygon class=\"marker\" points=\"" + f(x) + "," + f(y - 6) + " " + f(x + 6)
            + "," + f(y) + " " + f(x) + "," + f(y + 6) + " " + f(x - 6) + "," + f(y) + "\""
            + common;
      case "job": // square
        return "<rect class=\"marker\" x=\"" + f(x - 5) + "\" y=\"" + f(y - 5)
            + "\" width=\"10\" height=\"10\" rx=\"1.5\"" + common;
      case "recovered":
        return "<circle class=\"marker\" cx=\"" + f(x) + "\" cy=\"" + f(y) + "\" r=\"5.5\""
            + common;
      default: // phase and unknown kinds: a small dot
        return "<circle class=\"marker\" cx=\"" + f(x) + "\" cy=\"" + f(y) + "\" r=\"4\""
            + common;
    }
  }

  /**
   * Tick positions from 0 past {@code latest} with a 1-2-5 step giving about eight ticks; the
   * last tick is the axis end.
   */
  static double[] ticks(double latest) {
    double max = latest > 0 ? latest : 1;
    double raw = max / 8;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double norm = raw / magnitude;
    double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
    int n = (int) Math.ceil(max / step - 1e-9);
    double[] ticks = new double[Math.max(n, 1) + 1];
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = i * step;
    }
    return ticks;
  }

  static String tickLabel(double t, double step) {
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    return String.format(Locale.ROOT, "%." + decimals + "f s", t);
  }

  /** Coordinates: one decimal is plenty at this size. */
  static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Maps seconds to x on the shared axis. */
  private static final class Axis {
    private final double end;

    Axis(double end) {
      this.end = end;
    }

    double x(double t) {
      double clamped = Math.max(0, Math.min(end, t));
      return LEFT + clamped / end * (WIDTH - LEFT - RIGHT);
    }
  }

  /** A placed event label: its row above the band and its horizontal extent. */
  private static final class Placed {
    final LabResults.Event event;
    final double x;
    final String text;
    final boolean anchorEnd;
    int row;

    Placed(LabResults.Event event, double x, String text, boolean anchorEnd) {
      this.event = event;
      this.x = x;
      this.text = text;
      this.anchorEnd = anchorEnd;
    }

    double start() {
      return anchorEnd ? x - 5 - width(text) : x + 5;
    }

    double end() {
      return anchorEnd ? x - 5 : x + 5 + width(text);
    }

    /** The label's baseline: row 0 just above the band, higher rows further up. */
    int baseline(int bandTop) {
      return bandTop - 8 - row * ROW;
    }
  }

  private static double width(String s) {
    return s.length() * CHAR_WIDTH;
  }

  /** One run's lane: label rows above, the band with markers and series. */
  private static final class Lane {
    private final LabResults.Run run;
    private final Axis axis;
    private final int top;
    private final List<Placed> labels = new ArrayList<Placed>();
    private final int rows;

    Lane(LabResults.Run run, Axis axis, int top) {
      this.run = run;
      this.axis = axis;
      this.top = top;
      this.rows = layout();
    }

    /** Greedy rows: each label (in time order) takes the lowest row where it fits. */
    private int layout() {
      if (run.timeline() == null) {
        return 0;
      }
      double plotRight = WIDTH - 4;
      double maxWidth = (WIDTH - LEFT - RIGHT) * 0.6;
      List<List<double[]>> occupied = new ArrayList<List<double[]>>();
      int used = 0;
      for (LabResults.Event e : run.timeline().eventsByTime()) {
        String text = e.label();
        int maxChars = (int) (maxWidth / CHAR_WIDTH);
        if (text.length() > maxChars) {
          text = text.substring(0, maxChars - 1) + "\u2026";
        }
        double x = axis.x(e.t());
        // Right of the pole if it fits, else on the side with more room.
        boolean anchorEnd = x + 5 + width(text) > plotRight && x - LEFT > plotRight - x;
        Placed p = new Placed(e, x, text, anchorEnd);
        int row = 0;
        while (row < occupied.size() && overlaps(occupied.get(row), p.start(), p.end())) {
          row++;
        }
        p.row = row;
        for (int r = 0; r <= row; r++) {
          if (r == occupied.size()) {
            occupied.add(new ArrayList<double[]>());
          }
          // Rows below the label hold its pole; its own row holds the label and the pole.
          occupied.get(r).add(r == row
              ? new double[] {Math.min(p.start(), x - 3), Math.max(p.end(), x + 3)}
              : new double[] {x - 3, x + 3});
        }
        labels.add(p);
        used = Math.max(used, row + 1);
      }
      return used;
    }

    private static boolean overlaps(List<double[]> row, double start, double end) {
      for (double[] span : row) {
        if (start < span[1] + 8 && end > span[0] - 8) {
          return true;
        }
      }
      return false;
    }

    int bandTop() {
      return top + Math.max(rows, 1) * ROW + 8;
    }

    int bottom() {
      return bandTop() + BAND;
    }

    void render(StringBuilder b) {
      int bandTop = bandTop();
      int bandBottom = bottom();
      b.append("<g class=\"lane\" data-policy=\"").append(Xml.escape(run.policy()))
          .append("\">\n");
      // The run's name and outcome, right-aligned against the plot.
      String heading = run.heading();
      int maxChars = (int) ((LEFT - 24) / 7.2);
      String shown = heading.length() > maxChars
          ? heading.substring(0, maxChars - 1) + "\u2026" : heading;
      b.append("<text class=\"lane-name\" x=\"").append(LEFT - 14).append("\" y=\"")
          .append(bandTop + 20).append("\" text-anchor=\"end\" font-size=\"12\"")
          .append(" font-weight=\"600\" fill=\"#111827\"><title>").append(Xml.escape(heading))
          .append("</title>").append(Xml.escape(shown)).append("</text>\n");
      boolean policyLine = run.policy() != null && !run.policy().equals(heading);
      if (policyLine) {
        b.append("<text x=\"").append(LEFT - 14).append("\" y=\"").append(bandTop + 34)
            .append("\" text-anchor=\"end\" fill=\"#6b7280\">").append(Xml.escape(run.policy()))
            .append("</text>\n");
      }
      String outcome = ValueFormat.text(run.outcome());
      double pill = outcome.length() * 6.4 + 14;
      int pillTop = bandTop + (policyLine ? 40 : 28);
      b.append("<rect x=\"").append(f(LEFT - 14 - pill)).append("\" y=\"").append(pillTop)
          .append("\" width=\"").append(f(pill)).append("\" height=\"15\" rx=\"7.5\" fill=\"")
          .append(run.isOk() ? "#16a34a" : "#dc2626").append("\"/>\n");
      b.append("<text x=\"").append(f(LEFT - 14 - pill / 2)).append("\" y=\"")
          .append(pillTop + 11).append("\" text-anchor=\"middle\" font-size=\"10\"")
          .append(" font-weight=\"600\" fill=\"#ffffff\">").append(Xml.escape(outcome))
          .append("</text>\n");

      LabResults.Timeline tl = run.timeline();
      double bandEnd = tl != null && tl.end() != null ? axis.x(tl.end()) : WIDTH - RIGHT;
      b.append("<rect class=\"band\" x=\"").append(LEFT).append("\" y=\"").append(bandTop)
          .append("\" width=\"").append(f(Math.max(bandEnd - LEFT, 2))).append("\" height=\"")
          .append(BAND).append("\" rx=\"4\" fill=\"#f1f5f9\" stroke=\"#e2e8f0\"/>\n");
      if (tl == null || (tl.events().isEmpty() && tl.series().isEmpty())) {
        b.append("<text x=\"").append(LEFT + 12).append("\" y=\"").append(bandTop + BAND / 2 + 4)
            .append("\" fill=\"#9ca3af\">no timeline recorded</text>\n");
        b.append("</g>\n");
        return;
      }
      for (int i = 0; i < tl.series().size(); i++) {
        series(b, tl.series().get(i), SERIES_COLOURS[i % SERIES_COLOURS.length], bandTop,
            bandBottom);
      }
      // Markers first, the more telling kinds on top (a fault hides a phase, not the reverse);
      // then every label over all lines, so no pole crosses a label's text.
      List<Placed> byKind = new ArrayList<Placed>(labels);
      byKind.sort(Comparator.comparingInt(p -> priority(p.event.kind())));
      for (Placed p : byKind) {
        event(b, p, bandTop, bandBottom);
      }
      b.append("<g class=\"event-labels\" fill=\"#111827\" stroke=\"#ffffff\"")
          .append(" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n");
      for (Placed p : labels) {
        b.append("<text class=\"event-label\" x=\"").append(f(p.anchorEnd ? p.x - 5 : p.x + 5))
            .append("\" y=\"").append(p.baseline(bandTop)).append('"')
            .append(p.anchorEnd ? " text-anchor=\"end\"" : "").append('>')
            .append(Xml.escape(p.text)).append("</text>\n");
      }
      b.append("</g>\n");
      b.append("</g>\n");
    }

    private void series(StringBuilder b, LabResults.Series s, String colour, int bandTop,
        int bandBottom) {
      StringBuilder points = new StringBuilder();
      double lastX = LEFT;
      double lastY = bandBottom;
      for (double[] p : s.points()) {
        double v = Math.max(0, Math.min(1, p[1]));
        lastX = axis.x(p[0]);
        lastY = bandBottom - 4 - v * (BAND - 8);
        if (points.length() > 0) {
          points.append(' ');
        }
        points.append(f(lastX)).append(',').append(f(lastY));
      }
      b.append("<polyline class=\"series\" points=\"").append(points)
          .append("\" fill=\"none\" stroke=\"").append(colour)
          .append("\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">")
          .append("<title>").append(Xml.escape(s.name())).append("</title></polyline>\n");
      if (!s.name().isEmpty() && !s.points().isEmpty()) {
        boolean right = lastX + 6 + width(s.name()) * 0.9 < WIDTH - 4;
        double ty = Math.max(bandTop + 11, Math.min(bandBottom - 4, lastY + (right ? 4 : -5)));
        b.append("<text class=\"series-name\" x=\"").append(f(right ? lastX + 6 : lastX - 4))
            .append("\" y=\"").append(f(ty)).append("\" font-size=\"10\" fill=\"")
            .append(colour).append("\"").append(right ? "" : " text-anchor=\"end\"")
            .append(">").append(Xml.escape(s.name())).append("</text>\n");
      }
    }

    private void event(StringBuilder b, Placed p, int bandTop, int bandBottom) {
      LabResults.Event e = p.event;
      String kind = LabResults.Event.KINDS.contains(e.kind()) ? e.kind() : "other";
      String c = colour(kind);
      String x = f(p.x);
      int baseline = p.baseline(bandTop);
      b.append("<g class=\"event\" data-kind=\"").append(Xml.escape(e.kind())).append("\">")
          .append("<title>").append(Xml.escape(ValueFormat.seconds(e.t()) + " \u00b7 "
              + (e.kind().isEmpty() ? "event" : e.kind()) + " \u00b7 " + e.label()))
          .append("</title>\n");
      // Across the band: when it happened; up to the label: which label is whose.
      b.append("<line x1=\"").append(x).append("\" y1=\"").append(bandTop).append("\" x2=\"")
          .append(x).append("\" y2=\"").append(bandBottom).append("\" stroke=\"").append(c)
          .append("\" stroke-width=\"1.5\" stroke-opacity=\"0.55\"/>\n");
      b.append("<line x1=\"").append(x).append("\" y1=\"").append(baseline - 9)
          .append("\" x2=\"").append(x).append("\" y2=\"").append(bandTop).append("\" stroke=\"")
          .append(c).append("\" stroke-width=\"1\" stroke-opacity=\"0.8\"/>\n");
      b.append(marker(kind, p.x, bandTop));
      b.append("</g>\n");
    }
  }
}
