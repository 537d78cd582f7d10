package org.apache.hadoop.hdfs.server.blockmanagement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import io.multizone.hdfs.status.BlockPlacementStatusWithZones;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.net.NodeBase;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The zone rule on the shared reference topology (3 zones x 2 racks x 2 hosts), over
 * thousands of random trials, on one NameNode shared by the class.
 */
public class TestZonePlacementOnReferenceTopology {

  private static final int TRIALS = 2000;
  private static PolicyHarness h;
  private static BlockPlacementPolicyWithZones policy;
  private final Random random = new Random(42);

  @BeforeClass
  public static void startNameNode() throws Exception {
    h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, null,
        Topologies.reference());
    policy = (BlockPlacementPolicyWithZones) h.policy;
  }

  @AfterClass
  public static void stopNameNode() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  public void policyIsTheOneConfigured() {
    assertTrue(h.policy instanceof BlockPlacementPolicyWithZones);
    assertTrue(policy.getZoneLayout().isZoned());
    assertEquals(3, policy.getZoneLayout().zoneCount());
  }

  @Test
  public void writerInsideClusterSpreadsOverZonesForEveryReplication() {
    for (int n = 1; n <= 5; n++) {
      for (int t = 0; t < TRIALS; t++) {
        DatanodeDescriptor writer = h.dataNodes[random.nextInt(h.dataNodes.length)];
        Placement p = new Placement(h.chooseTarget(n, writer));
        assertZoneRule(n, p);
        assertSame("first replica is writer-local", writer,
            p.targets[0].getDatanodeDescriptor());
        assertEquals("pipeline crosses zones only as needed: " + p, p.zones() - 1,
            p.crossZoneHops(writer));
      }
    }
  }

  @Test
  public void writerOutsideClusterSpreadsOverZones() {
    Node offCluster = new NodeBase("client.example", "/zone-x/rack-9");
    for (int n = 1; n <= 5; n++) {
      for (int t = 0; t < TRIALS; t++) {
        assertZoneRule(n, new Placement(h.chooseTarget(n, null)));
        assertZoneRule(n, new Placement(h.chooseTarget(n, offCluster)));
      }
    }
  }

  @Test
  public void replicationBeyondClusterSizeIsCapped() {
    Placement p = new Placement(h.chooseTarget(20, h.dataNodes[0]));
    assertEquals(h.dataNodes.length, p.targets.length);
    assertEquals(3, p.zones());
  }

  @Test
  public void excludedZoneIsAvoided() {
    Set<Node> zoneB = new HashSet<>();
    for (DatanodeDescriptor dn : h.dataNodes) {
      if (dn.getNetworkLocation().startsWith("/zone-b/")) {
        zoneB.add(dn);
      }
    }
    for (int t = 0; t < TRIALS; t++) {
      Placement p = new Placement(h.chooseTarget(3, h.dataNodes[0], new ArrayList<>(),
          new HashSet<>(zoneB), PolicyHarness.HOT));
      assertEquals(3, p.targets.length);
      assertEquals(0, p.inZone("/zone-b"));
      assertEquals(2, p.zones());
    }
  }

  @Test
  public void reReplicationOfSingleZoneBlockAddsAnotherZone() {
    // Three replicas in zone-a (as a block written while only zone-a was up).
    List<DatanodeStorageInfo> chosen = storagesIn("/zone-a", 3);
    for (int t = 0; t < TRIALS; t++) {
      DatanodeStorageInfo[] added = h.policy.chooseTarget("/f", 1,
          chosen.get(0).getDatanodeDescriptor(), new ArrayList<>(chosen), false, null,
          PolicyHarness.BLOCK_SIZE, PolicyHarness.HOT, null);
      assertEquals(1, added.length);
      assertFalse(added[0].getDatanodeDescriptor().getNetworkLocation().startsWith("/zone-a"));
    }
  }

  @Test
  public void favoredNodesAreHonouredAndTheOthersCompleteTheZoneRule() {
    DatanodeDescriptor a11 = storageAt("/zone-a/rack-1", 0).getDatanodeDescriptor();
    DatanodeDescriptor a21 = storageAt("/zone-a/rack-2", 0).getDatanodeDescriptor();
    DatanodeDescriptor a12 = storageAt("/zone-a/rack-1", 1).getDatanodeDescriptor();
    DatanodeDescriptor a22 = storageAt("/zone-a/rack-2", 1).getDatanodeDescriptor();
    for (int t = 0; t < TRIALS / 10; t++) {
      // Two favored nodes in zone-a, the writer in zone-a too: the third replica must go to
      // another zone (Default would place it writer-local, leaving the block in zone-a).
      Placement p = new Placement(policy.chooseTarget("/favored", 3, a12,
          new HashSet<>(), PolicyHarness.BLOCK_SIZE, Arrays.asList(a11, a21),
          PolicyHarness.HOT, null));
      assertEquals(p.toString(), 3, p.targets.length);
      assertTrue(p.toString(), p.nodes.contains(a11.getDatanodeUuid())
          && p.nodes.contains(a21.getDatanodeUuid()));
      assertEquals(p.toString(), 2, p.zones());
    }
    // Every replica favored in one zone: the hint wins (a write during an outage does this),
    // and fsck reports the block.
    Placement all = new Placement(policy.chooseTarget("/favored", 3, a12, new HashSet<>(),
        PolicyHarness.BLOCK_SIZE, Arrays.asList(a11, a21, a22), PolicyHarness.HOT, null));
    assertEquals(all.toString(), 3, all.inZone("/zone-a"));
    // A later block of the same thread without favored nodes is placed as usual.
    Placement plain = new Placement(h.chooseTarget(3, a12));
    assertEquals(plain.toString(), 2, plain.zones());
  }

  @Test
  public void verifyReportsTooFewZonesWithReplicasNeeded() {
    DatanodeInfo[] oneZone = nodes(storagesIn("/zone-a", 3));
    BlockPlacementStatus s = policy.verifyBlockPlacement(oneZone, 3);
    assertFalse(s.isPlacementPolicySatisfied());
    assertEquals(1, s.getAdditionalReplicasRequired());
    assertTrue(s.getErrorDescription(), s.getErrorDescription().contains("1 more zone"));
    assertTrue(s instanceof BlockPlacementStatusWithZones);

    DatanodeInfo[] twoZones = new DatanodeInfo[] {oneZone[0], oneZone[1],
        nodes(storagesIn("/zone-c", 1))[0]};
    assertTrue(policy.verifyBlockPlacement(twoZones, 3).isPlacementPolicySatisfied());
    // Replication 1 needs one zone only.
    assertTrue(policy.verifyBlockPlacement(new DatanodeInfo[] {oneZone[0]}, 1)
        .isPlacementPolicySatisfied());
  }

  @Test
  public void verifyCountsViolationsInMetrics() {
    long before = ZonePlacementMetrics.get().zoneViolationsReported();
    policy.verifyBlockPlacement(nodes(storagesIn("/zone-b", 2)), 2);
    assertEquals(before + 1, ZonePlacementMetrics.get().zoneViolationsReported());
  }

  /**
   * Random replica sets with one excess replica: the one deleted comes from a zone holding the
   * most replicas (so the zones spanned never drop while a zone holds two), as the README
   * promises; with several excess replicas the block keeps min(zones before, expected) zones.
   * Asserted from the placement before and after, not from the policy's own counts.
   */
  @Test
  public void excessDeletionTakesFromTheMostCrowdedZone() {
    List<DatanodeDescriptor> all = Arrays.asList(h.dataNodes);
    for (int t = 0; t < TRIALS; t++) {
      int expected = 1 + random.nextInt(4);
      int have = expected + 1 + (t % 2 == 0 ? 0 : random.nextInt(3));
      List<DatanodeDescriptor> shuffled = new ArrayList<>(all);
      Collections.shuffle(shuffled, random);
      List<DatanodeStorageInfo> replicas = new ArrayList<>();
      for (DatanodeDescriptor dn : shuffled.subList(0, have)) {
        replicas.add(PolicyHarness.storage(dn));
      }
      Placement before = new Placement(replicas.toArray(new DatanodeStorageInfo[0]));
      List<StorageType> excessTypes = new ArrayList<>();
      for (int i = 0; i < have - expected; i++) {
        excessTypes.add(StorageType.DISK);
      }
      List<DatanodeStorageInfo> deleted = policy.chooseReplicasToDelete(replicas, replicas,
          expected, excessTypes, null, null);
      assertEquals(have - expected, deleted.size());
      List<DatanodeStorageInfo> kept = new ArrayList<>(replicas);
      kept.removeAll(deleted);
      Placement after = new Placement(kept.toArray(new DatanodeStorageInfo[0]));
      assertEquals("zones kept: before " + before + " after " + after,
          Math.min(before.zones(), expected), after.zones());
      if (deleted.size() == 1) {
        String zone = Topologies.zoneOf(deleted.get(0).getDatanodeDescriptor()
            .getNetworkLocation());
        assertEquals("deleted from " + zone + " of " + before, before.maxPerZone(),
            before.inZone(zone));
      }
    }
  }

  @Test
  public void excessDeletionTakesTheMostCrowdedZoneThenRack() {
    // zone-a: rack-1 x2, rack-2 x1; zone-b: rack-1 x1. Expected 3: delete one of zone-a rack-1.
    DatanodeStorageInfo a11 = storageAt("/zone-a/rack-1", 0);
    DatanodeStorageInfo a12 = storageAt("/zone-a/rack-1", 1);
    DatanodeStorageInfo a21 = storageAt("/zone-a/rack-2", 0);
    DatanodeStorageInfo b11 = storageAt("/zone-b/rack-1", 0);
    List<DatanodeStorageInfo> replicas = Arrays.asList(a11, a12, a21, b11);
    List<DatanodeStorageInfo> deleted = policy.chooseReplicasToDelete(replicas, replicas, 3,
        new ArrayList<>(Collections.singletonList(StorageType.DISK)), null, null);
    assertEquals(1, deleted.size());
    assertTrue(deleted.get(0) == a11 || deleted.get(0) == a12);
  }

  @Test
  public void deleteHintIsUsedUnlessItWouldDropAZone() {
    DatanodeStorageInfo a11 = storageAt("/zone-a/rack-1", 0);
    DatanodeStorageInfo a12 = storageAt("/zone-a/rack-1", 1);
    DatanodeStorageInfo a21 = storageAt("/zone-a/rack-2", 0);
    DatanodeStorageInfo b11 = storageAt("/zone-b/rack-1", 0);
    DatanodeStorageInfo b12 = storageAt("/zone-b/rack-1", 1);
    DatanodeStorageInfo c11 = storageAt("/zone-c/rack-1", 0);
    // zone-a x2, zone-b x2, zone-c x1, expected 4: the hint (b12) keeps zones and racks.
    List<DatanodeStorageInfo> replicas = Arrays.asList(a11, a12, b11, b12, c11);
    List<DatanodeStorageInfo> deleted = policy.chooseReplicasToDelete(replicas, replicas, 4,
        new ArrayList<>(Collections.singletonList(StorageType.DISK)), null,
        b12.getDatanodeDescriptor());
    assertEquals(Collections.singletonList(b12), deleted);
    // zone-a x2, zone-b x1, expected 2, hint on the only zone-b node: refused.
    replicas = Arrays.asList(a11, a21, b11);
    deleted = policy.chooseReplicasToDelete(replicas, replicas, 2,
        new ArrayList<>(Collections.singletonList(StorageType.DISK)), null,
        b11.getDatanodeDescriptor());
    assertEquals(1, deleted.size());
    assertTrue(deleted.get(0) == a11 || deleted.get(0) == a21);
  }

  @Test
  public void excessDeletionHonoursExcessStorageTypes() {
    DatanodeStorageInfo a11 = storageAt("/zone-a/rack-1", 0);
    DatanodeStorageInfo a12 = storageAt("/zone-a/rack-1", 1);
    DatanodeStorageInfo b11 = storageAt("/zone-b/rack-1", 0);
    List<DatanodeStorageInfo> replicas = Arrays.asList(a11, a12, b11);
    // Only SSD is in excess but every replica is DISK: nothing may be deleted.
    List<DatanodeStorageInfo> deleted = policy.chooseReplicasToDelete(replicas, replicas, 2,
        new ArrayList<>(Collections.singletonList(StorageType.SSD)), null, null);
    assertTrue(deleted.isEmpty());
  }

  @Test
  public void excessDeletionNeverGoesBelowTheRequiredZones() {
    DatanodeStorageInfo a11 = storageAt("/zone-a/rack-1", 0);
    DatanodeStorageInfo a21 = storageAt("/zone-a/rack-2", 0);
    // The only SSD replica is the only one in zone-b: SSD is in excess, but deleting it
    // would leave one zone, so nothing is deleted.
    DatanodeStorageInfo b11ssd = DFSTestUtil.createDatanodeStorageInfo("ssd-1", "9.9.9.9",
        "/zone-b/rack-1", "ssd-host", StorageType.SSD, null);
    List<DatanodeStorageInfo> replicas = Arrays.asList(a11, a21, b11ssd);
    List<DatanodeStorageInfo> deleted = policy.chooseReplicasToDelete(replicas, replicas, 2,
        new ArrayList<>(Collections.singletonList(StorageType.SSD)), null, null);
    assertTrue("deleted " + deleted, deleted.isEmpty());
    // With DISK in excess, a zone-a replica goes instead.
    deleted = policy.chooseReplicasToDelete(replicas, replicas, 2,
        new ArrayList<>(Collections.singletonList(StorageType.DISK)), null, null);
    assertEquals(1, deleted.size());
    assertTrue(deleted.get(0) == a11 || deleted.get(0) == a21);
  }

  @Test
  public void balancerMovesThatDropAZoneAreRefused() {
    DatanodeInfo a11 = storageAt("/zone-a/rack-1", 0).getDatanodeDescriptor();
    DatanodeInfo b11 = storageAt("/zone-b/rack-1", 0).getDatanodeDescriptor();
    DatanodeInfo b21 = storageAt("/zone-b/rack-2", 0).getDatanodeDescriptor();
    DatanodeInfo b22 = storageAt("/zone-b/rack-2", 1).getDatanodeDescriptor();
    DatanodeInfo c11 = storageAt("/zone-c/rack-1", 0).getDatanodeDescriptor();
    List<DatanodeInfo> locs = Arrays.asList(a11, b11, b21);
    long refused = ZonePlacementMetrics.get().movesRefused();
    assertFalse("zone-a's only replica may not move into zone-b",
        movable(locs, a11, b22));
    assertEquals(refused + 1, ZonePlacementMetrics.get().movesRefused());
    assertTrue("a move to a new zone keeps the spread", movable(locs, b11, c11));
    assertTrue("a move inside zone-a keeps the spread", movable(locs, a11,
        storageAt("/zone-a/rack-2", 0).getDatanodeDescriptor()));
    // Two replicas in two zones: moving one into the third zone keeps two zones (the
    // target, listed among the candidates, is not a zone the block already spans).
    assertTrue("zone-b -> zone-a with zone-c kept", movable(Arrays.asList(b11, c11), b11, a11));
    assertFalse("zone-b -> zone-c collapses", movable(Arrays.asList(b11, c11), b11,
        storageAt("/zone-c/rack-2", 0).getDatanodeDescriptor()));
  }

  /**
   * Balancer/Mover moves on the reference topology, each answer worked out by hand from the
   * rules in the README (zones kept, no zone above its even share, Default's rack rule).
   */
  @Test
  public void isMovableAnswersWorkedOutByHand() {
    DatanodeInfo a11 = node("/zone-a/rack-1", 0);
    DatanodeInfo a12 = node("/zone-a/rack-1", 1);
    DatanodeInfo a21 = node("/zone-a/rack-2", 0);
    DatanodeInfo b11 = node("/zone-b/rack-1", 0);
    DatanodeInfo b12 = node("/zone-b/rack-1", 1);
    DatanodeInfo b21 = node("/zone-b/rack-2", 0);
    DatanodeInfo c11 = node("/zone-c/rack-1", 0);
    DatanodeInfo c21 = node("/zone-c/rack-2", 0);
    // a11 b11 b21: a11 -> c11: zone-c replaces zone-a, two zones and three racks kept.
    assertTrue(movable(Arrays.asList(a11, b11, b21), a11, c11));
    // a11 b11 b21: a11 -> a21 (same zone, new rack).
    assertTrue(movable(Arrays.asList(a11, b11, b21), a11, a21));
    // a11 b11 b21: a11 -> a12 (same rack).
    assertTrue(movable(Arrays.asList(a11, b11, b21), a11, a12));
    // a11 b11 b21: a11 -> b12 drops zone-a.
    assertFalse(movable(Arrays.asList(a11, b11, b21), a11, b12));
    // a11 b11 b21: b11 -> b12 keeps zones; /zone-b/rack-1 keeps a replica (b12): allowed.
    assertTrue(movable(Arrays.asList(a11, b11, b21), b11, b12));
    // a11 b11 b21: b21 -> b11's rack: zones kept but /zone-b/rack-2 lost and no new rack.
    assertFalse(movable(Arrays.asList(a11, b11, b21), b21, b12));
    // a11 b11: b11 -> a21 leaves one zone.
    assertFalse(movable(Arrays.asList(a11, b11), b11, a21));
    // a11 b11: b11 -> c21 opens zone-c as zone-b closes: two zones either way.
    assertTrue(movable(Arrays.asList(a11, b11), b11, c21));
    // a11 b11 c11: a11 -> c21: three zones become two (b, c), zone-c holds 2 = ceil(3 / 2):
    // the spread the policy writes, allowed (else a one-node zone could never drain).
    assertTrue(movable(Arrays.asList(a11, b11, c11), a11, c21));
    // a11 b11 c11: a11 -> b21 likewise (two zones, zone-b 2 of 3).
    assertTrue(movable(Arrays.asList(a11, b11, c11), a11, b21));
    // a11 a21 b11 c11 (4 on 3 zones, share 2): c11 -> b21 drops zone-c.
    assertFalse(movable(Arrays.asList(a11, a21, b11, c11), c11, b21));
    // a11 a21 b11 c11: a11 -> b21 keeps 3 zones, zone-b goes to 2 = its share: allowed.
    assertTrue(movable(Arrays.asList(a11, a21, b11, c11), a11, b21));
    // a11 b11 b21 c11 c21 (5 on 3, share 2): a11 -> b12 drops zone-a.
    assertFalse(movable(Arrays.asList(a11, b11, b21, c11, c21), a11, b12));
  }

  /** Random moves: whatever is allowed never drops a zone or puts a zone above its share. */
  @Test
  public void allowedMovesNeverDropAZoneOrCrowdOne() {
    List<DatanodeDescriptor> all = Arrays.asList(h.dataNodes);
    int allowed = 0;
    int refused = 0;
    for (int t = 0; t < TRIALS; t++) {
      List<DatanodeDescriptor> shuffled = new ArrayList<>(all);
      Collections.shuffle(shuffled, random);
      int n = 2 + random.nextInt(3);
      List<DatanodeInfo> locs = new ArrayList<>(shuffled.subList(0, n));
      DatanodeInfo source = locs.get(random.nextInt(n));
      DatanodeInfo target = shuffled.get(n + random.nextInt(shuffled.size() - n));
      List<DatanodeInfo> afterLocs = new ArrayList<>(locs);
      afterLocs.remove(source);
      afterLocs.add(target);
      if (movable(locs, source, target)) {
        allowed++;
        // Up to 3 replicas (replicated blocks): never below min-zones (2); larger sets,
        // possibly erasure-coded groups: never a zone fewer.
        int floor = n <= 3 ? Math.min(2, zonesOf(locs).size()) : zonesOf(locs).size();
        assertTrue(locs + ": " + source + " -> " + target, zonesOf(afterLocs).size() >= floor);
        int zones = zonesOf(afterLocs).size();
        assertTrue(locs + ": " + source + " -> " + target,
            maxPerZone(afterLocs) <= Math.max((n + zones - 1) / zones, maxPerZone(locs)));
      } else {
        refused++;
      }
    }
    assertTrue("both outcomes exercised: " + allowed + "/" + refused, allowed > 0 && refused > 0);
  }

  private static DatanodeInfo node(String rack, int index) {
    return storageAt(rack, index).getDatanodeDescriptor();
  }

  @Test
  public void movesThatCrowdAZoneOfAnErasureCodedGroupAreRefused() {
    // An RS-6-3 group spread 3/3/3 (the Dispatcher asks the replication policy for striped
    // groups too): one more internal block in a zone would make that zone's loss fatal.
    List<DatanodeInfo> group = new ArrayList<>();
    for (String zone : new String[] {"/zone-a", "/zone-b", "/zone-c"}) {
      group.add(storageAt(zone + "/rack-1", 0).getDatanodeDescriptor());
      group.add(storageAt(zone + "/rack-1", 1).getDatanodeDescriptor());
      group.add(storageAt(zone + "/rack-2", 0).getDatanodeDescriptor());
    }
    DatanodeInfo a11 = group.get(0);
    DatanodeInfo b22 = storageAt("/zone-b/rack-2", 1).getDatanodeDescriptor();
    DatanodeInfo a22 = storageAt("/zone-a/rack-2", 1).getDatanodeDescriptor();
    long refused = ZonePlacementMetrics.get().movesRefused();
    assertFalse("zone-b would hold 4 of 9", movable(group, a11, b22));
    assertEquals(refused + 1, ZonePlacementMetrics.get().movesRefused());
    assertTrue("a move inside zone-a keeps 3/3/3", movable(group, a11, a22));
  }

  private static int maxPerZone(List<DatanodeInfo> nodes) {
    java.util.Map<String, Integer> perZone = new java.util.HashMap<>();
    int max = 0;
    for (DatanodeInfo d : nodes) {
      max = Math.max(max, perZone.merge(Topologies.zoneOf(d.getNetworkLocation()), 1,
          Integer::sum));
    }
    return max;
  }

  /** isMovable as the Balancer's and Mover's Dispatcher calls it: target among candidates. */
  private static boolean movable(List<DatanodeInfo> locs, DatanodeInfo source,
      DatanodeInfo target) {
    List<DatanodeInfo> candidates = new ArrayList<>(locs);
    candidates.add(target);
    return policy.isMovable(candidates, source, target);
  }

  // ------------------------------------------------------------------ helpers

  private static void assertZoneRule(int n, Placement p) {
    int expected = Math.min(n, h.dataNodes.length);
    assertEquals(p.toString(), expected, p.targets.length);
    assertEquals("distinct nodes " + p, expected, p.nodes.size());
    int required = Math.min(2, Math.min(expected, 3));
    assertTrue("spans >= " + required + " zones: " + p, p.zones() >= required);
    int cap = (expected + p.zones() - 1) / p.zones();
    assertTrue("no zone above ceil(n/zones): " + p, p.maxPerZone() <= cap);
    for (String zone : p.perZone.keySet()) {
      int inZone = p.inZone(zone);
      assertEquals("replicas in a zone on distinct racks where possible: " + p,
          Math.min(inZone, 2), p.racksPerZone.get(zone).size());
    }
  }

  private static List<DatanodeStorageInfo> storagesIn(String zone, int count) {
    List<DatanodeStorageInfo> out = new ArrayList<>();
    for (DatanodeDescriptor dn : h.dataNodes) {
      if (dn.getNetworkLocation().startsWith(zone + "/") && out.size() < count) {
        out.add(PolicyHarness.storage(dn));
      }
    }
    return out;
  }

  private static DatanodeStorageInfo storageAt(String rack, int index) {
    int i = 0;
    for (DatanodeDescriptor dn : h.dataNodes) {
      if (dn.getNetworkLocation().equals(rack) && i++ == index) {
        return PolicyHarness.storage(dn);
      }
    }
    throw new AssertionError("no node " + index + " in " + rack);
  }

  private static DatanodeInfo[] nodes(List<DatanodeStorageInfo> storages) {
    DatanodeInfo[] out = new DatanodeInfo[storages.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = storages.get(i).getDatanodeDescriptor();
    }
    return out;
  }

  private static Set<String> zonesOf(List<DatanodeInfo> locs) {
    Set<String> zones = new HashSet<>();
    for (DatanodeInfo d : locs) {
      zones.add(Topologies.zoneOf(d.getNetworkLocation()));
    }
    return zones;
  }
}
