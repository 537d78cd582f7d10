package io.multizone.yarn.bench;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.metrics.ZonePlacementMetrics;
import io.multizone.yarn.placement.PlacementTier;
import io.multizone.yarn.placement.ZoneAwarePlacementAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.net.TableMapping;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationSubmissionContext;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerState;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.MockNodes;
import org.apache.hadoop.yarn.server.resourcemanager.MockRM;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMAppImpl;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.attempt.RMAppAttemptImpl;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.attempt.RMAppAttemptMetrics;
import org.apache.hadoop.yarn.server.resourcemanager.rmcontainer.RMContainer;
import org.apache.hadoop.yarn.server.resourcemanager.rmcontainer.RMContainerEventType;
import org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNode;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.common.fica.FiCaSchedulerApp;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.AppAddedSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.AppAttemptAddedSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.NodeAddedSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.NodeUpdateSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.ResourceUsageMultiNodeLookupPolicy;
import org.apache.hadoop.yarn.server.utils.BuilderUtils;

/**
 * Side-by-side benchmark, in one JVM, of the zone-aware allocator and the stock
 * {@code LocalityAppPlacementAllocator} on a real CapacityScheduler (MockRM). Not a test.
 *
 * <ol>
 *   <li>Throughput (pattern of Hadoop's TestCapacitySchedulerPerf), five workloads: healthy
 *       (1000 roomy nodes), busy nodes (4 slots each, ~95% full, containers finishing),
 *       each application's replicas in 2 of 3 zones, a third of the named hosts
 *       DataNode-only, multi-node placement. Each workload runs stock and zone-aware
 *       back to back in rounds, the order alternating, {@code bench.warmup} (2) warm-up
 *       rounds not counted, then {@code bench.rounds} (7) measured ones; printed: the median
 *       allocations/s of each, the median and min..max of the per-round ratio, the locality
 *       shares (YARN's node/rack/off-switch type, off-switch split by the application's
 *       data zones) and the off-zone offers the zone tier refused. Each rate is given twice:
 *       per wall-clock second, and per CPU second of the scheduling thread (the benchmark
 *       thread, which drives every node heartbeat synchronously); the latter does not count
 *       time the thread spent descheduled, so it stays meaningful on a loaded machine
 *       (it leaves out GC and YARN's asynchronous dispatchers, which both allocators share).</li>
 *   <li>Locality: 3 zones × 10 racks × 10 hosts, 10 slots each, cluster 70% / 90% busy, tasks with
 *       3 replicas over 2 zones; an emulated MapReduce AM takes each container for a task
 *       with a replica on the node, else in the rack, else in the zone, else any; share of
 *       tasks per tier and off-zone share, with and without multi-node placement
 *       ({@code -Dbench.locality=false} skips it).</li>
 * </ol>
 *
 * <p>{@code -Dbench.repeat=3} runs each allocator 3 times per round (longer rounds).
 * {@code -Dbench.only=busy,DN-only} runs only the named workloads (through exec:exec, pass
 * them inside {@code -Dsurefire.argLine="... -Dbench.only=busy"}, which the exec's command
 * line starts with).
 *
 * Applications and nodes are added straight to the scheduler, as in TestCapacitySchedulerPerf.
 * Run: {@code mvn -B -ntp -pl yarn-scheduler test-compile exec:exec@benchmark}
 */
public final class ZonePlacementBenchmark {
  private static final int GB = 1024;
  private static final Map<String, String> TOPOLOGY = new LinkedHashMap<>();

  private ZonePlacementBenchmark() {
  }

  private static List<String> addTopology(String prefix, int zones, int racks, int hosts) {
    return addTopology(prefix, "h", zones, racks, hosts);
  }

  private static List<String> addTopology(String prefix, String hostLetter, int zones,
      int racks, int hosts) {
    List<String> names = new ArrayList<>();
    for (int z = 0; z < zones; z++) {
      for (int r = 0; r < racks; r++) {
        for (int h = 0; h < hosts; h++) {
          String host = prefix + "z" + z + "r" + r + hostLetter + h;
          TOPOLOGY.put(host, "/zone-" + prefix + z + "/rack-" + r);
          names.add(host);
        }
      }
    }
    return names;
  }

