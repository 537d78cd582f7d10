package io.multizone.hdfs.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.multizone.hdfs.demo.MiniZonedCluster;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeManager;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.tools.DFSck;
import org.apache.hadoop.test.GenericTestUtils;
import org.apache.hadoop.util.ToolRunner;
import org.junit.Test;

/**
 * Zones come back after an outage, on a real 12-DataNode cluster with the zone-aware policy.
 * One zone lost and back: the returning replicas make blocks over-replicated and the excess
 * is deleted without ever leaving a block in one zone. Two zones lost: writes go on in the
 * last zone (counted as single-zone placements and reported by fsck), and once the zones are
 * back {@code hdfs fsck -replicate} spreads those blocks again. One of two zones
 * decommissioned: the decommission completes with three replicas per block in the other.
 */
public class TestZoneRecovery {

  private static final File BASE =
      new File(System.getProperty("test.build.data", "target/test-data"), "zone-recovery");

  @Test
  public void excessReplicasOfAReturningZoneAreDeletedKeepingTwoZones() throws Exception {
    FileUtil.fullyDelete(new File(BASE, "one"));
    try (MiniZonedCluster c = start("one")) {
      List<Path> files = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      c.write("/before", 12, (short) 3, files, data);

      List<MiniDFSCluster.DataNodeProperties> zoneA = c.stopZone("/zone-a");
      awaitReplicas(c, files, 3);
      c.restoreZone(zoneA);
      // zone-a's old replicas come back on top of the re-replicated ones: every block must
      // return to exactly three replicas, still in at least two zones.
      awaitReplicas(c, files, 3);
      int blocks = 0;
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          blocks++;
          assertTrue(p + " " + MiniZonedCluster.zones(b),
              MiniZonedCluster.zones(b).size() >= 2);
        }
      }
      assertTrue(blocks >= files.size());
      c.assertReadBack(files, data);
    }
  }

  @Test
  public void blocksWrittenDuringATwoZoneOutageAreSpreadByFsckReplicate() throws Exception {
    FileUtil.fullyDelete(new File(BASE, "two"));
    try (MiniZonedCluster c = start("two")) {
      List<MiniDFSCluster.DataNodeProperties> down = new ArrayList<>(c.stopZone("/zone-a"));
      down.addAll(c.stopZone("/zone-b"));
      long single0 = ZonePlacementMetrics.get().singleZonePlacements();

      // Only zone-c is left: writes must still succeed (never fail a write Default accepts).
      List<Path> files = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      c.write("/outage", 6, (short) 3, files, data);
      int blocks = 0;
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          blocks++;
          assertEquals(p + " written in zone-c alone", 1, MiniZonedCluster.zones(b).size());
        }
      }
      assertTrue("single-zone placements counted",
          ZonePlacementMetrics.get().singleZonePlacements() - single0 >= blocks);

      c.restoreZone(down);
      String report = fsck(c, "/outage", "-files", "-blocks");
      assertTrue(report, report.contains("Replica placement policy is violated"));
      fsck(c, "/outage", "-replicate");
      GenericTestUtils.waitFor(() -> {
        try {
          for (Path p : files) {
            for (LocatedBlock b : c.blocks(p)) {
              if (MiniZonedCluster.zones(b).size() < 2 || b.getLocations().length != 3) {
                return false;
              }
            }
          }
          return true;
        } catch (Exception e) {
          return false;
        }
      }, 200, 60_000);
      String after = fsck(c, "/outage", "-files", "-blocks");
      assertTrue(after, !after.contains("Replica placement policy is violated"));
      c.assertReadBack(files, data);
    }
  }

  @Test
  public void decommissioningOneOfTwoZonesCompletes() throws Exception {
    FileUtil.fullyDelete(new File(BASE, "retire"));
    // Two zones of 2 racks x 2 hosts: retiring zone-b leaves zone-a the only one a block can
    // span. Were zone-b still counted, no block would ever be placed well enough for the
    // decommission to end.
    String[] twoZones = java.util.Arrays.copyOf(MiniZonedCluster.REFERENCE_RACKS, 8);
    try (MiniZonedCluster c = MiniZonedCluster.start(
        MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME), new File(BASE, "retire"),
        twoZones)) {
      List<Path> files = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      c.write("/retire", 8, (short) 3, files, data);
      DatanodeManager dm = c.cluster.getNamesystem().getBlockManager().getDatanodeManager();
      List<DatanodeDescriptor> zoneB = new ArrayList<>();
      for (DataNode dn : c.dataNodesIn("/zone-b")) {
        zoneB.add(dm.getDatanode(dn.getDatanodeId()));
      }
      assertEquals(4, zoneB.size());
      c.cluster.getNamesystem().writeLock();
      try {
        for (DatanodeDescriptor dd : zoneB) {
          dm.getDatanodeAdminManager().startDecommission(dd);
        }
      } finally {
        c.cluster.getNamesystem().writeUnlock();
      }
      GenericTestUtils.waitFor(() -> zoneB.stream().allMatch(DatanodeDescriptor::isDecommissioned),
          200, 60_000);
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          Set<String> racks = new HashSet<>();
          for (DatanodeInfo d : b.getLocations()) {
            if (!d.isDecommissioned() && !d.isDecommissionInProgress()) {
              assertEquals(p + " " + b, "/zone-a",
                  MiniZonedCluster.zoneOf(d.getNetworkLocation()));
              racks.add(d.getNetworkLocation());
            }
          }
          assertEquals(p + " " + b + " live replicas on distinct nodes", 3,
              java.util.Arrays.stream(b.getLocations())
                  .filter(d -> !d.isDecommissioned() && !d.isDecommissionInProgress()).count());
          assertEquals(p + " spans both racks of zone-a", 2, racks.size());
        }
      }
      c.assertReadBack(files, data);
    }
  }

  private static MiniZonedCluster start(String dir) throws Exception {
    return MiniZonedCluster.start(MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME),
        new File(BASE, dir), MiniZonedCluster.REFERENCE_RACKS);
  }

  /** Waits until every block of the files has exactly {@code n} live replicas. */
  private static void awaitReplicas(MiniZonedCluster c, List<Path> files, int n)
      throws Exception {
    GenericTestUtils.waitFor(() -> {
      try {
        for (Path p : files) {
          for (LocatedBlock b : c.blocks(p)) {
            if (b.getLocations().length != n) {
              return false;
            }
          }
        }
        return true;
      } catch (Exception e) {
        return false;
      }
    }, 200, 60_000);
  }

  private static String fsck(MiniZonedCluster c, String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, "UTF-8");
    ToolRunner.run(new DFSck(c.cluster.getConfiguration(0), out), args);
    return bytes.toString("UTF-8");
  }
}
