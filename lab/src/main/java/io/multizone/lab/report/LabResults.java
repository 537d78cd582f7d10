package io.multizone.lab.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The orchestrator's {@code results.json} as plain immutable objects, so the renderers never
 * touch JSON. Optional fields the file leaves out are {@code null} (texts, values) or empty
 * (lists); {@link ResultsReader} builds instances and rejects files of the wrong shape.
 *
 * <p>A scenario's runs are kept in display order: {@code stock} first, then {@code ours}, then
 * any other policy in file order, so tables and timelines always show stock above/left of
 * ours whatever order the orchestrator wrote them in.
 */
public final class LabResults {
  private final String title;
  private final String started;
  private final String hadoopVersion;
  private final String mode;
  private final Boolean quick;
  private final String seed;
  private final List<Host> hosts;
  private final List<Scenario> scenarios;

  public LabResults(String title, String started, String hadoopVersion, String mode,
      Boolean quick, String seed, List<Host> hosts, List<Scenario> scenarios) {
    this.title = title;
    this.started = started;
    this.hadoopVersion = hadoopVersion;
    this.mode = mode;
    this.quick = quick;
    this.seed = seed;
    this.hosts = copy(hosts);
    this.scenarios = copy(scenarios);
  }

  /** The report's title; never null ("hadoop-multizone lab" when the file has none). */
  public String title() {
    return title == null || title.trim().isEmpty() ? "hadoop-multizone lab" : title;
  }

  public String started() {
    return started;
  }

  public String hadoopVersion() {
    return hadoopVersion;
  }

  public String mode() {
    return mode;
  }

  public Boolean quick() {
    return quick;
  }

  /** The seed as written (a number is kept verbatim, without thousands separators). */
  public String seed() {
    return seed;
  }

  public List<Host> hosts() {
    return hosts;
  }

  public List<Scenario> scenarios() {
    return scenarios;
  }

  static <T> List<T> copy(List<T> list) {
    return list == null ? Collections.<T>emptyList()
        : Collections.unmodifiableList(new ArrayList<T>(list));
  }

  static boolean blank(String s) {
    return s == null || s.trim().isEmpty();
  }

  /** One machine of the lab cluster. */
  public static final class Host {
    private final String name;
    private final String zone;
    private final String rack;
    private final String address;
    private final List<String> roles;

    public Host(String name, String zone, String rack, String address, List<String> roles) {
      this.name = name;
      this.zone = zone;
      this.rack = rack;
      this.address = address;
      this.roles = copy(roles);
    }

    public String name() {
      return name;
    }

    public String zone() {
      return zone;
    }

    public String rack() {
      return rack;
    }

    public String address() {
      return address;
    }

    public List<String> roles() {
      return roles;
    }
  }

  /** One failure scenario, played once per policy. */
  public static final class Scenario {
    private final String id;
    private final String title;
    private final String summary;
    private final List<Run> runs;

    public Scenario(String id, String title, String summary, List<Run> runs) {
      this.id = id;
      this.title = title;
      this.summary = summary;
      List<Run> ordered = new ArrayList<Run>(runs == null ? Collections.<Run>emptyList() : runs);
      // List.sort is stable: policies of equal rank keep the file's order.
      ordered.sort(Comparator.comparingInt(Run::policyRank));
      this.runs = Collections.unmodifiableList(ordered);
    }

    public String id() {
      return id;
    }

    /** The title, else the id, else "scenario". */
    public String title() {
      if (!blank(title)) {
        return title;
      }
      return blank(id) ? "scenario" : id;
    }

    public String summary() {
      return summary;
    }

    /** The runs in display order: stock, ours, then others as given. */
    public List<Run> runs() {
      return runs;
    }
  }

  /** One play of a scenario with one policy. */
  public static final class Run {
    private final String policy;
    private final String label;
    private final String outcome;
    private final String note;
    private final List<Figure> figures;
    private final Timeline timeline;

    public Run(String policy, String label, String outcome, String note, List<Figure> figures,
        Timeline timeline) {
      this.policy = policy;
      this.label = label;
      this.outcome = outcome;
      this.note = note;
      this.figures = copy(figures);
      this.timeline = timeline;
    }

    public String policy() {
      return policy;
    }

    public String label() {
      return label;
    }