  public static void main(String[] args) throws Exception {
    List<String> perfHosts = addTopology("p", 5, 10, 20);
    List<String> zoneHosts = addTopology("q", 3, 10, 20);
    // DataNode-only hosts: in the topology (the RM resolves their racks), no NodeManager.
    List<String> dataOnlyHosts = addTopology("q", "d", 3, 10, 10);
    List<String> locHosts = addTopology("l", 3, 10, 10);
    File table = new File("target/bench-topology.table");
    table.getParentFile().mkdirs();
    // DataNode-only hosts, the only names the allocator resolves (NodeManagers' racks come
    // from the scheduler), get their own address, in the table (YARN's RackResolver looks
    // racks up by the normalised address) and in target/bench-hosts, which the JVM reads as
    // its hosts file (-Djdk.net.hosts.file, set by the exec execution): they resolve at once,
    // as in a cluster with working DNS, instead of each lookup waiting for the resolver to
    // fail (about 0.2 s each here, which made that workload measure DNS failures).
    Set<String> dataOnly = new HashSet<>(dataOnlyHosts);
    StringBuilder sb = new StringBuilder();
    StringBuilder hostsFile = new StringBuilder("127.0.0.1 localhost\n");
    String self = localHostName();
    if (self != null) {
      hostsFile.append("127.0.0.1 ").append(self).append('\n');
    }
    int seq = 1;
    for (Map.Entry<String, String> e : TOPOLOGY.entrySet()) {
      sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
      if (dataOnly.contains(e.getKey())) {
        String ip = "10." + (seq >> 16) + "." + ((seq >> 8) & 255) + "." + (seq & 255);
        seq++;
        sb.append(ip).append(' ').append(e.getValue()).append('\n');
        hostsFile.append(ip).append(' ').append(e.getKey()).append('\n');
      }
      NetUtils.addStaticResolution(e.getKey(), "127.0.0.1");
    }
    Files.write(table.toPath(), sb.toString().getBytes(StandardCharsets.UTF_8));
    Files.write(new File("target/bench-hosts").toPath(),
        hostsFile.toString().getBytes(StandardCharsets.UTF_8));

    int warmup = Math.max(0, Integer.getInteger("bench.warmup", 2));
    int rounds = Math.max(1, Integer.getInteger("bench.rounds", 7));
    String only = System.getProperty("bench.only", "");
    List<Workload> workloads = Arrays.asList(
        new Workload("healthy", "1000 NMs (5 zones) x 64 slots, 10 apps x 1500 tasks, replicas"
            + " over 2 random zones per task", perfHosts, 64, 0, 0, false, 10, 1500,
            (rnd, app, n) -> tasks(rnd, perfHosts, n, -1, -1, null)),
        new Workload("busy", "600 NMs (3 zones) x 4 slots, background app on 75% of the slots,"
            + " 10 apps x 400 tasks in 2 of 3 zones, oldest container released past 20%"
            + " in flight (cluster ~95% full)", zoneHosts, 4, 75, 480, false, 10, 400,
            (rnd, app, n) -> tasks(rnd, zoneHosts, n, app % 3, (app + 1) % 3, null)),
        new Workload("2-zones", "600 NMs (3 zones) x 32 slots, 10 apps x 1500 tasks, each app's"
            + " replicas in 2 of 3 zones", zoneHosts, 32, 0, 0, false, 10, 1500,
            (rnd, app, n) -> tasks(rnd, zoneHosts, n, app % 3, (app + 1) % 3, null)),
        new Workload("DN-only", "as 2-zones, one replica of each task (a third of the named"
            + " hosts) on a DataNode-only host", zoneHosts, 32, 0, 0, false, 10, 1500,
            (rnd, app, n) -> tasks(rnd, zoneHosts, n, app % 3, (app + 1) % 3, dataOnlyHosts)),
        new Workload("multi-node", "1000 NMs (5 zones) x 64 slots, 10 apps x 300 tasks,"
            + " multi-node placement (utilisation sorter, re-sorted every second)", perfHosts,
            64, 0, 0, true, 10, 300, (rnd, app, n) -> tasks(rnd, perfHosts, n, -1, -1, null)));

    List<String> summary = new ArrayList<>();
    for (Workload w : workloads) {
      if (!only.isEmpty() && !Arrays.asList(only.split(",")).contains(w.name)) {
        continue;
      }
      summary.add(measure(table, w, warmup, rounds));
    }
    System.out.println("== Summary (allocations/s: median of " + rounds + " measured rounds;"
        + " ratio zone-aware/stock per round: median and min..max; locality of the measured"
        + " containers: node / rack / zone / off-zone) ==");
    System.out.println("| workload | stock alloc/s | zone-aware alloc/s | ratio median | ratio"
        + " min..max | ratio per CPU-s median | per CPU-s min..max"
        + " | stock node/rack/zone/off-zone | zone-aware node/rack/zone/off-zone |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String row : summary) {
      System.out.println(row);
    }

    if (!Boolean.parseBoolean(System.getProperty("bench.locality", "true"))) {
      return;
    }
    for (boolean multiNode : new boolean[] {false, true}) {
      for (int[] load : new int[][] {{70, 500}, {90, 200}}) {
        int busyPct = load[0];
        int taskCount = load[1];
        System.out.println("== Locality: 3 zones x 10 racks x 10 hosts, " + busyPct
            + "% busy, " + taskCount + " tasks, 3 replicas over 2 zones"
            + (multiNode ? ", multi-node placement" : "") + " ==");
        Map<PlacementTier, Integer> stock =
            locality(table, false, multiNode, locHosts, busyPct, taskCount);
        Map<PlacementTier, Integer> ours =
            locality(table, true, multiNode, locHosts, busyPct, taskCount);
        System.out.printf(Locale.ROOT, "  %-10s %8s %8s %8s %9s %9s%n", "allocator", "node",
            "rack", "zone", "off-zone", "unplaced");
        print("stock", stock);
        print("zone", ours);
      }
    }
  }

