package io.multizone.lab.report;

import java.math.BigInteger;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * How every report shows a figure's value, so the Markdown, HTML and terminal tables agree:
 * integers with thousands separators ({@code 1,234,567}), decimals to one place, half up
 * ({@code 81.2}), booleans as yes/no, strings as written, null as {@value #MISSING}; a unit is
 * appended after a space ({@code 81.2 s}), or directly when it is {@code %}.
 */
public final class ValueFormat {
  /** What a missing or null value reads as. */
  public static final String MISSING = "n/a";

  private ValueFormat() {
  }

  /** The value alone. */
  public static String value(Object v) {
    if (v == null) {
      return MISSING;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger) {
      return pattern("#,##0").format(v);
    }
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return MISSING;
      }
      return pattern("#,##0.0").format(d);
    }
    if (v instanceof Boolean) {
      return ((Boolean) v) ? "yes" : "no";
    }
    return v.toString();
  }

  /** The value with its unit; a missing value has no unit. */
  public static String value(Object v, String unit) {
    String s = value(v);
    if (v == null || unit == null || unit.trim().isEmpty() || MISSING.equals(s)) {
      return s;
    }
    return "%".equals(unit.trim()) ? s + "%" : s + " " + unit.trim();
  }

  /** The value as a number for comparisons, or null if it is none. */
  public static Double numeric(Object v) {
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return Double.isNaN(d) ? null : d;
    }
    return null;
  }

  /** A time in seconds from a run's start, one decimal: {@code 3.2 s}. */
  public static String seconds(double t) {
    return pattern("#,##0.0").format(t) + " s";
  }

  /** A text that may be missing. */
  public static String text(String s) {
    return s == null || s.trim().isEmpty() ? MISSING : s;
  }

  private static DecimalFormat pattern(String p) {
    DecimalFormat f = new DecimalFormat(p, DecimalFormatSymbols.getInstance(Locale.ROOT));
    f.setRoundingMode(RoundingMode.HALF_UP);
    return f;
  }
}
