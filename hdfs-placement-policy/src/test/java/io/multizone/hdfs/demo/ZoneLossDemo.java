package io.multizone.hdfs.demo;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;

/**
 * The project's main job for now: one local 3-zone cluster per policy, the same dataset
 * written with the stock default policy and with ours, one whole zone lost, and a side-by-side
 * table. Exits 1 if our policy lost anything.
 *
 * <p>Usage: {@code ZoneLossDemo [files] [baseDir]} (defaults: 40 files, target/zone-loss-demo).
 */
public final class ZoneLossDemo {

  private ZoneLossDemo() {
  }

  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    File base = new File(args.length > 1 ? args[1] : "target/zone-loss-demo");
    String[] racks = MiniZonedCluster.REFERENCE_RACKS;
    ZoneLossExperiment experiment = new ZoneLossExperiment(racks, files, 3, 2026L, 90_000L);
    List<ZoneLossExperiment.Result> results = new ArrayList<>();
    for (String policy : new String[] {BlockPlacementPolicyDefault.class.getName(),
        BlockPlacementPolicyWithZones.CLASS_NAME}) {
      File dir = new File(base, policy.substring(policy.lastIndexOf('.') + 1));
      FileUtil.fullyDelete(dir);
      results.add(experiment.run(policy, dir));
      FileUtil.fullyDelete(dir);
    }
    System.out.println(table(results));
    ZoneLossExperiment.Result ours = results.get(1);
    boolean ok = ours.unreadableFiles == 0 && ours.blocksInOneZone == 0
        && ours.msToFullReplication >= 0;
    System.out.println(ok ? "RESULT: zone-aware placement lost nothing."
        : "RESULT: FAILED: zone-aware placement lost data or did not re-replicate.");
    System.exit(ok ? 0 : 1);
  }

  static String table(List<ZoneLossExperiment.Result> rs) {
    StringBuilder sb = new StringBuilder();
    String fmt = "%-42s" + repeat("%-32s", rs.size()) + "%n";
    sb.append(String.format(Locale.ROOT,
        "%nZone-loss demo: 12 DataNodes in 3 zones x 2 racks, replication 3%n%n"));
    List<Object> row = new ArrayList<>();
    row.add("");
    for (ZoneLossExperiment.Result r : rs) {
      row.add(r.policy);
    }
    sb.append(String.format(Locale.ROOT, fmt, row.toArray()));
    line(sb, fmt, "files / blocks written", rs, r -> r.files + " / " + r.blocks);
    line(sb, fmt, "blocks placed in one zone", rs, r -> pct(r.blocksInOneZone, r.blocks));
    line(sb, fmt, "zone lost (DataNodes stopped)", rs,
        r -> r.zoneLost + " (" + r.dataNodesLost + ")");
    line(sb, fmt, "files unreadable after the zone loss", rs,
        r -> pct(r.unreadableFiles, r.files));
    line(sb, fmt, "time to full replication of survivors", rs,
        r -> r.msToFullReplication < 0 ? "never (blocks lost)"
            : String.format(Locale.ROOT, "%.1f s", r.msToFullReplication / 1000.0));
    line(sb, fmt, "blocks in one zone after re-replication", rs,
        r -> String.valueOf(r.blocksInOneZoneAfter));
    return sb.toString();
  }

  private interface Cell {
    String of(ZoneLossExperiment.Result r);
  }

  private static void line(StringBuilder sb, String fmt, String label,
      List<ZoneLossExperiment.Result> rs, Cell cell) {
    List<Object> row = new ArrayList<>();
    row.add(label);
    for (ZoneLossExperiment.Result r : rs) {
      row.add(cell.of(r));
    }
    sb.append(String.format(Locale.ROOT, fmt, row.toArray()));
  }

  private static String pct(int n, int of) {
    return String.format(Locale.ROOT, "%d (%.1f%%)", n, of == 0 ? 0.0 : 100.0 * n / of);
  }

  private static String repeat(String s, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(s);
    }
    return sb.toString();
  }
}