  /** The machine's name, for the JVM hosts file (InetAddress.getLocalHost looks it up). */
  private static String localHostName() {
    String name = System.getenv("HOSTNAME");
    File etc = new File("/etc/hostname");
    if ((name == null || name.isEmpty()) && etc.canRead()) {
      try {
        name = new String(Files.readAllBytes(etc.toPath()), StandardCharsets.UTF_8).trim();
      } catch (java.io.IOException e) {
        name = null;
      }
    }
    return name == null || name.isEmpty() ? null : name;
  }

  /** Tasks of one application: {@code (random, application index, count)}. */
  private interface TaskSource {
    List<String[]> tasks(Random rnd, int app, int n);
  }

  /** One throughput workload, run for both allocators in the same JVM. */
  private static final class Workload {
    final String name;
    final String description;
    final List<String> hosts;
    final int slots;
    final int busyPct;
    final int inFlight;
    final boolean multiNode;
    final int apps;
    final int tasksPerApp;
    final TaskSource taskSource;

    Workload(String name, String description, List<String> hosts, int slots, int busyPct,
        int inFlight, boolean multiNode, int apps, int tasksPerApp, TaskSource taskSource) {
      this.name = name;
      this.description = description;
      this.hosts = hosts;
      this.slots = slots;
      this.busyPct = busyPct;
      this.inFlight = inFlight;
      this.multiNode = multiNode;
      this.apps = apps;
      this.tasksPerApp = tasksPerApp;
      this.taskSource = taskSource;
    }
  }

  /** One run: allocations per second and the measured containers per tier. */
  private static final class Run {
    final double rate;
    /** Allocations per CPU second of the scheduling (benchmark) thread. */
    final double cpuRate;
    /** node, rack, zone, off-zone. */
    final long[] tiers;
    /** Off-zone offers the zone tier refused (zone-aware only). */
    final long skipped;
    /** Node heartbeats per allocated container. */
    final double heartbeatsPerAllocation;

    Run(double rate, double cpuRate, long[] tiers, long skipped,
        double heartbeatsPerAllocation) {
      this.rate = rate;
      this.cpuRate = cpuRate;
      this.tiers = tiers;
      this.skipped = skipped;
      this.heartbeatsPerAllocation = heartbeatsPerAllocation;
    }
  }