    /** What to call this run in a column or lane header: its label, else its policy. */
    public String heading() {
      if (!blank(label)) {
        return label;
      }
      return blank(policy) ? "run" : policy;
    }

    /**
     * The heading with the policy in brackets when both are known and differ ("Hadoop defaults
     * (stock)"): for plain-text columns, where there is no second line for the policy.
     */
    public String headingWithPolicy() {
      String h = heading();
      return blank(policy) || h.equals(policy) ? h : h + " (" + policy + ")";
    }

    /** {@code ok}, {@code lost-data}, {@code job-failed}, {@code error}, or null if unknown. */
    public String outcome() {
      return outcome;
    }

    /** True only for the outcome {@code ok}: everything else is shown as a failure. */
    public boolean isOk() {
      return "ok".equals(outcome);
    }

    public String note() {
      return note;
    }

    public List<Figure> figures() {
      return figures;
    }

    /** The figure with this key, or null. */
    public Figure figure(String key) {
      for (Figure f : figures) {
        if (f.key().equals(key)) {
          return f;
        }
      }
      return null;
    }

    /** The run's timeline, or null when the file has none. */
    public Timeline timeline() {
      return timeline;
    }

    int policyRank() {
      if ("stock".equals(policy)) {
        return 0;
      }
      return "ours".equals(policy) ? 1 : 2;
    }
  }

  /** One measured or reported figure of a run. */
  public static final class Figure {
    private final String key;
    private final String label;
    private final Object value;
    private final String unit;
    private final String better;

    /**
     * @param value a {@link Long}, {@link java.math.BigInteger}, {@link Double}, {@link
     *     String}, {@link Boolean} or null
     * @param better "lower", "higher" or null
     */
    public Figure(String key, String label, Object value, String unit, String better) {
      this.key = key;
      this.label = label;
      this.value = value;
      this.unit = unit;
      this.better = better;
    }

    public String key() {
      return key;
    }

    /** The label, else the key. */
    public String label() {
      return blank(label) ? key : label;
    }

    public Object value() {
      return value;
    }

    public String unit() {
      return unit;
    }

    public String better() {
      return better;
    }
  }

  /** What happened during a run, in seconds from the run's start. */
  public static final class Timeline {
    private final Double end;
    private final List<Event> events;
    private final List<Series> series;

    public Timeline(Double end, List<Event> events, List<Series> series) {
      this.end = end;
      this.events = copy(events);
      this.series = copy(series);
    }

    /** When the run ended, or null if not recorded. */
    public Double end() {
      return end;
    }

    public List<Event> events() {
      return events;
    }

    /** The events ordered by time (stable: simultaneous events keep the file's order). */
    public List<Event> eventsByTime() {
      List<Event> sorted = new ArrayList<Event>(events);
      sorted.sort(Comparator.comparingDouble(Event::t));
      return sorted;
    }

    public List<Series> series() {
      return series;
    }

    /** The latest time anything in this timeline refers to (0 if none). */
    public double latest() {
      double max = end == null ? 0 : end;
      for (Event e : events) {
        max = Math.max(max, e.t());
      }
      for (Series s : series) {
        for (double[] p : s.points()) {
          max = Math.max(max, p[0]);
        }
      }
      return max;
    }
  }

  /** A moment of a run: a phase starting, a fault injected, detected, recovered, a job state. */
  public static final class Event {
    /** The kinds the orchestrator writes; any other kind is rendered neutrally. */
    public static final List<String> KINDS = Collections.unmodifiableList(
        java.util.Arrays.asList("phase", "fault", "detected", "recovered", "job"));

    private final double t;
    private final String kind;
    private final String label;

    public Event(double t, String kind, String label) {
      this.t = t;
      this.kind = kind;
      this.label = label;
    }

    public double t() {
      return t;
    }

    /** The kind as written, or "" when absent. */
    public String kind() {
      return kind == null ? "" : kind;
    }

    public String label() {
      return label == null ? "" : label;
    }
  }

  /** A quantity sampled over a run, y in 0..1 (e.g. job progress). */
  public static final class Series {
    private final String name;
    private final List<double[]> points;

    public Series(String name, List<double[]> points) {
      this.name = name;
      this.points = copy(points);
    }

    public String name() {
      return name == null ? "" : name;
    }

    /** Points as {@code {t, y}} pairs, in file order. */
    public List<double[]> points() {
      return points;
    }
  }
}
