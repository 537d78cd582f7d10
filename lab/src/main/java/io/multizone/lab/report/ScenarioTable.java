package io.multizone.lab.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario's side-by-side comparison, computed once and drawn by every renderer: one column
 * per run (in {@link LabResults.Scenario#runs()} order), one row per figure key in the union
 * of the runs' keys (order of first appearance), values already formatted by {@link
 * ValueFormat} ("n/a" where a run lacks the figure), and the runs' outcomes.
 *
 * <p>Where a figure says which way is better ({@code better: lower|higher}) and at least two
 * runs have numbers that differ, the best cells are flagged so renderers can emphasise them.
 */
public final class ScenarioTable {
  private final List<LabResults.Run> runs;
  private final List<Row> rows;

  private ScenarioTable(List<LabResults.Run> runs, List<Row> rows) {
    this.runs = runs;
    this.rows = Collections.unmodifiableList(rows);
  }

  /** The table of one scenario. */
  public static ScenarioTable of(LabResults.Scenario scenario) {
    List<LabResults.Run> runs = scenario.runs();
    Map<String, String> labels = new LinkedHashMap<String, String>();
    Map<String, String> better = new LinkedHashMap<String, String>();
    for (LabResults.Run run : runs) {
      for (LabResults.Figure f : run.figures()) {
        if (!labels.containsKey(f.key())) {
          labels.put(f.key(), f.label());
        }
        if (better.get(f.key()) == null && f.better() != null) {
          better.put(f.key(), f.better());
        }
      }
    }
    List<Row> rows = new ArrayList<Row>();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String key = e.getKey();
      List<String> cells = new ArrayList<String>();
      Double[] numbers = new Double[runs.size()];
      for (int i = 0; i < runs.size(); i++) {
        LabResults.Figure f = runs.get(i).figure(key);
        cells.add(f == null ? ValueFormat.MISSING : ValueFormat.value(f.value(), f.unit()));
        numbers[i] = f == null ? null : ValueFormat.numeric(f.value());
      }
      rows.add(new Row(key, e.getValue(), cells, best(numbers, better.get(key))));
    }
    return new ScenarioTable(runs, rows);
  }

  private static boolean[] best(Double[] numbers, String better) {
    boolean[] best = new boolean[numbers.length];
    boolean lower = "lower".equalsIgnoreCase(better);
    if (!lower && !"higher".equalsIgnoreCase(better)) {
      return best;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int count = 0;
    for (Double d : numbers) {
      if (d != null) {
        count++;
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
    }
    if (count < 2 || min == max) {
      return best; // one number, or all equal: nothing stands out
    }
    double target = lower ? min : max;
    for (int i = 0; i < numbers.length; i++) {
      best[i] = numbers[i] != null && numbers[i] == target;
    }
    return best;
  }

  /** The columns, in display order. */
  public List<LabResults.Run> runs() {
    return runs;
  }

  /** The figure rows (the outcome row is {@link #outcomes()}). */
  public List<Row> rows() {
    return rows;
  }

  /** Each run's outcome as text ("n/a" when unknown), in column order. */
  public List<String> outcomes() {
    List<String> out = new ArrayList<String>();
    for (LabResults.Run r : runs) {
      out.add(ValueFormat.text(r.outcome()));
    }
    return out;
  }

  /** One figure across the runs. */
  public static final class Row {
    private final String key;
    private final String label;
    private final List<String> cells;
    private final boolean[] best;

    Row(String key, String label, List<String> cells, boolean[] best) {
      this.key = key;
      this.label = label;
      this.cells = Collections.unmodifiableList(cells);
      this.best = best;
    }

    public String key() {
      return key;
    }

    /** The first run's label for this key (its key if none has a label). */
    public String label() {
      return label;
    }

    /** Formatted values, one per run, in column order. */
    public List<String> cells() {
      return cells;
    }

    /** Whether the run in this column has the best value of the row. */
    public boolean isBest(int column) {
      return best[column];
    }
  }
}