  /**
   * Warm-up rounds (not counted), then measured rounds; each round runs stock and zone-aware
   * back to back, the order alternating from round to round, and yields one ratio.
   *
   * @return the summary table row
   */
  private static String measure(File table, Workload w, int warmup, int rounds)
      throws Exception {
    System.out.println("== " + w.name + ": " + w.description + " (" + warmup
        + " warm-up rounds, " + rounds + " measured; order alternates) ==");
    List<List<Double>> rates = Arrays.asList(new ArrayList<>(), new ArrayList<>());
    List<Double> ratios = new ArrayList<>();
    List<Double> cpuRatios = new ArrayList<>();
    long[][] tiers = new long[2][4];
    long skipped = 0;
    for (int round = 0; round < warmup + rounds; round++) {
      boolean counted = round >= warmup;
      Run[] runs = new Run[2];
      for (int i = 0; i < 2; i++) {
        int mode = (round % 2 == 0) ? i : 1 - i;
        runs[mode] = repeated(table, w, mode == 1, REPEAT);
      }
      double ratio = runs[1].rate / runs[0].rate;
      double cpuRatio = runs[1].cpuRate / runs[0].cpuRate;
      System.out.printf(Locale.ROOT, "  %-9s %d (%s first)  stock %,9.0f/s  zone-aware %,9.0f/s"
          + "  ratio %.2f   per CPU-s %,9.0f / %,9.0f ratio %.2f   (heartbeats per allocation"
          + " %.2f / %.2f)%n",
          counted ? "round" : "warm-up", counted ? round - warmup + 1 : round + 1,
          round % 2 == 0 ? "stock" : "zone", runs[0].rate, runs[1].rate, ratio,
          runs[0].cpuRate, runs[1].cpuRate, cpuRatio,
          runs[0].heartbeatsPerAllocation, runs[1].heartbeatsPerAllocation);
      if (counted) {
        ratios.add(ratio);
        cpuRatios.add(cpuRatio);
        skipped += runs[1].skipped;
        for (int mode = 0; mode < 2; mode++) {
          rates.get(mode).add(runs[mode].rate);
          for (int t = 0; t < 4; t++) {
            tiers[mode][t] += runs[mode].tiers[t];
          }
        }
      }
    }
    double stock = median(rates.get(0));
    double ours = median(rates.get(1));
    double ratio = median(ratios);
    double min = Collections.min(ratios);
    double max = Collections.max(ratios);
    double cpuRatio = median(cpuRatios);
    double cpuMin = Collections.min(cpuRatios);
    double cpuMax = Collections.max(cpuRatios);
    System.out.printf(Locale.ROOT, "  median: stock %,.0f/s   zone-aware %,.0f/s   ratio median"
        + " %.2f (min %.2f .. max %.2f over %d rounds)%s%n", stock, ours, ratio, min, max,
        ratios.size(), ratio >= 0.95 ? "" : "   BELOW 0.95");
    System.out.printf(Locale.ROOT, "  per CPU second of the scheduling thread: ratio median %.2f"
        + " (min %.2f .. max %.2f)%s%n", cpuRatio, cpuMin, cpuMax,
        cpuRatio >= 0.95 ? "" : "   BELOW 0.95");
    System.out.printf(Locale.ROOT, "  %-10s %8s %8s %8s %9s   (containers of the measured"
        + " rounds)%n", "locality", "node", "rack", "zone", "off-zone");
    String[] shares = new String[2];
    for (int mode = 0; mode < 2; mode++) {
      long total = Math.max(1, tiers[mode][0] + tiers[mode][1] + tiers[mode][2]
          + tiers[mode][3]);
      double[] pct = new double[4];
      for (int t = 0; t < 4; t++) {
        pct[t] = 100.0 * tiers[mode][t] / total;
      }
      System.out.printf(Locale.ROOT, "  %-10s %7.1f%% %7.1f%% %7.1f%% %8.2f%%%n",
          mode == 0 ? "stock" : "zone", pct[0], pct[1], pct[2], pct[3]);
      shares[mode] = String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.2f %%", pct[0], pct[1],
          pct[2], pct[3]);
    }
    System.out.printf(Locale.ROOT, "  zone tier: %,d off-zone offers refused by zone-aware in"
        + " the measured rounds (%,d containers)%n", skipped,
        tiers[1][0] + tiers[1][1] + tiers[1][2] + tiers[1][3]);
    return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f× | %.2f–%.2f | %.2f× |"
        + " %.2f–%.2f | %s | %s |", w.name, stock, ours, ratio, min, max, cpuRatio, cpuMin,
        cpuMax, shares[0], shares[1]);
  }

  /** Runs per allocator per round ({@code bench.repeat}, default 1): longer, steadier rounds. */
  private static final int REPEAT = Math.max(1, Integer.getInteger("bench.repeat", 1));

  /**
   * {@code times} runs back to back, combined as one longer run: the rates are total
   * allocations over total time (each run allocates the same count), tiers and refusals
   * summed.
   */
  private static Run repeated(File table, Workload w, boolean zone, int times) throws Exception {
    Run first = throughput(table, w, zone);
    if (times == 1) {
      return first;
    }
    double inverseRate = 1 / first.rate;
    double inverseCpuRate = 1 / first.cpuRate;
    long[] tiers = first.tiers.clone();
    long skipped = first.skipped;
    for (int i = 1; i < times; i++) {
      Run r = throughput(table, w, zone);
      inverseRate += 1 / r.rate;
      inverseCpuRate += 1 / r.cpuRate;
      skipped += r.skipped;
      for (int t = 0; t < tiers.length; t++) {
        tiers[t] += r.tiers[t];
      }
    }
    return new Run(times / inverseRate, times / inverseCpuRate, tiers, skipped,
        first.heartbeatsPerAllocation);
  }

  private static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static void print(String name, Map<PlacementTier, Integer> m) {
    double total = 0;
    for (int v : m.values()) {
      total += v;
    }
    System.out.printf(Locale.ROOT, "  %-10s %7.1f%% %7.1f%% %7.1f%% %8.2f%% %9d%n", name,
        100 * m.get(PlacementTier.NODE) / total, 100 * m.get(PlacementTier.RACK) / total,
        100 * m.get(PlacementTier.ZONE) / total, 100 * m.get(PlacementTier.OFF_ZONE) / total,
        m.get(PlacementTier.NONE));
  }

  private static final String SORTER = ResourceUsageMultiNodeLookupPolicy.class.getName();

  private static Configuration conf(File table, boolean zone, boolean multiNode,
      long sortingIntervalMs) {
    Configuration conf = new YarnConfiguration();
    // The RM's stores (node attributes) under target/, not the machine-wide
    // /tmp/hadoop-yarn-$USER another JVM's RM may be rewriting at the same moment.
    conf.set("hadoop.tmp.dir", new File("target/bench-tmp").getAbsolutePath());
    conf.set(YarnConfiguration.RM_SCHEDULER, CapacityScheduler.class.getName());
    conf.set("net.topology.node.switch.mapping.impl", TableMapping.class.getName());
    conf.set("net.topology.table.file.name", table.getAbsolutePath());
    // Heartbeat-driven scheduling, the 3.4 default (3.5 turns asynchronous scheduling on).
    conf.setBoolean("yarn.scheduler.capacity.schedule-asynchronously.enable", false);
    conf.setBoolean("yarn.scheduler.capacity.per-node-heartbeat.multiple-assignments-enabled",
        false);
    conf.set("yarn.scheduler.capacity.root.default.user-limit-factor", "100");
    conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
    if (zone) {
      conf.set(ZonePlacementYarnConfig.YARN_APP_PLACEMENT_ALLOCATOR_KEY,
          ZoneAwarePlacementAllocator.class.getName());
    }
    if (multiNode) {
      String p = "yarn.scheduler.capacity.multi-node-sorting.policy";
      conf.setBoolean("yarn.scheduler.capacity.multi-node-placement-enabled", true);
      conf.set(p + ".names", "resource-based");
      conf.set(p, "resource-based");
      conf.set(p + ".resource-based.class", SORTER);
      conf.setLong(p + ".resource-based.sorting-interval.ms", sortingIntervalMs);
    }
    // Heartbeats are driven by hand, slower than real ones (and set-up is untimed): keep every
    // node a multi-node candidate and, for the room check, a heartbeating node.
    conf.setLong(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 60_000);
    return conf;
  }

  private static MockRM startRm(Configuration conf) {
    MockRM rm = new MockRM(conf);
    quiet();
    rm.start();
    return rm;
  }

  /**
   * Stops an RM and lets it be collected: the ResourceTrackerService's
   * DecommissioningNodesWatcher timer, which RM stop leaves running (Hadoop 3.4) and whose
   * task holds the RM context, is stopped; stub-only mocks record no invocations, and the
   * inline mock maker's registry and the static queue metrics are cleared, as Hadoop's tests
   * do. Else every run's RM, containers and asks stay reachable and a full run ends in
   * back-to-back full GCs.
   */
  private static void stop(MockRM rm) {
    rm.stop();
    try {
      java.lang.reflect.Field f = org.apache.hadoop.yarn.server.resourcemanager
          .ResourceTrackerService.class.getDeclaredField("decommissioningWatcher");
      f.setAccessible(true);
      Object watcher = f.get(rm.getResourceTrackerService());
      if (watcher != null) {
        watcher.getClass().getMethod("stop").invoke(watcher);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.out.println("  (could not stop the DecommissioningNodesWatcher timer: " + e + ")");
    }
    org.mockito.Mockito.framework().clearInlineMocks();
    org.apache.hadoop.yarn.server.resourcemanager.scheduler.QueueMetrics.clearQueueMetrics();
    org.apache.hadoop.metrics2.lib.DefaultMetricsSystem.shutdown();
  }

  private static void quiet() {
    org.apache.log4j.LogManager.getRootLogger().setLevel(org.apache.log4j.Level.WARN);
  }

  /** A task: the hosts of its three replicas. */
  private static List<String[]> tasks(Random rnd, List<String> hosts, int n) {
    return tasks(rnd, hosts, n, -1, -1, null);
  }

  private static String zoneOfHost(String host) {
    String rack = TOPOLOGY.get(host);
    return rack.substring(0, rack.indexOf('/', 1));
  }

  /**
   * Tasks with three replicas over two zones: the first in zone {@code zx}, the second in zone
   * {@code zy}, the third in the second's rack ({@code zx < 0}: a random pair per task). With
   * {@code dataOnly}, the first replica is on a DataNode-only host of zone {@code zx}.
   */
  private static List<String[]> tasks(Random rnd, List<String> hosts, int n, int zx, int zy,
      List<String> dataOnly) {
    Map<String, List<String>> byZone = new LinkedHashMap<>();
    Map<String, List<String>> byRack = new HashMap<>();
    for (String h : hosts) {
      byZone.computeIfAbsent(zoneOfHost(h), k -> new ArrayList<>()).add(h);
      byRack.computeIfAbsent(TOPOLOGY.get(h), k -> new ArrayList<>()).add(h);
    }
    Map<String, List<String>> dataOnlyByZone = new HashMap<>();
    if (dataOnly != null) {
      for (String h : dataOnly) {
        dataOnlyByZone.computeIfAbsent(zoneOfHost(h), k -> new ArrayList<>()).add(h);
      }
    }
    List<String> zones = new ArrayList<>(byZone.keySet());
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int x = zx;
      int y = zy;
      if (zx < 0) {
        x = rnd.nextInt(zones.size());
        y = (x + 1 + rnd.nextInt(zones.size() - 1)) % zones.size();
      }
      List<String> hx = dataOnly != null ? dataOnlyByZone.get(zones.get(x))
          : byZone.get(zones.get(x));
      String first = hx.get(rnd.nextInt(hx.size()));
      List<String> hy = byZone.get(zones.get(y));
      String second = hy.get(rnd.nextInt(hy.size()));
      List<String> rackY = byRack.get(TOPOLOGY.get(second));
      String third;
      do {
        third = rackY.get(rnd.nextInt(rackY.size()));
      } while (third.equals(second));
      out.add(new String[] {first, second, third});
    }
    return out;
  }

  /** Absolute asks for the pending tasks, zeroing names no longer wanted. */
  private static List<ResourceRequest> asks(List<String[]> pending, Set<String> previous,
      int memMb) {
    Map<String, Integer> counts = new HashMap<>();
    for (String[] t : pending) {
      Set<String> racks = new HashSet<>();
      for (String h : t) {
        counts.merge(h, 1, Integer::sum);
        racks.add(TOPOLOGY.get(h));
      }
      for (String r : racks) {
        counts.merge(r, 1, Integer::sum);
      }
    }
    List<ResourceRequest> reqs = new ArrayList<>();
    Priority p = Priority.newInstance(1);
    Resource cap = Resource.newInstance(memMb, 1);
    for (String old : previous) {
      if (!counts.containsKey(old)) {
        reqs.add(ResourceRequest.newInstance(p, old, cap, 0));
      }
    }
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      reqs.add(ResourceRequest.newInstance(p, e.getKey(), cap, e.getValue()));
    }
    reqs.add(ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, pending.size()));
    previous.clear();
    previous.addAll(counts.keySet());
    return reqs;
  }

  /** An RMNode with a rack path from the topology table (MockNodes only knows "rackN"). */
  private static RMNode node(String host, int memMb, int vcores, int num) {
    final RMNode base = MockNodes.newNodeInfo(0, Resource.newInstance(memMb, vcores), num,
        host, 1234);
    final String rack = TOPOLOGY.get(host);
    return (RMNode) java.lang.reflect.Proxy.newProxyInstance(RMNode.class.getClassLoader(),
        new Class<?>[] {RMNode.class}, (proxy, method, args) -> {
          if ("getRackName".equals(method.getName())) {
            return rack;
          }
          try {
            return method.invoke(base, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static List<RMNode> addNodes(MockRM rm, List<String> hosts, int memMb, int vcores) {
    CapacityScheduler cs = (CapacityScheduler) rm.getResourceScheduler();
    List<RMNode> nodes = new ArrayList<>();
    int i = 0;
    for (String h : hosts) {
      RMNode n = node(h, memMb, vcores, i++);
      rm.getRMContext().getRMNodes().put(n.getNodeID(), n);
      cs.handle(new NodeAddedSchedulerEvent(n));
      nodes.add(n);
    }
    return nodes;
  }

  private static int appSeq;

  /** Adds an application attempt straight to the scheduler (TestCapacitySchedulerPerf way). */
  private static FiCaSchedulerApp addApp(MockRM rm) {
    CapacityScheduler cs = (CapacityScheduler) rm.getResourceScheduler();
    ApplicationId appId = BuilderUtils.newApplicationId(100, appSeq++);
    ApplicationAttemptId attemptId = BuilderUtils.newApplicationAttemptId(appId, 1);
    RMAppAttemptMetrics metrics = new RMAppAttemptMetrics(attemptId, rm.getRMContext());
    RMAppImpl app = mock(RMAppImpl.class, withSettings().stubOnly());
    when(app.getApplicationId()).thenReturn(appId);
    RMAppAttemptImpl attempt = mock(RMAppAttemptImpl.class, withSettings().stubOnly());
    when(attempt.getMasterContainer()).thenReturn(
        mock(Container.class, withSettings().stubOnly()));
    when(attempt.getSubmissionContext()).thenReturn(
        mock(ApplicationSubmissionContext.class, withSettings().stubOnly()));
    when(attempt.getAppAttemptId()).thenReturn(attemptId);
    when(attempt.getRMAppAttemptMetrics()).thenReturn(metrics);
    when(app.getCurrentAppAttempt()).thenReturn(attempt);
    rm.getRMContext().getRMApps().put(appId, app);
    cs.handle(new AppAddedSchedulerEvent(appId, "root.default", "user1"));
    cs.handle(new AppAttemptAddedSchedulerEvent(attemptId, false));
    return cs.getApplicationAttempt(attemptId);
  }

  /**
   * One run of a workload with one allocator, in its own MockRM: nodes, the background load
   * (busy workload), the applications and their asks are set up untimed; then node heartbeats
   * in round-robin order until 90% of the asks are allocated (the tail, a few asks left per
   * application, is mostly delay-scheduling waits). Busy workload: once more than
   * {@code inFlight} of the applications' containers run, the oldest one finishes.
   */
  private static Run throughput(File table, Workload w, boolean zone) throws Exception {
    // Multi-node: the sorter thread re-sorts once a second, YARN's default.
    MockRM rm = startRm(conf(table, zone, w.multiNode, 1000));
    try {
      List<RMNode> nodes = addNodes(rm, w.hosts, w.slots * GB, w.slots);
      if (w.multiNode) {
        rm.getRMContext().getMultiNodeSortingManager().getMultiNodePolicy(SORTER)
            .reSortClusterNodes();
      }
      CapacityScheduler cs = (CapacityScheduler) rm.getResourceScheduler();
      Random rnd = new Random(42);
      if (w.busyPct > 0) {
        int busy = w.slots * nodes.size() * w.busyPct / 100;
        FiCaSchedulerApp bg = addApp(rm);
        bg.updateResourceRequests(Collections.singletonList(ResourceRequest.newInstance(
            Priority.newInstance(5), ResourceRequest.ANY, Resource.newInstance(GB, 1), busy)));
        while (cs.getRootQueue().getMetrics().getAllocatedContainers() < busy) {
          cs.handle(new NodeUpdateSchedulerEvent(nodes.get(rnd.nextInt(nodes.size()))));
        }
      }
      Map<ApplicationAttemptId, Set<String>> appZones = new HashMap<>();
      List<FiCaSchedulerApp> apps = new ArrayList<>();
      for (int a = 0; a < w.apps; a++) {
        List<String[]> tasks = w.taskSource.tasks(rnd, a, w.tasksPerApp);
        Set<String> zones = new HashSet<>();
        for (String[] t : tasks) {
          for (String h : t) {
            zones.add(zoneOfHost(h));
          }
        }
        FiCaSchedulerApp app = addApp(rm);
        app.updateResourceRequests(asks(tasks, new HashSet<String>(), GB));
        appZones.put(app.getApplicationAttemptId(), zones);
        apps.add(app);
      }
      quiet();
      long offZone = 0;
      java.util.ArrayDeque<RMContainer> running = new java.util.ArrayDeque<>();
      Set<ContainerId> seen = new HashSet<>();
      long skippedBefore = ZonePlacementMetrics.get().getOffZoneOffersSkipped();
      long before = cs.getRootQueue().getMetrics().getAggregateAllocatedContainers();
      long target = (long) w.apps * w.tasksPerApp * 9 / 10;
      java.lang.management.ThreadMXBean threads =
          java.lang.management.ManagementFactory.getThreadMXBean();
      long cpuStart = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      int i = 0;
      long allocated = 0;
      while (allocated < target && i < 200 * nodes.size()) {
        RMNode n = nodes.get(i++ % nodes.size());
        cs.handle(new NodeUpdateSchedulerEvent(n));
        if (w.inFlight > 0) {
          long now = cs.getRootQueue().getMetrics().getAggregateAllocatedContainers() - before;
          if (now == allocated) {
            continue;
          }
          allocated = now;
          for (RMContainer c : cs.getNode(n.getNodeID()).getCopiedListOfRunningContainers()) {
            Set<String> zones = appZones.get(c.getApplicationAttemptId());
            if (zones != null && seen.add(c.getContainerId())) {
              running.add(c);
              if (!zones.contains(zoneOfHost(n.getHostName()))) {
                offZone++;
              }
            }
          }
          while (running.size() > w.inFlight) {
            RMContainer done = running.poll();
            cs.completedContainer(done, ContainerStatus.newInstance(done.getContainerId(),
                ContainerState.COMPLETE, "done", 0), RMContainerEventType.KILL);
          }
        } else if ((i & 63) == 0) {
          allocated = cs.getRootQueue().getMetrics().getAggregateAllocatedContainers() - before;
        }
      }
      allocated = cs.getRootQueue().getMetrics().getAggregateAllocatedContainers() - before;
      double secs = (System.nanoTime() - start) / 1e9;
      double cpuSecs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      long skipped = ZonePlacementMetrics.get().getOffZoneOffersSkipped() - skippedBefore;
      long[] tiers = new long[4];
      for (FiCaSchedulerApp app : apps) {
        int[][] stats = rm.getRMContext().getRMApps().get(app.getApplicationId())
            .getCurrentAppAttempt().getRMAppAttemptMetrics().getLocalityStatistics();
        for (int t = 0; t < 3; t++) {
          for (int v : stats[t]) {
            tiers[t] += v;
          }
        }
        if (w.inFlight == 0) {
          Set<String> zones = appZones.get(app.getApplicationAttemptId());
          for (RMContainer c : app.getLiveContainers()) {
            if (!zones.contains(zoneOfHost(c.getAllocatedNode().getHost()))) {
              offZone++;
            }
          }
        }
      }
      // YARN's off-switch containers: in a zone of the application's data, or off-zone.
      tiers[3] = offZone;
      tiers[2] -= offZone;
      return new Run(allocated / secs, allocated / Math.max(cpuSecs, 1e-9), tiers, skipped,
          (double) i / Math.max(1, allocated));
    } finally {
      stop(rm);
    }
  }

  private static Map<PlacementTier, Integer> locality(File table, boolean zone,
      boolean multiNode, List<String> hosts, int busyPct, int taskCount) throws Exception {
    // Multi-node: sorted at each pass (no sorter thread), so runs are reproducible.
    MockRM rm = startRm(conf(table, zone, multiNode, 0));
    Map<PlacementTier, Integer> tiers = new EnumMap<>(PlacementTier.class);
    for (PlacementTier t : PlacementTier.values()) {
      tiers.put(t, 0);
    }
    try {
      List<RMNode> nodes = addNodes(rm, hosts, 10 * GB, 10);
      CapacityScheduler cs = (CapacityScheduler) rm.getResourceScheduler();
      Random rnd = new Random(7);
      // Background load: busyPct of the slots, spread by random heartbeats.
      int busy = 10 * hosts.size() * busyPct / 100;
      FiCaSchedulerApp bg = addApp(rm);
      bg.updateResourceRequests(Collections.singletonList(ResourceRequest.newInstance(
          Priority.newInstance(5), ResourceRequest.ANY, Resource.newInstance(GB, 1), busy)));
      long before = cs.getRootQueue().getMetrics().getAllocatedContainers();
      while (cs.getRootQueue().getMetrics().getAllocatedContainers() - before < busy) {
        cs.handle(new NodeUpdateSchedulerEvent(nodes.get(rnd.nextInt(nodes.size()))));
      }

      FiCaSchedulerApp job = addApp(rm);
      List<String[]> pending = new ArrayList<>(tasks(rnd, hosts, taskCount));
      Set<String> asked = new HashSet<>();
      job.updateResourceRequests(asks(pending, asked, GB));
      Set<ContainerId> seen = new HashSet<>();
      List<RMNode> order = new ArrayList<>(nodes);
      for (int round = 0; round < 100 && !pending.isEmpty(); round++) {
        Collections.shuffle(order, rnd);
        for (RMNode n : order) {
          int live = job.getLiveContainers().size();
          cs.handle(new NodeUpdateSchedulerEvent(n));
          if (job.getLiveContainers().size() == live) {
            continue;
          }
          for (RMContainer c : job.getLiveContainers()) {
            if (seen.add(c.getContainerId())) {
              assign(pending, c.getAllocatedNode().getHost(), tiers);
            }
          }
          // The emulated AM answers at once with the asks of the tasks still pending.
          job.updateResourceRequests(asks(pending, asked, GB));
          if (pending.isEmpty()) {
            break;
          }
        }
      }
      tiers.put(PlacementTier.NONE, pending.size());
      return tiers;
    } finally {
      stop(rm);
    }
  }

  /** Emulated MapReduce AM: best pending task for a container on {@code host}. */
  private static PlacementTier assign(List<String[]> pending, String host,
      Map<PlacementTier, Integer> tiers) {
    if (pending.isEmpty()) {
      return null;
    }
    String rack = TOPOLOGY.get(host);
    String zoneOfHost = rack.substring(0, rack.indexOf('/', 1));
    int best = -1;
    PlacementTier bestTier = PlacementTier.OFF_ZONE;
    for (int i = 0; i < pending.size() && bestTier != PlacementTier.NODE; i++) {
      for (String h : pending.get(i)) {
        String r = TOPOLOGY.get(h);
        PlacementTier t = h.equals(host) ? PlacementTier.NODE : r.equals(rack)
            ? PlacementTier.RACK : r.startsWith(zoneOfHost + "/") ? PlacementTier.ZONE
            : PlacementTier.OFF_ZONE;
        if (best < 0 || t.ordinal() < bestTier.ordinal()) {
          best = i;
          bestTier = t;
        }
      }
    }
    pending.remove(best);
    tiers.merge(bestTier, 1, Integer::sum);
    return bestTier;
  }
}
