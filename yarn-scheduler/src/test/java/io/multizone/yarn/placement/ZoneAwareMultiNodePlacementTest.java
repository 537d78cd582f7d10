package io.multizone.yarn.placement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZoneRmTestSupport;
import io.multizone.yarn.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.common.fica.FiCaSchedulerNode;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.AppPlacementAllocator;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.LocalityAppPlacementAllocator;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.MultiNodeSortingManager;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.ResourceUsageMultiNodeLookupPolicy;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.SimpleCandidateNodeSet;
import org.junit.Test;

/**
 * Tier order under CapacityScheduler multi-node placement (every scheduling pass sees all
 * nodes, in the order of a utilisation sorter), on the real scheduler in MockRM configured only
 * by keys. The sorter puts the least allocated nodes first; the tests make the named host a
 * busy one so the sorter's order alone would not reach it in time.
 */
public class ZoneAwareMultiNodePlacementTest extends ZoneRmTestSupport {
  private static final String POLICY = ResourceUsageMultiNodeLookupPolicy.class.getName();

  private Configuration multiNodeConf(boolean zoneAware) throws IOException {
    Configuration conf = baseConf(zoneAware);
    String p = "yarn.scheduler.capacity.multi-node-sorting.policy";
    conf.setBoolean("yarn.scheduler.capacity.multi-node-placement-enabled", true);
    conf.set(p + ".names", "resource-based");
    conf.set(p, "resource-based");
    conf.set(p + ".resource-based.class", POLICY);
    // No sorter thread: the order is recomputed at each pass, so it is deterministic.
    conf.setLong(p + ".resource-based.sorting-interval.ms", 0);
    // Nodes are offered one at a time: keep the silent ones in the candidate set.
    conf.setLong(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 60_000);
    return conf;
  }

  private FiCaSchedulerNode node(String host) {
    return cs().getNode(nms.get(host).getNodeId());
  }

  /** Strict-locality ask taking all free memory of {@code host}, allocated at once. */
  private void fill(int priority, String host) throws Exception {
    int free = (int) node(host).getUnallocatedResource().getMemorySize();
    pin(priority, host, free);
  }

