package io.multizone.hdfs.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Formats a finished {@link ZoneTally} as a table (for people) or as JSON. */
final class AuditReport {

  private final String target;
  private final int zoneDepth;
  private final double seconds;
  private final ZoneTally t;

  AuditReport(String target, int zoneDepth, double seconds, ZoneTally tally) {
    this.target = target;
    this.zoneDepth = zoneDepth;
    this.seconds = seconds;
    this.t = tally;
  }

  String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "zone-audit of %s (zone depth %d): %,d files, %,d directories, %,d blocks"
            + " (%,d erasure-coded groups), %,d replicas, %.1f s%n",
        target, zoneDepth, t.files(), t.directories(), t.blocks(), t.ecGroups(),
        t.totalReplicas(), seconds));
    sb.append(String.format(Locale.ROOT, "blocks in one zone only: %,d; files in one zone only:"
        + " %,d%n%n", t.blocksInOneZone(), t.filesInOneZone()));
    Integer[] zones = t.zonesByName();
    int w = "zone".length();
    for (Integer z : zones) {
      w = Math.max(w, t.zoneName(z).length() + (t.hasZoneLevel(z) ? 0 : 1));
    }
    String head = "%-" + w + "s  %12s  %12s  %12s  | if this zone died: %14s  %14s  %12s%n";
    String row = "%-" + w + "s  %,12d  %,12d  %,12d  |                    %,14d  %,14d  %,12d%n";
    sb.append(String.format(Locale.ROOT, head, "zone", "replicas", "blocks only", "files only",
        "files unreadable", "blocks 1 replica", "EC < data"));
    for (Integer z : zones) {
      sb.append(String.format(Locale.ROOT, row,
          t.zoneName(z) + (t.hasZoneLevel(z) ? "" : "*"), t.replicas(z), t.blocksOnlyIn(z),
          t.filesOnlyIn(z), t.filesUnreadableIfLost(z), t.blocksLeftWithOneReplicaIfLost(z),
          t.ecGroupsBelowDataIfLost(z)));
    }
    boolean flat = false;
    for (Integer z : zones) {
      flat |= !t.hasZoneLevel(z);
    }
    if (flat) {
      sb.append(String.format("* location with no zone level at depth %d: counted as a zone of"
          + " its own (check the topology mapping and multizone.zone.depth)%n", zoneDepth));
    }
    for (Integer z : zones) {
      List<String> files = t.filesUnreadableIfLostList(z);
      if (!files.isEmpty()) {
        list(sb, "files unreadable if " + t.zoneName(z) + " died",
            t.filesUnreadableIfLost(z), files);
      }
    }
    if (t.filesWithLostBlocks() > 0) {
      list(sb, "files already missing a block (no replica, or an erasure-coded group below"
          + " its data units)", t.filesWithLostBlocks(), t.filesWithLostBlocksList());
    }
    if (t.directoriesSkipped() > 0) {
      list(sb, "directories skipped", t.directoriesSkipped(), t.skippedList());
    }
    sb.append(System.lineSeparator()).append(verdict()).append(System.lineSeparator());
    return sb.toString();
  }

  private void list(StringBuilder sb, String title, long count, List<String> found) {
    // Several threads list directories at once: sort, so the same paths print the same way.
    List<String> paths = new ArrayList<>(found);
    Collections.sort(paths);
    sb.append(String.format(Locale.ROOT, "%n%s: %,d%s%n", title, count,
        count > paths.size() ? " (first " + paths.size() + " listed)" : ""));
    for (String p : paths) {
      sb.append("  ").append(p).append(System.lineSeparator());
    }
  }

  String verdict() {
    if (!t.atRisk()) {
      return "CLEAN: every block spans more than one zone and every file survives the loss of"
          + " any one zone.";
    }
    StringBuilder sb = new StringBuilder("AT RISK:");
    long worst = -1;
    int worstZone = -1;
    for (Integer z : t.zonesByName()) {
      if (t.filesUnreadableIfLost(z) > worst) {
        worst = t.filesUnreadableIfLost(z);
        worstZone = z;
      }
    }
    if (worst > 0) {
      sb.append(String.format(Locale.ROOT, " %,d files unreadable if %s died (the worst zone);",
          worst, t.zoneName(worstZone)));
    }
    if (t.blocksInOneZone() > 0) {
      sb.append(String.format(Locale.ROOT, " %,d blocks in one zone only;",
          t.blocksInOneZone()));
    }
    if (t.filesWithLostBlocks() > 0) {
      sb.append(String.format(Locale.ROOT, " %,d files already missing a block;",
          t.filesWithLostBlocks()));
    }
    sb.setLength(sb.length() - 1);
    return sb.append('.').toString();
  }

  String json() {
    StringBuilder sb = new StringBuilder(1024);
    sb.append('{');
    field(sb, "path", target).append(',');
    field(sb, "zoneDepth", zoneDepth).append(',');
    sb.append("\"seconds\":").append(String.format(Locale.ROOT, "%.3f", seconds)).append(',');
    field(sb, "atRisk", t.atRisk()).append(',');
    field(sb, "files", t.files()).append(',');
    field(sb, "directories", t.directories()).append(',');
    field(sb, "blocks", t.blocks()).append(',');
    field(sb, "ecGroups", t.ecGroups()).append(',');
    field(sb, "replicas", t.totalReplicas()).append(',');
    field(sb, "blocksInOneZone", t.blocksInOneZone()).append(',');
    field(sb, "filesInOneZone", t.filesInOneZone()).append(',');
    field(sb, "blocksWithoutReplicas", t.blocksWithoutReplicas()).append(',');
    field(sb, "ecGroupsBelowDataUnits", t.ecGroupsBelowDataNow()).append(',');
    field(sb, "filesMissingBlocks", t.filesWithLostBlocks()).append(',');
    strings(sb, "filesMissingBlocksList", t.filesWithLostBlocksList()).append(',');
    field(sb, "directoriesSkipped", t.directoriesSkipped()).append(',');
    strings(sb, "directoriesSkippedList", t.skippedList()).append(',');
    field(sb, "listLimit", t.listLimit()).append(',');
    sb.append("\"zones\":[");
    boolean first = true;
    for (Integer z : t.zonesByName()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append('{');
      field(sb, "zone", t.zoneName(z)).append(',');
      field(sb, "hasZoneLevel", t.hasZoneLevel(z)).append(',');
      field(sb, "replicas", t.replicas(z)).append(',');
      field(sb, "blocksOnlyHere", t.blocksOnlyIn(z)).append(',');
      field(sb, "filesOnlyHere", t.filesOnlyIn(z)).append(',');
      sb.append("\"ifLost\":{");
      field(sb, "filesUnreadable", t.filesUnreadableIfLost(z)).append(',');
      strings(sb, "filesUnreadableList", t.filesUnreadableIfLostList(z)).append(',');
      field(sb, "blocksLeftWithOneReplica", t.blocksLeftWithOneReplicaIfLost(z)).append(',');
      field(sb, "ecGroupsBelowDataUnits", t.ecGroupsBelowDataIfLost(z));
      sb.append("}}");
    }
    sb.append("]}");
    return sb.append(System.lineSeparator()).toString();
  }

  private static StringBuilder field(StringBuilder sb, String name, Object value) {
    quote(sb, name).append(':');
    if (value instanceof String) {
      return quote(sb, (String) value);
    }
    return sb.append(value);
  }

  private static StringBuilder strings(StringBuilder sb, String name, List<String> found) {
    List<String> values = new ArrayList<>(found);
    Collections.sort(values);
    quote(sb, name).append(":[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      quote(sb, values.get(i));
    }
    return sb.append(']');
  }

  static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"');
  }
}
