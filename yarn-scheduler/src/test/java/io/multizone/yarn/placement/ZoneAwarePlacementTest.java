package io.multizone.yarn.placement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

import io.multizone.yarn.HadoopLine;
import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZoneRmTestSupport;
import io.multizone.yarn.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.protocolrecords.AllocateRequest;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.ResourceBlacklistRequest;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNode;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.NodeAddedSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.NodeRemovedSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.LocalityAppPlacementAllocator;
import org.junit.Test;

/**
 * Four-tier placement on a real CapacityScheduler inside MockRM, configured only through
 * config keys, on 3 zones × 2 racks × 2 hosts. Each test also runs (or contrasts with) the
 * stock allocator so a silently ignored plugin would fail it.
 */
public class ZoneAwarePlacementTest extends ZoneRmTestSupport {
  private static final String[] OFF_ZONE_A = {"b1h1", "b1h2", "b2h1", "b2h2", "c1h1", "c1h2",
      "c2h1", "c2h2"};
  private static final String[] ZONE_A = {"a1h1", "a1h2", "a2h1", "a2h2"};

  @Test
  public void pluginIsTheAllocatorInUse() throws Exception {
    start(baseConf(true), 8 * GB);
    assertAllocatorInUse(ZoneAwarePlacementAllocator.class);
  }

  /**
   * The cluster-wide key alone: our allocator from Hadoop 3.4 (YARN-11026); on 3.3 YARN does
   * not read it and silently keeps the stock allocator, so 3.3 needs the per-application
   * APPLICATION_PLACEMENT_TYPE_CLASS (README, "Hadoop lines").
   */
  @Test
  public void clusterWideKeyAloneOnThisHadoopLine() throws Exception {
    perApplicationAllocatorOn33 = false;
    start(baseConf(true), 8 * GB);
    assertAllocatorInUse(HadoopLine.perApplicationAllocatorOnly()
        ? LocalityAppPlacementAllocator.class : ZoneAwarePlacementAllocator.class);
  }

  @Test
  public void stockAllocatorWithoutTheKey() throws Exception {
    start(baseConf(false), 8 * GB);
    assertAllocatorInUse(LocalityAppPlacementAllocator.class);
  }

  @Test
  public void tierOrderAndDelays() throws Exception {
    start(baseConf(true), 8 * GB);
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    long zone0 = m.placedCount(PlacementTier.ZONE);
    long rack0 = m.placedCount(PlacementTier.RACK);
    long node0 = m.placedCount(PlacementTier.NODE);
    long off0 = m.placedCount(PlacementTier.OFF_ZONE);

    // Zone tier: a1h1 never offered; two full rounds of off-zone offers place nothing...
    ask(1, 1, GB, "a1h1");
    for (int round = 0; round < 2; round++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
      }
    }
    assertEquals(0, liveCount());
    // ...then a zone-a node of the other rack takes it after YARN's beyond-rack delay
    // (node-locality-delay 2 + rack-locality-additional-delay 2: on the 5th offer).
    assertEquals(5, offerUntilAllocated("a2h1", 20));
    assertEquals(Collections.singletonMap("a2h1", 1), liveByHost());
    assertEquals(zone0 + 1, m.placedCount(PlacementTier.ZONE));

    // Rack tier: the other host of a1h1's rack, after node-locality-delay (3rd offer).
    ask(2, 1, GB, "a1h1");
    assertEquals(3, offerUntilAllocated("a1h2", 20));
    assertEquals(Integer.valueOf(1), liveByHost().get("a1h2"));
    assertEquals(rack0 + 1, m.placedCount(PlacementTier.RACK));

    // Node tier: at once.
    ask(3, 1, GB, "a1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 20));
    assertEquals(Integer.valueOf(1), liveByHost().get("a1h1"));
    assertEquals(node0 + 1, m.placedCount(PlacementTier.NODE));
    assertEquals(off0, m.placedCount(PlacementTier.OFF_ZONE));

    // The same counters through the metrics system (what JMX shows).
    org.apache.hadoop.metrics2.MetricsRecordBuilder rb =
        org.apache.hadoop.test.MetricsAsserts.getMetrics(ZonePlacementMetrics.SOURCE_NAME);
    org.apache.hadoop.test.MetricsAsserts.assertCounter("ContainersNodeLocal", node0 + 1, rb);
    org.apache.hadoop.test.MetricsAsserts.assertCounter("ContainersRackLocal", rack0 + 1, rb);
    org.apache.hadoop.test.MetricsAsserts.assertCounter("ContainersZoneLocal", zone0 + 1, rb);
    org.apache.hadoop.test.MetricsAsserts.assertCounter("ContainersOffZone", off0, rb);
    assertTrue(m.getOffZoneOffersSkipped() >= 16);
  }

