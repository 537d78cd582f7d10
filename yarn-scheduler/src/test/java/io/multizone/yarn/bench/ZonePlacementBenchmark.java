package io.multizone.yarn.bench;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

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
 *   <li>Throughput (pattern of Hadoop's TestCapacitySchedulerPerf): 1000 nodes
 *       (5 zones × 10 racks × 20 hosts), applications with MapReduce-like host/rack/ANY asks,
 *       node heartbeats driven directly into the scheduler; allocations per second.</li>
 *   <li>Locality: 3 zones × 10 racks × 10 hosts, 10 slots each, cluster 70% / 90% busy, tasks with
 *       3 replicas over 2 zones; an emulated MapReduce AM takes each container for a task
 *       with a replica on the node, else in the rack, else in the zone, else any; share of
 *       tasks per tier and off-zone share.</li>
 *   <li>Both again with CapacityScheduler multi-node placement (utilisation sorter): every
 *       heartbeat is one pass over all nodes in the order the allocator returns.</li>
 * </ol>
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
    List<String> names = new ArrayList<>();
    for (int z = 0; z < zones; z++) {
      for (int r = 0; r < racks; r++) {
        for (int h = 0; h < hosts; h++) {
          String host = prefix + "z" + z + "r" + r + "h" + h;
          TOPOLOGY.put(host, "/zone-" + prefix + z + "/rack-" + r);
          names.add(host);
        }
      }
    }
    return names;
  }

  public static void main(String[] args) throws Exception {
    List<String> perfHosts = addTopology("p", 5, 10, 20);
    List<String> locHosts = addTopology("l", 3, 10, 10);
    File table = new File("target/bench-topology.table");
    table.getParentFile().mkdirs();
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : TOPOLOGY.entrySet()) {
      sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
      NetUtils.addStaticResolution(e.getKey(), "127.0.0.1");
    }
    Files.write(table.toPath(), sb.toString().getBytes(StandardCharsets.UTF_8));

    // Interleaved repetitions, the order alternating so JIT warm-up favours neither side; the
    // first half warms up, the median of the second half is reported (and the best run).
    int reps = Math.max(2, Integer.getInteger("bench.reps", 8));
    for (boolean multiNode : new boolean[] {false, true}) {
      System.out.println("== Throughput: 1000 nodes, MapReduce-like asks"
          + (multiNode ? ", multi-node placement" : "") + " (" + reps
          + " interleaved runs each, median of the last " + (reps - reps / 2) + ") ==");
      List<List<Double>> measured = Arrays.asList(new ArrayList<>(), new ArrayList<>());
      for (int rep = 0; rep < reps; rep++) {
        for (int i = 0; i < 2; i++) {
          int mode = (rep % 2 == 0) ? i : 1 - i;
          double r = throughput(table, mode == 1, multiNode, perfHosts);
          System.out.printf(Locale.ROOT, "  run %d %-6s %,10.0f allocations/s%n", rep + 1,
              mode == 1 ? "zone" : "stock", r);
          measured.get(mode).add(r);
        }
      }
      double[] median = new double[2];
      double[] best = new double[2];
      for (int mode = 0; mode < 2; mode++) {
        List<Double> warm = new ArrayList<>(measured.get(mode).subList(reps / 2, reps));
        Collections.sort(warm);
        int n = warm.size();
        median[mode] = n % 2 == 1 ? warm.get(n / 2) : (warm.get(n / 2 - 1) + warm.get(n / 2)) / 2;
        best[mode] = Collections.max(measured.get(mode));
      }
      System.out.printf(Locale.ROOT, "  median: stock %,.0f/s   zone-aware %,.0f/s   ratio %.2f"
          + "   (best: %,.0f vs %,.0f, ratio %.2f)%n", median[0], median[1],
          median[1] / median[0], best[0], best[1], best[1] / best[0]);
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
      // Heartbeats are driven by hand, slower than real ones: keep every node a candidate.
      conf.setLong(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 60_000);
    }
    return conf;
  }

  private static MockRM startRm(Configuration conf) {
    MockRM rm = new MockRM(conf);
    quiet();
    rm.start();
    return rm;
  }

  private static void quiet() {
    org.apache.log4j.LogManager.getRootLogger().setLevel(org.apache.log4j.Level.WARN);
  }

  /** A task: the hosts of its three replicas. */
  private static List<String[]> tasks(Random rnd, List<String> hosts, int n) {
    Map<String, List<String>> byZone = new LinkedHashMap<>();
    Map<String, List<String>> byRack = new HashMap<>();
    for (String h : hosts) {
      String rack = TOPOLOGY.get(h);
      byZone.computeIfAbsent(rack.substring(0, rack.indexOf('/', 1)), k -> new ArrayList<>())
          .add(h);
      byRack.computeIfAbsent(rack, k -> new ArrayList<>()).add(h);
    }
    List<String> zones = new ArrayList<>(byZone.keySet());
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int zx = rnd.nextInt(zones.size());
      int zy = (zx + 1 + rnd.nextInt(zones.size() - 1)) % zones.size();
      List<String> hx = byZone.get(zones.get(zx));
      String first = hx.get(rnd.nextInt(hx.size()));
      List<String> hy = byZone.get(zones.get(zy));
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
    RMAppImpl app = mock(RMAppImpl.class);
    when(app.getApplicationId()).thenReturn(appId);
    RMAppAttemptImpl attempt = mock(RMAppAttemptImpl.class);
    when(attempt.getMasterContainer()).thenReturn(mock(Container.class));
    when(attempt.getSubmissionContext()).thenReturn(mock(ApplicationSubmissionContext.class));
    when(attempt.getAppAttemptId()).thenReturn(attemptId);
    when(attempt.getRMAppAttemptMetrics()).thenReturn(metrics);
    when(app.getCurrentAppAttempt()).thenReturn(attempt);
    rm.getRMContext().getRMApps().put(appId, app);
    cs.handle(new AppAddedSchedulerEvent(appId, "root.default", "user1"));
    cs.handle(new AppAttemptAddedSchedulerEvent(attemptId, false));
    return cs.getApplicationAttempt(attemptId);
  }

  private static double throughput(File table, boolean zone, boolean multiNode,
      List<String> hosts) throws Exception {
    // Multi-node: the sorter thread re-sorts once a second, YARN's default.
    MockRM rm = startRm(conf(table, zone, multiNode, 1000));
    try {
      List<RMNode> nodes = addNodes(rm, hosts, 64 * GB, 64);
      if (multiNode) {
        rm.getRMContext().getMultiNodeSortingManager().getMultiNodePolicy(SORTER)
            .reSortClusterNodes();
      }
      CapacityScheduler cs = (CapacityScheduler) rm.getResourceScheduler();
      Random rnd = new Random(42);
      int apps = 10;
      int perApp = 3000;
      for (int a = 0; a < apps; a++) {
        addApp(rm).updateResourceRequests(
            asks(tasks(rnd, hosts, perApp), new HashSet<String>(), GB));
      }
      quiet();
      long before = cs.getRootQueue().getMetrics().getAllocatedContainers();
      long target = (long) apps * perApp;
      long start = System.nanoTime();
      int i = 0;
      long allocated = 0;
      while (allocated < target && i < 200 * nodes.size()) {
        cs.handle(new NodeUpdateSchedulerEvent(nodes.get(i++ % nodes.size())));
        if ((i & 255) == 0) {
          allocated = cs.getRootQueue().getMetrics().getAllocatedContainers() - before;
        }
      }
      allocated = cs.getRootQueue().getMetrics().getAllocatedContainers() - before;
      double secs = (System.nanoTime() - start) / 1e9;
      return allocated / secs;
    } finally {
      rm.stop();
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
      rm.stop();
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