  /** One container of {@code memMb} on exactly {@code host} (no rack, no ANY relaxation). */
  private void pin(int priority, String host, int memMb) throws Exception {
    Priority p = Priority.newInstance(priority);
    Resource cap = Resource.newInstance(memMb, 1);
    ResourceRequest rack = ResourceRequest.newInstance(p, TOPOLOGY.get(host), cap, 1);
    rack.setRelaxLocality(false);
    ResourceRequest any = ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, 1);
    any.setRelaxLocality(false);
    am.allocate(Arrays.asList(ResourceRequest.newInstance(p, host, cap, 1), rack, any), null);
    int before = liveByHost().getOrDefault(host, 0);
    offer(host);
    assertEquals("pinned on " + host, before + 1, (int) liveByHost().getOrDefault(host, 0));
    heartbeatAm();
  }

  /** @return the utilisation sorter's order of all nodes, as the stock allocator gets it */
  private List<String> sorterOrder() {
    MultiNodeSortingManager<SchedulerNode> mns = rm.getRMContext().getMultiNodeSortingManager();
    Iterator<SchedulerNode> it =
        mns.getMultiNodeSortIterator(new ArrayList<SchedulerNode>(cs().getAllNodes()), "",
            POLICY);
    List<String> order = new ArrayList<>();
    it.forEachRemaining(n -> order.add(n.getNodeName()));
    return order;
  }

  private Map<String, Integer> diff(Map<String, Integer> after, Map<String, Integer> before) {
    Map<String, Integer> d = new HashMap<>();
    after.forEach((h, c) -> {
      int n = c - before.getOrDefault(h, 0);
      if (n != 0) {
        d.put(h, n);
      }
    });
    return d;
  }

  @Test
  public void pluginIsTheAllocatorInUse() throws Exception {
    start(multiNodeConf(true), 8 * GB);
    assertTrue(cs().isMultiNodePlacementEnabled());
    assertAllocatorInUse(ZoneAwarePlacementAllocator.class);
  }

  @Test
  public void iteratorIsAStablePartitionOfTheSorterOrder() throws Exception {
    start(multiNodeConf(true), 8 * GB);
    // Make the sorter's order differ from the tier order: the named host is the busiest.
    pin(5, "a1h1", 3 * GB);
    pin(6, "b2h2", 2 * GB);
    ask(1, 1, GB, "a1h1", "c1h2");
    List<String> sorted = sorterOrder();
    assertEquals(TOPOLOGY.size(), sorted.size());

    List<String> expected = new ArrayList<>();
    for (String tier : new String[] {"host", "rack", "zone", "rest"}) {
      for (String h : sorted) {
        String rack = TOPOLOGY.get(h);
        String t = h.equals("a1h1") || h.equals("c1h2") ? "host"
            : rack.equals("/zone-a/rack-1") || rack.equals("/zone-c/rack-1") ? "rack"
            : rack.startsWith("/zone-a/") || rack.startsWith("/zone-c/") ? "zone" : "rest";
        if (t.equals(tier)) {
          expected.add(h);
        }
      }
    }
    assertNotEquals("precondition: the sorter alone is not in tier order", expected, sorted);

    @SuppressWarnings("unchecked")
    AppPlacementAllocator<FiCaSchedulerNode> ap =
        (AppPlacementAllocator<FiCaSchedulerNode>) allocatorFor(1);
    Map<NodeId, FiCaSchedulerNode> all = new HashMap<>();
    for (FiCaSchedulerNode n : cs().getAllNodes()) {
      all.put(n.getNodeID(), n);
    }
    List<String> ours = new ArrayList<>();
    ap.getPreferredNodeIterator(new SimpleCandidateNodeSet<>(all, ""))
        .forEachRemaining(n -> ours.add(n.getNodeName()));
    assertEquals(expected, ours);

    // A single-node candidate set is the stock one: that node only.
    Iterator<FiCaSchedulerNode> single =
        ap.getPreferredNodeIterator(new SimpleCandidateNodeSet<>(node("b1h1")));
    assertEquals("b1h1", single.next().getNodeName());
    assertFalse(single.hasNext());
  }

  @Test
  public void namedHostLateInTheSorterOrderGetsTheContainer() throws Exception {
    start(multiNodeConf(true), 8 * GB);
    // a1h1 busiest, a1h2 next: the sorter offers zone a's other rack, then a1h2, then a1h1.
    pin(5, "a1h1", 3 * GB);
    pin(6, "a1h2", GB);
    List<String> sorted = sorterOrder();
    assertTrue("precondition: " + sorted,
        sorted.indexOf("a1h2") < sorted.indexOf("a1h1") && sorted.indexOf("a1h1") > 2);
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    long node0 = m.placedCount(PlacementTier.NODE);
    Map<String, Integer> before = liveByHost();
    ask(1, 1, GB, "a1h1");
    // Any heartbeat runs one pass over all nodes.
    offer("b1h1");
    assertEquals(Collections.singletonMap("a1h1", 1), diff(liveByHost(), before));
    assertEquals(node0 + 1, m.placedCount(PlacementTier.NODE));
  }

  @Test
  public void stockMultiNodeOrderMissesTheNamedHost() throws Exception {
    start(multiNodeConf(false), 8 * GB);
    pin(5, "a1h1", 3 * GB);
    pin(6, "a1h2", GB);
    assertAllocatorInUse(LocalityAppPlacementAllocator.class);
    Map<String, Integer> before = liveByHost();
    offer("b1h1");
    Map<String, Integer> placed = diff(liveByHost(), before);
    assertEquals(1, placed.size());
    assertFalse("stock placed off the named host: " + placed, placed.containsKey("a1h1"));
  }

  @Test
  public void fullNamedHostGoesToTheRackThenTheZoneNeverOffZone() throws Exception {
    start(multiNodeConf(true), 4 * GB);
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    long off0 = m.placedCount(PlacementTier.OFF_ZONE);
    long rack0 = m.placedCount(PlacementTier.RACK);
    long zone0 = m.placedCount(PlacementTier.ZONE);
    fill(5, "a1h1");

    // Named host full: the other host of its rack, once YARN's rack delay has passed.
    Map<String, Integer> before = liveByHost();
    ask(1, 1, GB, "a1h1");
    for (int i = 0; i < 10 && liveCount() == sum(before); i++) {
      offer("b1h1");
    }
    assertEquals(Collections.singletonMap("a1h2", 1), diff(liveByHost(), before));
    assertEquals(rack0 + 1, m.placedCount(PlacementTier.RACK));
    heartbeatAm();

    // Whole rack full: zone a's other rack.
    fill(6, "a1h2");
    before = liveByHost();
    ask(2, 1, GB, "a1h1");
    for (int i = 0; i < 10 && liveCount() == sum(before); i++) {
      offer("b1h1");
    }
    Map<String, Integer> placed = diff(liveByHost(), before);
    assertEquals("zone a: " + placed, 1, placed.size());
    assertTrue("zone a: " + placed, TOPOLOGY.get(placed.keySet().iterator().next())
        .startsWith("/zone-a/rack-2"));
    assertEquals(zone0 + 1, m.placedCount(PlacementTier.ZONE));
    heartbeatAm();

    // As many more as zone a still holds: none leaves the zone.
    int room = (int) (node("a2h1").getUnallocatedResource().getMemorySize()
        + node("a2h2").getUnallocatedResource().getMemorySize()) / GB;
    before = liveByHost();
    ask(3, room, GB, "a1h1");
    for (int i = 0; i < 50 && liveCount() < sum(before) + room; i++) {
      offer("c1h1");
    }
    placed = diff(liveByHost(), before);
    assertEquals("all in zone a: " + placed, Collections.singletonMap("a", room),
        byZone(placed));
    assertEquals(off0, m.placedCount(PlacementTier.OFF_ZONE));
  }

  @Test
  public void lostDataNodeHostIsNotTriedFirst() throws Exception {
    start(multiNodeConf(true), 8 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    runtime.setLostNodeNames(Collections.singleton("a1h1"));
    // c2h1 has the most allocated of the named hosts: last of them in the sorter's order.
    pin(5, "c2h1", 2 * GB);
    List<String> sorted = sorterOrder();
    assertTrue("precondition: " + sorted, sorted.indexOf("a1h1") < sorted.indexOf("c2h1"));
    Map<String, Integer> before = liveByHost();
    ask(1, 1, GB, "a1h1", "c2h1");
    offer("b1h1");
    assertEquals(Collections.singletonMap("c2h1", 1), diff(liveByHost(), before));

    // DataNode back: a1h1 is a named host again and, first in the sorter's order, wins.
    runtime.setLostNodeNames(Collections.<String>emptySet());
    before = liveByHost();
    ask(2, 1, GB, "a1h1", "c2h1");
    offer("b1h1");
    assertEquals(Collections.singletonMap("a1h1", 1), diff(liveByHost(), before));
  }

  private static int sum(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static Map<String, Integer> byZone(Map<String, Integer> byHost) {
    Map<String, Integer> m = new HashMap<>();
    byHost.forEach((h, c) -> m.merge(zoneOf(h), c, Integer::sum));
    return m;
  }
}
