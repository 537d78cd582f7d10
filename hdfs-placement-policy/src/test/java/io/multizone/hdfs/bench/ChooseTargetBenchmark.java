package io.multizone.hdfs.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.multizone.hdfs.testutil.LogLineCounter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicy;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerant;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerantWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeStorageInfo;
import org.apache.hadoop.hdfs.server.blockmanagement.PolicyHarness;
import org.apache.hadoop.hdfs.server.blockmanagement.Topologies;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;

/**
 * {@code chooseTarget} throughput of the zone-aware policies against the stock ones, side by
 * side in one JVM, on NameNode-backed topologies of 60, 300 and 3000 DataNodes in 3 zones (no
 * DataNode processes, as Hadoop's own placement tests), healthy and degraded:
 * <ul>
 *   <li>{@code healthy}: writer = a random DataNode;</li>
 *   <li>{@code writer-outside}: writer outside the cluster;</li>
 *   <li>{@code third-busy}: a third of the DataNodes above the considerLoad limit;</li>
 *   <li>{@code racks-full}: only rack-1 of each zone has room;</li>
 *   <li>{@code zone-down}: every DataNode of zone-c dead (out of the topology);</li>
 *   <li>{@code zone-decommissioning}: every DataNode of zone-c being decommissioned;</li>
 *   <li>{@code 8-threads}: healthy, eight threads at once.</li>
 * </ul>
 * Replication 3 for the replication policies (ours vs Default vs RackFaultTolerant), RS-6-3
 * groups for the EC policies (ours vs stock RackFaultTolerant). For each workload the policies'
 * rounds are interleaved, the first round of each is a warm-up, and the ratio is the median of
 * the per-round ratios with its range. A separate pass over the same workload counts the INFO
 * or louder log lines per 1000 blocks (what a NameNode at its default level writes) and the
 * blocks spanning at least two zones.
 *
 * <p>Usage: {@code ChooseTargetBenchmark [secondsPerRound] [rounds] [sizes]} (defaults 1, 5,
 * {@code 60,300,3000}).
 */
public final class ChooseTargetBenchmark {

  private static final String DEFAULT = BlockPlacementPolicyDefault.class.getName();
  private static final String RFT = BlockPlacementPolicyRackFaultTolerant.class.getName();
  private static final String OURS = BlockPlacementPolicyWithZones.CLASS_NAME;
  private static final String EC_OURS = BlockPlacementPolicyRackFaultTolerantWithZones.CLASS_NAME;
  private static final int SAMPLE_BLOCKS = 2000;
  /** A slow policy samples fewer blocks: at most this long per sample. */
  private static final long SAMPLE_NANOS = 5_000_000_000L;
  private static final int THREADS = 8;

  enum Workload {
    HEALTHY("healthy"), WRITER_OUTSIDE("writer-outside"), THIRD_BUSY("third-busy"),
    RACKS_FULL("racks-full"), ZONE_DOWN("zone-down"),
    ZONE_DECOMMISSIONING("zone-decommissioning"), EIGHT_THREADS("8-threads");

    final String label;

    Workload(String label) {
      this.label = label;
    }
  }

  /** One policy on its own NameNode, and how it is asked. */
  static final class Subject {
    final String name;
    final PolicyHarness harness;
    final BlockPlacementPolicy policy;
    final int width;

    Subject(String name, PolicyHarness harness, BlockPlacementPolicy policy, int width) {
      this.name = name;
      this.harness = harness;
      this.policy = policy;
      this.width = width;
    }

    DatanodeStorageInfo[] choose(DatanodeDescriptor writer) {
      return policy.chooseTarget("/bench", width, writer, new ArrayList<>(), false, null,
          PolicyHarness.BLOCK_SIZE, PolicyHarness.HOT, null);
    }
  }

