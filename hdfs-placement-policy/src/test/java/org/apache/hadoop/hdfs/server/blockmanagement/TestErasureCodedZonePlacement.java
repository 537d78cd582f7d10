package org.apache.hadoop.hdfs.server.blockmanagement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.junit.Test;

/**
 * EC block groups (9 internal blocks of RS-6-3) on the reference topology: ours never puts
 * more than 3 in one zone, so any single zone loss is survivable; the stock
 * RackFaultTolerant policy sometimes puts 4, which is not.
 */
public class TestErasureCodedZonePlacement {

  private static final int TRIALS = 2000;
  private static final int GROUP = 9;

  @Test
  public void blockGroupsSpreadEvenlyOverZones() throws Exception {
    try (PolicyHarness h = start(BlockPlacementPolicyRackFaultTolerantWithZones.CLASS_NAME)) {
      BlockPlacementPolicy ec = stripedPolicy(h);
      assertTrue(ec instanceof BlockPlacementPolicyRackFaultTolerantWithZones);
      Random random = new Random(5);
      for (int t = 0; t < TRIALS; t++) {
        DatanodeDescriptor writer = random.nextBoolean() ? null
            : h.dataNodes[random.nextInt(h.dataNodes.length)];
        Placement p = new Placement(choose(h, ec, writer));
        assertEquals(p.toString(), GROUP, p.targets.length);
        assertEquals(p.toString(), GROUP, p.nodes.size());
        assertEquals("every zone holds exactly 3: " + p, 3, p.maxPerZone());
        for (int n : p.perRack.values()) {
          assertTrue("at most 2 per rack: " + p, n <= 2);
        }
      }
    }
  }

  @Test
  public void aZoneWithFewRacksStillTakesItsShare() throws Exception {
    // zone-a has one rack of 4 hosts; zone-b and zone-c have 4 racks of 2. The stock per-rack
    // limit (1 when there are as many racks as blocks) would leave zone-a with 1 block and
    // the others with 4 each: losing zone-b or zone-c would then lose the group.
    String[] racks = Topologies.concat(Topologies.zone("zone-a", 1, 4),
        Topologies.zone("zone-b", 4, 2), Topologies.zone("zone-c", 4, 2));
    Configuration conf = new Configuration(false);
    conf.set(DFSConfigKeys.DFS_BLOCK_PLACEMENT_EC_CLASSNAME_KEY,
        BlockPlacementPolicyRackFaultTolerantWithZones.CLASS_NAME);
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, conf,
        racks)) {
      BlockPlacementPolicy ec = stripedPolicy(h);
      for (int t = 0; t < TRIALS / 10; t++) {
        Placement p = new Placement(choose(h, ec, null));
        assertEquals(p.toString(), GROUP, p.nodes.size());
        assertEquals("3/3/3: " + p, 3, p.maxPerZone());
        assertEquals(p.toString(), 3, p.inZone("/zone-a"));
      }
    }
  }

  @Test
  public void stockRackFaultTolerantSometimesCrowdsAZone() throws Exception {
    try (PolicyHarness h = start(BlockPlacementPolicyRackFaultTolerant.class.getName())) {
      BlockPlacementPolicy ec = stripedPolicy(h);
      int crowded = 0;
      for (int t = 0; t < TRIALS; t++) {
        if (new Placement(choose(h, ec, null)).maxPerZone() > 3) {
          crowded++;
        }
      }
      System.out.println("stock RackFaultTolerant crowded " + crowded + "/" + TRIALS);
      assertTrue("stock policy crowded " + crowded + "/" + TRIALS, crowded > 0);
    }
  }

  private static PolicyHarness start(String ecPolicy) throws Exception {
    Configuration conf = new Configuration(false);
    conf.set(DFSConfigKeys.DFS_BLOCK_PLACEMENT_EC_CLASSNAME_KEY, ecPolicy);
    return PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, conf,
        Topologies.reference());
  }

  private static BlockPlacementPolicy stripedPolicy(PolicyHarness h) {
    return h.namenode.getNamesystem().getBlockManager().getStriptedBlockPlacementPolicy();
  }

  private static DatanodeStorageInfo[] choose(PolicyHarness h, BlockPlacementPolicy ec,
      DatanodeDescriptor writer) {
    return ec.chooseTarget("/ec", GROUP, writer, new ArrayList<>(), false, null,
        PolicyHarness.BLOCK_SIZE, PolicyHarness.HOT, null);
  }
}
