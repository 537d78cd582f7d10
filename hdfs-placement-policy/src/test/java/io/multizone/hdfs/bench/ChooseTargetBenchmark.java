package io.multizone.hdfs.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerant;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeStorageInfo;
import org.apache.hadoop.hdfs.server.blockmanagement.PolicyHarness;
import org.apache.hadoop.hdfs.server.blockmanagement.Topologies;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;

/**
 * {@code chooseTarget} throughput of the zone-aware policy, the stock default policy and the
 * stock rack-fault-tolerant policy, side by side in one JVM on NameNode-backed topologies of
 * 60 and 3000 DataNodes in 3 zones (no DataNode processes, as Hadoop's own placement tests).
 * Rounds are interleaved (A, B, C, A, B, C, ...) so drift hits every policy alike; the
 * median round is reported with ratios, plus the share of 3-replica blocks that span at least
 * two zones under each policy.
 *
 * <p>Usage: {@code ChooseTargetBenchmark [secondsPerRound] [rounds]} (defaults 2 and 5).
 */
public final class ChooseTargetBenchmark {

  private static final String[] POLICIES = {
      BlockPlacementPolicyDefault.class.getName(),
      BlockPlacementPolicyRackFaultTolerant.class.getName(),
      BlockPlacementPolicyWithZones.CLASS_NAME};
  private static final int SPREAD_SAMPLES = 20_000;

  private ChooseTargetBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    DefaultMetricsSystem.setMiniClusterMode(true);
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT, "%nchooseTarget benchmark: replication 3, writer"
        + " = a random DataNode, 1 thread, %d interleaved rounds of %.1f s, median round%n",
        rounds, seconds));
    // 60 = 3 zones x 4 racks x 5 hosts; 3000 = 3 zones x 20 racks x 50 hosts.
    report.append(run(Topologies.zoned(3, 4, 5), seconds, rounds));
    report.append(run(Topologies.zoned(3, 20, 50), seconds, rounds));
    System.out.println(report);
  }

  private static String run(String[] racks, double seconds, int rounds) throws Exception {
    List<PolicyHarness> harnesses = new ArrayList<>();
    try {
      for (String p : POLICIES) {
        harnesses.add(PolicyHarness.start(p, null, racks));
      }
      double[][] opsPerSec = new double[POLICIES.length][rounds];
      // Warm-up: one round each, not counted.
      for (PolicyHarness h : harnesses) {
        measure(h, seconds, new Random(1));
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < POLICIES.length; i++) {
          opsPerSec[i][r] = measure(harnesses.get(i), seconds, new Random(r));
        }
      }
      double[] median = new double[POLICIES.length];
      double[] spread = new double[POLICIES.length];
      for (int i = 0; i < POLICIES.length; i++) {
        double[] sorted = opsPerSec[i].clone();
        Arrays.sort(sorted);
        median[i] = sorted[sorted.length / 2];
        spread[i] = shareSpanningTwoZones(harnesses.get(i));
      }
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%n%d DataNodes%n", racks.length));
      sb.append(String.format(Locale.ROOT, "  %-40s %14s %14s %22s%n", "policy", "ops/s",
          "min..max", "blocks in >=2 zones"));
      for (int i = 0; i < POLICIES.length; i++) {
        double[] sorted = opsPerSec[i].clone();
        Arrays.sort(sorted);
        sb.append(String.format(Locale.ROOT, "  %-40s %14.0f %6.0f..%-7.0f %21.1f%%%n",
            POLICIES[i].substring(POLICIES[i].lastIndexOf('.') + 1), median[i], sorted[0],
            sorted[sorted.length - 1], 100 * spread[i]));
      }
      sb.append(String.format(Locale.ROOT,
          "  ratio ours/Default = %.2f, ours/RackFaultTolerant = %.2f%n",
          median[2] / median[0], median[2] / median[1]));
      return sb.toString();
    } finally {
      for (PolicyHarness h : harnesses) {
        h.close();
      }
    }
  }

  /** chooseTarget calls per second for one round. */
  private static double measure(PolicyHarness h, double seconds, Random random) {
    DatanodeDescriptor[] dns = h.dataNodes;
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long ops = 0;
    long start = System.nanoTime();
    long sink = 0;
    while (true) {
      for (int i = 0; i < 256; i++) {
        DatanodeStorageInfo[] t = h.chooseTarget(3, dns[random.nextInt(dns.length)]);
        sink += t.length;
      }
      ops += 256;
      long now = System.nanoTime();
      if (now >= deadline) {
        if (sink < ops) {
          throw new IllegalStateException("a policy returned fewer than 3 targets");
        }
        return ops / ((now - start) / 1e9);
      }
    }
  }

  private static double shareSpanningTwoZones(PolicyHarness h) {
    Random random = new Random(99);
    int spanning = 0;
    for (int i = 0; i < SPREAD_SAMPLES; i++) {
      DatanodeStorageInfo[] t = h.chooseTarget(3, h.dataNodes[random.nextInt(h.dataNodes.length)]);
      Set<String> zones = new HashSet<>();
      for (DatanodeStorageInfo s : t) {
        zones.add(Topologies.zoneOf(s.getDatanodeDescriptor().getNetworkLocation()));
      }
      if (zones.size() >= 2) {
        spanning++;
      }
    }
    return (double) spanning / SPREAD_SAMPLES;
  }
}