  @Test
  public void stockGoesOffZoneWhereOursWaits() throws Exception {
    start(baseConf(false), 8 * GB);
    ask(1, 1, GB, "a1h1");
    // Stock: beyond-rack delay passed on the 5th off-zone offer.
    int offers = 0;
    int placedAt = -1;
    for (int round = 0; round < 2 && placedAt < 0; round++) {
      for (String h : OFF_ZONE_A) {
        offers++;
        offer(h);
        if (liveCount() > 0) {
          placedAt = offers;
          break;
        }
      }
    }
    assertEquals(5, placedAt);
    assertEquals("5th off-zone offer", Collections.singletonMap("c1h1", 1), liveByHost());
  }

  /** Rounds in which the off-zone nodes heartbeat first: the worst case for locality. */
  private void rounds(int n) {
    for (int i = 0; i < n; i++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
      }
      for (String h : ZONE_A) {
        offer(h);
      }
    }
  }

  @Test
  public void noOffZoneContainerWhileTheZoneHasRoom() throws Exception {
    start(baseConf(true), 2 * GB);
    long off0 = ZonePlacementMetrics.get().placedCount(PlacementTier.OFF_ZONE);
    ask(1, 6, GB, "a1h1", "a2h1");
    rounds(10);
    Map<String, Integer> byZone = liveByZone();
    assertEquals("all in zone-a: " + liveByHost(), Collections.singletonMap("a", 6), byZone);
    assertEquals(off0, ZonePlacementMetrics.get().placedCount(PlacementTier.OFF_ZONE));
  }

  @Test
  public void stockPlacesOffZoneEvenWithRoomInTheZone() throws Exception {
    start(baseConf(false), 2 * GB);
    ask(1, 6, GB, "a1h1", "a2h1");
    rounds(10);
    assertEquals(6, liveCount());
    Map<String, Integer> byZone = liveByZone();
    assertTrue("stock should leave zone-a: " + liveByHost(),
        byZone.getOrDefault("b", 0) + byZone.getOrDefault("c", 0) > 0);
  }

  @Test
  public void offZoneOnlyOnceTheZoneIsFull() throws Exception {
    start(baseConf(true), 2 * GB);
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    long off0 = m.placedCount(PlacementTier.OFF_ZONE);
    // Zone a holds 4 hosts × 2 containers = 8; 10 asked.
    ask(1, 10, GB, "a1h1", "a2h1");
    rounds(10);
    Map<String, Integer> byZone = liveByZone();
    assertEquals(10, liveCount());
    assertEquals("zone-a filled first: " + liveByHost(), Integer.valueOf(8), byZone.get("a"));
    assertEquals(off0 + 2, m.placedCount(PlacementTier.OFF_ZONE));
  }

  @Test
  public void lostDataNodeHostIsNotNodeLocal() throws Exception {
    start(baseConf(true), 8 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    runtime.setLostNodeNames(Collections.singleton("a1h1"));
    ask(1, 1, GB, "a1h1", "b1h1");
    offer("a1h1");
    assertEquals("a lost DataNode's host is no longer node-local", 0, liveCount());
    assertEquals(1, offerUntilAllocated("b1h1", 1));
    assertEquals(Collections.singletonMap("b1h1", 1), liveByHost());

    // DataNode back: node-local again.
    runtime.setLostNodeNames(Collections.<String>emptySet());
    ask(2, 1, GB, "a1h1", "b1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    assertEquals(Integer.valueOf(1), liveByHost().get("a1h1"));
  }

  @Test
  public void topologyWithoutZoneLevelKeepsStockBehaviour() throws Exception {
    Configuration conf = baseConf(true);
    // Depth 2 on /zone/rack paths: no component is left below the zone → no zone level.
    conf.setInt(io.multizone.yarn.ZonePlacementYarnConfig.ZONE_DEPTH, 2);
    start(conf, 8 * GB);
    ask(1, 1, GB, "a1h1");
    int offers = 0;
    for (String h : OFF_ZONE_A) {
      offers++;
      offer(h);
      if (liveCount() > 0) {
        break;
      }
    }
    assertEquals("stock timing", 5, offers);
    assertEquals(1, liveCount());
  }

  @Test
  public void malformedKeysFallBackToDefaults() throws Exception {
    Configuration conf = baseConf(true);
    conf.set(io.multizone.yarn.ZonePlacementYarnConfig.ZONE_DEPTH, "one");
    conf.set(io.multizone.yarn.ZonePlacementYarnConfig.OFF_ZONE_DELAY, "-7");
    start(conf, 8 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    assertEquals(1, runtime.getConfig().getZoneDepth());
    assertEquals(-1, runtime.getConfig().getOffZoneDelay());
    // Still zone-aware: off-zone offers are skipped.
    ask(1, 1, GB, "a1h1");
    for (String h : OFF_ZONE_A) {
      offer(h);
    }
    assertEquals(0, liveCount());
    assertEquals(5, offerUntilAllocated("a2h2", 20));
  }

  @Test
  public void asynchronousSchedulingKeepsTheZoneTier() throws Exception {
    // Hadoop 3.5's default: allocation threads offer every node continuously.
    Configuration conf = baseConf(true);
    conf.setBoolean("yarn.scheduler.capacity.schedule-asynchronously.enable", true);
    start(conf, 2 * GB);
    // Rack /zone-a/rack-1 holds 4 of the 6: two must leave the rack, and stay in zone a.
    ask(1, 6, GB, "a1h1");
    long end = System.currentTimeMillis() + 20_000;
    while (liveCount() < 6 && System.currentTimeMillis() < end) {
      for (org.apache.hadoop.yarn.server.resourcemanager.MockNM nm : nms.values()) {
        nm.nodeHeartbeat(true);
      }
      Thread.sleep(100);
    }
    // Let the threads run a while longer: nothing may move off-zone.
    for (int i = 0; i < 5; i++) {
      for (org.apache.hadoop.yarn.server.resourcemanager.MockNM nm : nms.values()) {
        nm.nodeHeartbeat(true);
      }
      Thread.sleep(100);
    }
    assertEquals("all in zone-a: " + liveByHost(), Collections.singletonMap("a", 6),
        liveByZone());
    assertTrue(ZonePlacementMetrics.get().getOffZoneOffersSkipped() > 0);
  }

  @Test
  public void silentZoneNodesDoNotHoldTheRequestBack() throws Exception {
    // Zone a's NodeManagers stop heartbeating (dead, not yet expired by the RM): their free
    // memory is no room, so the request may leave the zone after the delays.
    start(baseConf(true), 8 * GB);
    ask(1, 1, GB, "a1h1");
    Thread.sleep(3500);
    int offers = 0;
    for (int round = 0; round < 3 && liveCount() == 0; round++) {
      for (String h : OFF_ZONE_A) {
        offers++;
        offer(h);
        if (liveCount() > 0) {
          break;
        }
      }
    }
    assertEquals("placed off-zone: " + liveByHost(), 1, liveCount());
    assertTrue(liveByZone().containsKey("b") || liveByZone().containsKey("c"));
    // off-zone.delay = 3 skipped offers, then YARN's own off-switch delay (> 4 missed).
    assertTrue("offers " + offers, offers > 3);
  }

  /** The AM blacklists {@code places} (hosts or racks) through its allocate call. */
  private void blacklist(String... places) throws Exception {
    am.allocate(AllocateRequest.newInstance(0, 0f, new ArrayList<ResourceRequest>(),
        new ArrayList<ContainerId>(), ResourceBlacklistRequest.newInstance(
            Arrays.asList(places), Collections.<String>emptyList())));
  }

  @Test
  public void blacklistedRackOfTheZoneIsNoRoom() throws Exception {
    start(baseConf(true), 2 * GB);
    // Fill /zone-a/rack-2 (2 hosts x 2 GB).
    ask(1, 4, GB, "a2h1", "a2h2");
    for (int i = 0; i < 5 && liveCount() < 4; i++) {
      offer("a2h1");
      offer("a2h2");
    }
    assertEquals(4, liveCount());
    // The AM blacklists zone a's other rack: its free hosts are no room for this app.
    blacklist("/zone-a/rack-1");
    offer("a1h1");
    offer("a1h2");
    ask(2, 1, GB, "a2h1");
    for (int round = 0; round < 3 && liveCount() == 4; round++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
        if (liveCount() > 4) {
          break;
        }
      }
    }
    assertEquals("placed off-zone: " + liveByHost(), 5, liveCount());
    assertEquals(Integer.valueOf(4), liveByZone().get("a"));
  }

  @Test
  public void roomFreedInTheZoneEndsOffZonePlacement() throws Exception {
    start(baseConf(true), 2 * GB);
    ask(1, 12, GB, "a1h1", "a2h1");
    for (int i = 0; i < 10 && liveCount() < 8; i++) {
      for (String h : ZONE_A) {
        offer(h);
      }
    }
    assertEquals("zone a full: " + liveByHost(), Collections.singletonMap("a", 8),
        liveByZone());
    // Zone a full: off-zone offers place once the delays passed.
    for (int round = 0; round < 3 && liveCount() == 8; round++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
        if (liveCount() > 8) {
          break;
        }
      }
    }
    int offZone = liveCount() - 8;
    assertTrue("placed off-zone: " + liveByHost(), offZone > 0);
    // Room again in zone a: the AM releases a container on a1h1.
    ContainerId onA1h1 = attempt().getLiveContainers().stream()
        .filter(c -> !c.isAMContainer() && "a1h1".equals(c.getAllocatedNode().getHost()))
        .findFirst().get().getContainerId();
    am.allocate(new ArrayList<ResourceRequest>(), Collections.singletonList(onA1h1));
    rm.drainEvents();
    assertEquals(Integer.valueOf(7), liveByZone().get("a"));
    // Off-zone offers no longer place: the next container waits for zone a.
    for (String h : OFF_ZONE_A) {
      offer(h);
    }
    assertEquals("no new off-zone container: " + liveByHost(), 7 + offZone, liveCount());
    assertEquals(1, offerUntilAllocated("a1h1", 3));
    assertEquals(Integer.valueOf(8), liveByZone().get("a"));
  }

  @Test
  public void strictHostAskOnALostHostStillGetsThatHost() throws Exception {
    start(baseConf(true), 8 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    runtime.setLostNodeNames(Collections.singleton("a1h1"));
    // Pinned to a1h1: neither its rack nor ANY may relax. Hiding the host ask would starve it.
    Priority p = Priority.newInstance(1);
    Resource cap = Resource.newInstance(GB, 1);
    am.allocate(Arrays.asList(ResourceRequest.newInstance(p, "a1h1", cap, 1),
        ResourceRequest.newInstance(p, "/zone-a/rack-1", cap, 1, false),
        ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, 1, false)), null);
    for (String h : OFF_ZONE_A) {
      offer(h);
    }
    offer("a1h2");
    assertEquals(0, liveCount());
    assertEquals(1, offerUntilAllocated("a1h1", 3));
    assertEquals(Collections.singletonMap("a1h1", 1), liveByHost());
    // Nowhere else to run it: not marked for requeue.
    assertTrue(runtime.getLedger().nodes().isEmpty());
  }

  @Test
  public void lostHostAskStaysWhenOnlyItsRackMayRelax() throws Exception {
    start(baseConf(true), 8 * GB);
    ZonePlacementRuntime.forScheduler(cs(), null)
        .setLostNodeNames(Collections.singleton("a1h1"));
    // The rack may relax, ANY may not: YARN never passes the node-locality delay then (each
    // skip is not counted as a missed opportunity), so the host ask must stay.
    Priority p = Priority.newInstance(1);
    Resource cap = Resource.newInstance(GB, 1);
    am.allocate(Arrays.asList(ResourceRequest.newInstance(p, "a1h1", cap, 1),
        ResourceRequest.newInstance(p, "/zone-a/rack-1", cap, 1, true),
        ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, 1, false)), null);
    offer("a1h2");
    offer("a1h2");
    offer("a1h2");
    assertEquals(1, offerUntilAllocated("a1h1", 3));
    assertEquals(Collections.singletonMap("a1h1", 1), liveByHost());
  }

  @Test
  public void hostJoiningAfterTheAskIsZoneLocatedThen() throws Exception {
    Configuration conf = baseConf(true);
    // Off-zone offers skipped for a long while whatever the room: only the zone matters here.
    conf.setInt(io.multizone.yarn.ZonePlacementYarnConfig.OFF_ZONE_DELAY, 100);
    start(conf, 8 * GB);
    // a1h1 is not in the cluster when asked for (e.g. not re-registered after an RM
    // failover): its rack and zone are unknown then.
    RMNode a1h1 = rm.getRMContext().getRMNodes().get(nms.get("a1h1").getNodeId());
    cs().handle(new NodeRemovedSchedulerEvent(a1h1));
    Priority p = Priority.newInstance(1);
    Resource cap = Resource.newInstance(GB, 1);
    am.allocate(Arrays.asList(ResourceRequest.newInstance(p, "a1h1", cap, 1),
        ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, 1)), null);
    offer("b1h1");
    assertEquals(0, liveCount());
    // It joins: zone a is wanted from now on.
    cs().handle(new NodeAddedSchedulerEvent(a1h1));
    for (int round = 0; round < 2; round++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
      }
    }
    assertEquals("no off-zone container: " + liveByHost(), 0, liveCount());
    assertTrue(offerUntilAllocated("a1h2", 5) > 0);
  }

  /**
   * The room check uses the scheduler's ResourceCalculator: the CapacityScheduler's default
   * one counts memory only, so zone-a nodes with 1 vcore and 7 GB free are room for a
   * 2-vcore, 1 GB container (the scheduler places it there). Fails without the fix: every
   * resource type was compared, zone a looked full and the container went off-zone (on the
   * 8th off-zone offer).
   */
  @Test
  public void roomCheckUsesTheSchedulersResourceCalculator() throws Exception {
    start(baseConf(true), 8 * GB, 1);
    long off0 = ZonePlacementMetrics.get().placedCount(PlacementTier.OFF_ZONE);
    ask(1, 1, Resource.newInstance(GB, 2), "a1h1");
    for (int round = 0; round < 2; round++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
      }
    }
    assertEquals("no off-zone container: " + liveByHost(), 0, liveCount());
    assertEquals(5, offerUntilAllocated("a2h1", 20));
    assertEquals(Collections.singletonMap("a2h1", 1), liveByHost());
    assertEquals(off0, ZonePlacementMetrics.get().placedCount(PlacementTier.OFF_ZONE));
  }

  /**
   * The rerun of a task whose replica host lost its DataNode names that host again (and its
   * rack): the host is offered over and over, but neither the rack nor the zone tier puts
   * the container there while another host of the rack can take it. Fails without the fix:
   * after YARN's node-locality delay (2 missed offers) the rack tier placed it on a1h1 (3rd
   * offer).
   */
  @Test
  public void lostHostIsNotOfferedByTheRackTierToAnAskThatNamedIt() throws Exception {
    start(baseConf(true), 8 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    runtime.setLostNodeNames(Collections.singleton("a1h1"));
    ask(1, 1, GB, "a1h1", "b1h1");
    for (int i = 0; i < 12; i++) {
      offer("a1h1");
    }
    assertEquals("nothing on the lost host: " + liveByHost(), 0, liveCount());
    assertTrue(offerUntilAllocated("a1h2", 10) > 0);
    assertEquals(Collections.singletonMap("a1h2", 1), liveByHost());
    // Work that did not name a1h1 still runs there (its NodeManager is fine).
    ask(2, 1, GB);
    assertEquals(1, offerUntilAllocated("a1h1", 3));
  }

  /** ... but when the lost host is the only place left, the request is not starved. */
  @Test
  public void lostHostStillTakesTheAskWhenNothingElseHasRoom() throws Exception {
    start(baseConf(true), 2 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    runtime.setLostNodeNames(Collections.singleton("a1h1"));
    // Fill every other node (2 GB each; the AM took 1 GB of c2h2).
    ask(5, 21, GB);
    for (int round = 0; round < 3; round++) {
      for (String h : TOPOLOGY.keySet()) {
        if (!h.equals("a1h1")) {
          offer(h);
          offer(h);
        }
      }
    }
    assertEquals("others full: " + liveByHost(), 21, liveCount());
    ask(1, 1, GB, "a1h1", "b1h1");
    assertTrue(offerUntilAllocated("a1h1", 10) > 0);
    assertEquals(Integer.valueOf(1), liveByHost().get("a1h1"));
  }

  /**
   * A task whose data is on a DataNode-only host (no NodeManager there): the AM names the
   * host with a rack it could not resolve ({@code /default-rack}). The RM resolves the host
   * itself (its topology table says {@code /zone-a/rack-3}), so zone a is wanted. Fails
   * without the fix: the zone came only from the AM's rack asks, none here, and the container
   * went off-zone on the 5th offer.
   */
  @Test
  public void zoneOfADataNodeOnlyHostComesFromTheRmTopology() throws Exception {
    start(baseConf(true), 8 * GB);
    Priority p = Priority.newInstance(1);
    Resource cap = Resource.newInstance(GB, 1);
    am.allocate(Arrays.asList(ResourceRequest.newInstance(p, "a3d1", cap, 1),
        ResourceRequest.newInstance(p, "/default-rack", cap, 1),
        ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, 1)), null);
    for (int round = 0; round < 3; round++) {
      for (String h : OFF_ZONE_A) {
        offer(h);
      }
    }
    assertEquals("no off-zone container: " + liveByHost(), 0, liveCount());
    assertTrue(offerUntilAllocated("a2h2", 10) > 0);
    assertEquals(Collections.singletonMap("a2h2", 1), liveByHost());
  }
}
