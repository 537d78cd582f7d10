package org.apache.hadoop.hdfs.server.blockmanagement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import io.multizone.hdfs.status.BlockPlacementStatusWithZones;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.protocol.BlockStoragePolicy;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.util.Time;
import org.junit.Test;

/**
 * The zone rule on uneven, wider, single-zone and flat topologies, with full zones, stale and
 * decommissioning nodes and storage policies; each test on its own NameNode.
 */
public class TestZonePlacementOnOtherTopologies {

  private static final int TRIALS = 1000;
  private final Random random = new Random(7);

  @Test
  public void unevenZonesStillSpanTwo() throws Exception {
    String[] racks = Topologies.concat(Topologies.zone("zone-a", 4, 2),
        Topologies.zone("zone-b", 1, 2));
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        racks)) {
      for (int t = 0; t < TRIALS; t++) {
        DatanodeDescriptor writer = h.dataNodes[random.nextInt(h.dataNodes.length)];
        Placement p = new Placement(h.chooseTarget(3, writer));
        assertEquals(3, p.targets.length);
        assertEquals(p.toString(), 2, p.zones());
        assertTrue(p.toString(), p.maxPerZone() <= 2);
        assertSame(writer, p.targets[0].getDatanodeDescriptor());
      }
    }
  }

  @Test
  public void minZonesThreeOnFourZones() throws Exception {
    Configuration conf = new Configuration(false);
    conf.setInt(ZonePlacementConfig.MIN_ZONES_KEY, 3);
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, conf,
        Topologies.zoned(4, 2, 2))) {
      for (int n = 1; n <= 5; n++) {
        for (int t = 0; t < TRIALS; t++) {
          DatanodeDescriptor writer = h.dataNodes[random.nextInt(h.dataNodes.length)];
          Placement p = new Placement(h.chooseTarget(n, writer));
          assertEquals(n, p.targets.length);
          assertTrue(p.toString(), p.zones() >= Math.min(3, n));
          assertTrue(p.toString(), p.maxPerZone() <= (n + p.zones() - 1) / p.zones());
          assertEquals(p.toString(), p.zones() - 1, p.crossZoneHops(writer));
        }
      }
    }
  }

  @Test
  public void singleZoneClusterNeverFailsAWriteAndCountsIt() throws Exception {
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        Topologies.zone("zone-a", 3, 2))) {
      long before = ZonePlacementMetrics.get().singleZonePlacements();
      Placement p = new Placement(h.chooseTarget(3, h.dataNodes[0]));
      assertEquals(3, p.targets.length);
      assertEquals(1, p.zones());
      assertEquals("replicas of one zone on distinct racks", 3, p.perRack.size());
      assertEquals(before + 1, ZonePlacementMetrics.get().singleZonePlacements());
      // With one zone in the cluster, one zone is all the rule can ask for.
      assertTrue(h.policy.verifyBlockPlacement(nodes(p), 3).isPlacementPolicySatisfied());
    }
  }

  @Test
  public void fullZonesFallBackToOneZoneAndReportIt() throws Exception {
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        Topologies.reference())) {
      for (DatanodeDescriptor dn : h.dataNodes) {
        if (!dn.getNetworkLocation().startsWith("/zone-a/")) {
          h.setSpace(dn, 0);
        }
      }
      long before = ZonePlacementMetrics.get().singleZonePlacements();
      Placement p = new Placement(h.chooseTarget(3, h.dataNodes[0]));
      assertEquals("the write succeeds as Default's would", 3, p.targets.length);
      assertEquals(3, p.inZone("/zone-a"));
      assertEquals(before + 1, ZonePlacementMetrics.get().singleZonePlacements());
      BlockPlacementStatus s = h.policy.verifyBlockPlacement(nodes(p), 3);
      assertFalse("reported mis-placed so fsck -replicate repairs it",
          s.isPlacementPolicySatisfied());
      assertEquals(1, s.getAdditionalReplicasRequired());
    }
  }

  @Test
  public void decommissioningAndStaleNodesAreAvoided() throws Exception {
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        Topologies.reference())) {
      for (DatanodeDescriptor dn : h.dataNodes) {
        if (dn.getNetworkLocation().startsWith("/zone-b/")) {
          dn.startDecommission();
        } else if (dn.getNetworkLocation().equals("/zone-c/rack-1")) {
          dn.setLastUpdateMonotonic(Time.monotonicNow() - 10 * 60_000L);
        }
      }
      // What the heartbeat monitor would count; stale avoidance needs it non-zero.
      h.dnManager.setNumStaleNodes(2);
      for (int t = 0; t < TRIALS; t++) {
        Placement p = new Placement(h.chooseTarget(3, h.dataNodes[0]));
        assertEquals(3, p.targets.length);
        assertEquals(p.toString(), 0, p.inZone("/zone-b"));
        assertEquals(p.toString(), 0, (int) p.perRack.getOrDefault("/zone-c/rack-1", 0));
        assertEquals(p.toString(), 2, p.zones());
      }
    }
  }

  @Test
  public void aZoneBeingRetiredIsNotAZoneBlocksMustSpan() throws Exception {
    // Decommissioning every DataNode of a zone leaves them in the topology (their racks only
    // turn empty). Were that zone still counted, every block would stay "mis-placed" and the
    // decommission could never finish (DatanodeAdminManager waits for placement).
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        Topologies.zoned(2, 2, 2))) {
      BlockPlacementPolicyWithZones policy = (BlockPlacementPolicyWithZones) h.policy;
      List<DatanodeDescriptor> zoneA = new ArrayList<>();
      List<DatanodeDescriptor> zoneB = new ArrayList<>();
      for (DatanodeDescriptor dn : h.dataNodes) {
        (dn.getNetworkLocation().startsWith("/zone-a/") ? zoneA : zoneB).add(dn);
      }
      DatanodeInfo[] inZoneA = {zoneA.get(0), zoneA.get(1), zoneA.get(2)};
      assertNotEquals("two racks", inZoneA[0].getNetworkLocation(),
          inZoneA[2].getNetworkLocation());
      assertFalse(policy.verifyBlockPlacement(inZoneA, 3).isPlacementPolicySatisfied());

      for (DatanodeDescriptor dn : zoneB) {
        dn.startDecommission();
        h.topology.decommissionNode(dn);
      }
      assertEquals(1, policy.getZoneLayout().acceptingZoneCount());
      assertTrue("zone-b is being retired: one zone is all a block can span",
          policy.verifyBlockPlacement(inZoneA, 3).isPlacementPolicySatisfied());
      Placement p = new Placement(h.chooseTarget(3, zoneA.get(0)));
      assertEquals(p.toString(), 3, p.inZone("/zone-a"));

      for (DatanodeDescriptor dn : zoneB) {
        dn.stopDecommission();
        h.topology.recommissionNode(dn);
      }
      assertEquals(2, policy.getZoneLayout().acceptingZoneCount());
      assertFalse("zone-b back in service",
          policy.verifyBlockPlacement(inZoneA, 3).isPlacementPolicySatisfied());
    }
  }

  @Test
  public void storagePoliciesKeepTheirTypesAndTheZoneRule() throws Exception {
    // Every rack holds one DISK, one SSD and one ARCHIVE node.
    String[] racks = Topologies.zoned(3, 2, 3);
    StorageType[] types = new StorageType[racks.length];
    StorageType[] cycle = {StorageType.DISK, StorageType.SSD, StorageType.ARCHIVE};
    for (int i = 0; i < types.length; i++) {
      types[i] = cycle[i % 3];
    }
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        racks, types)) {
      BlockStoragePolicySuite suite = BlockStoragePolicySuite.createDefaultSuite();
      for (String name : new String[] {"HOT", "ONE_SSD", "ALL_SSD", "COLD"}) {
        BlockStoragePolicy sp = suite.getPolicy(name);
        for (int t = 0; t < 200; t++) {
          DatanodeDescriptor writer = h.dataNodes[random.nextInt(h.dataNodes.length)];
          DatanodeStorageInfo[] targets = h.chooseTarget(3, writer, new ArrayList<>(), null, sp);
          Placement p = new Placement(targets);
          assertEquals(name + " " + p, 3, targets.length);
          assertTrue(name + " " + p, p.zones() >= 2);
          int ssd = 0;
          for (DatanodeStorageInfo s : targets) {
            StorageType type = s.getStorageType();
            switch (name) {
              case "HOT":
                assertEquals(StorageType.DISK, type);
                break;
              case "ALL_SSD":
                assertEquals(StorageType.SSD, type);
                break;
              case "COLD":
                assertEquals(StorageType.ARCHIVE, type);
                break;
              default:
                assertNotEquals(StorageType.ARCHIVE, type);
                ssd += type == StorageType.SSD ? 1 : 0;
            }
          }
          if (name.equals("ONE_SSD")) {
            assertEquals("ONE_SSD: one SSD replica " + p, 1, ssd);
          }
        }
      }
    }
  }

  @Test
  public void flatTopologyBehavesLikeDefault() throws Exception {
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        Topologies.flat(4, 3))) {
      assertFalse(((BlockPlacementPolicyWithZones) h.policy).getZoneLayout().isZoned());
      for (int t = 0; t < TRIALS; t++) {
        DatanodeDescriptor writer = h.dataNodes[random.nextInt(h.dataNodes.length)];
        DatanodeStorageInfo[] targets = h.chooseTarget(3, writer);
        // Default's signature: local node, then a remote rack, third beside the second.
        assertSame(writer, targets[0].getDatanodeDescriptor());
        String r0 = targets[0].getDatanodeDescriptor().getNetworkLocation();
        String r1 = targets[1].getDatanodeDescriptor().getNetworkLocation();
        String r2 = targets[2].getDatanodeDescriptor().getNetworkLocation();
        assertNotEquals(r0, r1);
        assertEquals(r1, r2);
        BlockPlacementStatus s = h.policy.verifyBlockPlacement(
            new DatanodeInfo[] {targets[0].getDatanodeDescriptor(),
                targets[1].getDatanodeDescriptor()}, 3);
        assertFalse(s instanceof BlockPlacementStatusWithZones);
        assertTrue(s.isPlacementPolicySatisfied());
      }
    }
  }

  /** The problem this module solves, measured: Default leaves blocks in one zone. */
  @Test
  public void stockDefaultPolicyLeavesBlocksInOneZone() throws Exception {
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyDefault.class.getName(),
        null, Topologies.reference())) {
      int singleZone = 0;
      for (int t = 0; t < TRIALS; t++) {
        DatanodeDescriptor writer = h.dataNodes[random.nextInt(h.dataNodes.length)];
        if (new Placement(h.chooseTarget(3, writer)).zones() == 1) {
          singleZone++;
        }
      }
      assertTrue("Default put " + singleZone + "/" + TRIALS + " blocks in one zone",
          singleZone > TRIALS / 10);
    }
  }

  private static DatanodeInfo[] nodes(Placement p) {
    DatanodeInfo[] out = new DatanodeInfo[p.targets.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = p.targets[i].getDatanodeDescriptor();
    }
    return out;
  }
}