  private ChooseTargetBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String sizes = args.length > 2 ? args[2] : "60,300,3000";
    DefaultMetricsSystem.setMiniClusterMode(true);
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT, "%nchooseTarget benchmark: %d interleaved rounds"
        + " of %.1f s after a warm-up round, median; replication 3 and RS-6-3 groups%n",
        rounds, seconds));
    report.append(String.format(Locale.ROOT, "%-9s %-21s %-24s %11s %15s %8s %12s %10s%n",
        "DataNodes", "workload", "policy", "ops/s", "ratio (range)", "", "INFO/1000 blk",
        ">=2 zones"));
    for (String size : sizes.split(",")) {
      String[] racks = topology(Integer.parseInt(size.trim()));
      report.append(runSize(racks, seconds, rounds, false));
      report.append(runSize(racks, seconds, rounds, true));
      System.out.print(report);
      report.setLength(0);
    }
  }

  /** 3 zones; racks of 5 (60), 10 (300) or 50 (3000) hosts, 4 / 10 / 20 racks per zone. */
  private static String[] topology(int dataNodes) {
    switch (dataNodes) {
      case 60:
        return Topologies.zoned(3, 4, 5);
      case 300:
        return Topologies.zoned(3, 10, 10);
      case 3000:
        return Topologies.zoned(3, 20, 50);
      default:
        throw new IllegalArgumentException("sizes: 60, 300 or 3000, got " + dataNodes);
    }
  }

  private static String runSize(String[] racks, double seconds, int rounds, boolean ec)
      throws Exception {
    List<Subject> subjects = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    try {
      if (ec) {
        subjects.add(ecSubject(EC_OURS, racks));
        subjects.add(ecSubject(RFT, racks));
      } else {
        for (String p : new String[] {OURS, DEFAULT, RFT}) {
          PolicyHarness h = PolicyHarness.start(p, null, racks);
          subjects.add(new Subject(shortName(p), h, h.policy, 3));
        }
      }
      // JIT warm-up of every code path before anything is counted.
      for (Workload w : Workload.values()) {
        for (Subject s : subjects) {
          apply(w, s.harness, true);
          run(s, w, Math.min(seconds, 0.5), new Random(7));
          apply(w, s.harness, false);
        }
      }
      for (Workload w : Workload.values()) {
        for (Subject s : subjects) {
          apply(w, s.harness, true);
        }
        // Log lines and spread first, on the state the workload just set up.
        double[][] lines = new double[subjects.size()][];
        for (int i = 0; i < subjects.size(); i++) {
          lines[i] = sample(subjects.get(i), w);
        }
        double[][] ops = new double[subjects.size()][rounds + 1];
        for (int r = 0; r <= rounds; r++) {
          for (Subject s : subjects) {
            heartbeats(w, s.harness);
          }
          for (int i = 0; i < subjects.size(); i++) {
            // Alternate the order so neither side always runs right after the other.
            int k = r % 2 == 0 ? i : subjects.size() - 1 - i;
            ops[k][r] = measure(subjects.get(k), w, seconds, new Random(r));
          }
        }
        for (int i = 0; i < subjects.size(); i++) {
          Subject s = subjects.get(i);
          String ratio = i == 0 ? "" : ratio(ops[0], ops[i]);
          sb.append(String.format(Locale.ROOT, "%-9d %-21s %-24s %11.0f %15s %8s %12.1f %9.1f%%%n",
              racks.length, w.label, s.name + (ec ? " (RS-6-3)" : ""), median(ops[i]), ratio,
              i == 0 ? "" : "ours/it", lines[i][0], lines[i][1]));
        }
        for (Subject s : subjects) {
          apply(w, s.harness, false);
        }
      }
      return sb.toString();
    } finally {
      for (Subject s : subjects) {
        s.harness.close();
      }
    }
  }

  private static Subject ecSubject(String ecPolicy, String[] racks) throws Exception {
    Configuration conf = new Configuration(false);
    conf.set(DFSConfigKeys.DFS_BLOCK_PLACEMENT_EC_CLASSNAME_KEY, ecPolicy);
    PolicyHarness h = PolicyHarness.start(OURS, conf, racks);
    BlockPlacementPolicy ec =
        h.namenode.getNamesystem().getBlockManager().getStriptedBlockPlacementPolicy();
    return new Subject(shortName(ecPolicy), h, ec, 9);
  }

  private static String shortName(String className) {
    return className.substring(className.lastIndexOf('.') + 1)
        .replace("BlockPlacementPolicy", "");
  }

  /** Puts the cluster into (or back out of) the workload's state. */
  static void apply(Workload w, PolicyHarness h, boolean on) {
    for (DatanodeDescriptor dn : h.dataNodes) {
      if (!dn.getNetworkLocation().startsWith("/zone-c/")) {
        continue;
      }
      if (w == Workload.ZONE_DOWN) {
        if (on) {
          h.removeNode(dn);
        } else {
          h.addNode(dn);
        }
      } else if (w == Workload.ZONE_DECOMMISSIONING) {
        h.setDecommissioning(dn, on);
      }
    }
    heartbeats(on ? w : Workload.HEALTHY, h);
  }

  /**
   * Every live DataNode sends a heartbeat with the workload's free space and load. Sent before
   * every round too: a node without a heartbeat for 30 s turns stale, which would change what
   * the policies are asked.
   */
  static void heartbeats(Workload w, PolicyHarness h) {
    for (int i = 0; i < h.dataNodes.length; i++) {
      DatanodeDescriptor dn = h.dataNodes[i];
      if (w == Workload.ZONE_DOWN && dn.getNetworkLocation().startsWith("/zone-c/")) {
        continue;
      }
      boolean full = w == Workload.RACKS_FULL && !dn.getNetworkLocation().endsWith("/rack-1");
      int load = w == Workload.THIRD_BUSY ? (i % 3 == 0 ? 100 : 1) : 0;
      h.heartbeat(dn, full ? 0 : PolicyHarness.CAPACITY, load);
    }
  }

  /** The writer of a block under the workload: a live DataNode, or none. */
  private static DatanodeDescriptor writer(PolicyHarness h, Workload w, Random random) {
    if (w == Workload.WRITER_OUTSIDE) {
      return null;
    }
    while (true) {
      DatanodeDescriptor dn = h.dataNodes[random.nextInt(h.dataNodes.length)];
      if ((w != Workload.ZONE_DOWN && w != Workload.ZONE_DECOMMISSIONING)
          || !dn.getNetworkLocation().startsWith("/zone-c/")) {
        return dn;
      }
    }
  }

  /** chooseTarget calls per second for one round. */
  private static double measure(Subject s, Workload w, double seconds, Random seed)
      throws Exception {
    if (w != Workload.EIGHT_THREADS) {
      return run(s, w, seconds, seed);
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Double>> parts = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        final Random r = new Random(seed.nextLong());
        parts.add(pool.submit(() -> run(s, w, seconds, r)));
      }
      double total = 0;
      for (Future<Double> f : parts) {
        total += f.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  static double run(Subject s, Workload w, double seconds, Random random) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long ops = 0;
    long start = System.nanoTime();
    while (true) {
      DatanodeStorageInfo[] t = s.choose(writer(s.harness, w, random));
      if (t.length < s.width) {
        throw new IllegalStateException(s.name + " returned " + t.length + " targets in "
            + w.label);
      }
      ops++;
      long now = System.nanoTime();
      if (now >= deadline) {
        return ops / ((now - start) / 1e9);
      }
    }
  }

  /**
   * INFO+ log lines per 1000 blocks, and the share of blocks spanning >= 2 zones. One block is
   * placed before counting: the zone policies log one INFO line when their zone layout changes
   * (once per topology change, not per block).
   */
  private static double[] sample(Subject s, Workload w) {
    Random random = new Random(99);
    s.choose(writer(s.harness, w, new Random(98)));
    int spanning = 0;
    int blocks = 0;
    long lines;
    long deadline = System.nanoTime() + SAMPLE_NANOS;
    try (LogLineCounter counter = LogLineCounter.attach()) {
      for (; blocks < SAMPLE_BLOCKS && (blocks < 20 || System.nanoTime() < deadline);
          blocks++) {
        DatanodeStorageInfo[] t = s.choose(writer(s.harness, w, random));
        Set<String> zones = new HashSet<>();
        for (DatanodeStorageInfo st : t) {
          zones.add(Topologies.zoneOf(st.getDatanodeDescriptor().getNetworkLocation()));
        }
        if (zones.size() >= 2) {
          spanning++;
        }
      }
      lines = counter.lines();
    }
    return new double[] {1000.0 * lines / blocks, 100.0 * spanning / blocks};
  }

  private static double median(double[] withWarmup) {
    double[] v = Arrays.copyOfRange(withWarmup, 1, withWarmup.length);
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Median of the per-round ratios ours/other, with their range. */
  private static String ratio(double[] ours, double[] other) {
    double[] r = new double[ours.length - 1];
    for (int i = 1; i < ours.length; i++) {
      r[i - 1] = ours[i] / other[i];
    }
    double[] sorted = r.clone();
    Arrays.sort(sorted);
    double med = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", med, sorted[0],
        sorted[sorted.length - 1]);
  }
}
