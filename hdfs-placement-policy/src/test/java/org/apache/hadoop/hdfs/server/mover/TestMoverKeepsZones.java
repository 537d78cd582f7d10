package org.apache.hadoop.hdfs.server.mover;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import io.multizone.hdfs.demo.MiniZonedCluster;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.util.ToolRunner;
import org.junit.Test;

/**
 * A real Mover run ({@code hdfs mover -p /cold}, in process) after files are switched to the
 * COLD storage policy. ARCHIVE storage exists only in zone-a, so moving every replica to
 * ARCHIVE would put each block in one zone: the stock policy lets the Mover do exactly that
 * (two racks are still two racks), the zone-aware policy refuses the move that would drop
 * the last other zone and keeps every block in two zones, while still moving what it can.
 */
public class TestMoverKeepsZones {

  /** zone-a: DISK and ARCHIVE in both racks; zone-b and zone-c: DISK only. */
  private static final String[] RACKS = {
      "/zone-a/rack-1", "/zone-a/rack-1", "/zone-a/rack-2", "/zone-a/rack-2",
      "/zone-b/rack-1", "/zone-b/rack-2", "/zone-c/rack-1", "/zone-c/rack-2"};
  private static final StorageType[][] TYPES = {
      {StorageType.DISK}, {StorageType.ARCHIVE}, {StorageType.DISK}, {StorageType.ARCHIVE},
      {StorageType.DISK}, {StorageType.DISK}, {StorageType.DISK}, {StorageType.DISK}};
  private static final int FILES = 12;

  /** What one experiment saw after the Mover: blocks in one zone, replicas on ARCHIVE. */
  private static final class Outcome {
    int blocks;
    int singleZoneBefore;
    int singleZoneAfter;
    int archiveReplicas;
    int moverExit;
  }

  @Test
  public void zoneAwarePolicyKeepsEveryBlockInTwoZones() throws Exception {
    long refused0 = ZonePlacementMetrics.get().movesRefused();
    Outcome o = runExperiment(BlockPlacementPolicyWithZones.CLASS_NAME, "mover-zones");
    assertEquals("written in two zones", 0, o.singleZoneBefore);
    assertEquals("after the Mover", 0, o.singleZoneAfter);
    // The Mover still did its job where the zone rule allows: each block has one replica on
    // zone-a's ARCHIVE (the other stays on DISK in a second zone).
    assertEquals(o.blocks, o.archiveReplicas);
    assertTrue("moves refused by the zone rule",
        ZonePlacementMetrics.get().movesRefused() > refused0);
  }

  @Test
  public void stockDefaultPolicyLetsTheMoverCollapseBlocksIntoOneZone() throws Exception {
    Outcome o = runExperiment(BlockPlacementPolicyDefault.class.getName(), "mover-default");
    assertTrue("stock Mover run should put blocks in one zone: " + o.singleZoneAfter + " of "
        + o.blocks, o.singleZoneAfter > o.singleZoneBefore);
  }

  private static Outcome runExperiment(String policy, String dir) throws Exception {
    Configuration conf = MiniZonedCluster.conf(policy);
    conf.setLong(DFSConfigKeys.DFS_MOVER_MOVEDWINWIDTH_KEY, 2000L);
    conf.setInt(DFSConfigKeys.DFS_MOVER_RETRY_MAX_ATTEMPTS_KEY, 2);
    conf.setInt(DFSConfigKeys.DFS_MOVER_MAX_NO_MOVE_INTERVAL_KEY, 5000);
    File base = new File(System.getProperty("test.build.data", "target/test-data"), dir);
    FileUtil.fullyDelete(base);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base)
        .numDataNodes(RACKS.length).racks(RACKS)
        .storagesPerDatanode(1).storageTypes(TYPES)
        .build();
    try {
      cluster.waitActive();
      Outcome o = new Outcome();
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < FILES; i++) {
        Path p = new Path("/cold/f" + i);
        DFSTestUtil.createFile(cluster.getFileSystem(), p, 2L * MiniZonedCluster.BLOCK_SIZE,
            (short) 2, i);
        files.add(p);
      }
      o.singleZoneBefore = count(cluster, files, false);
      cluster.getFileSystem().setStoragePolicy(new Path("/cold"),
          HdfsConstants.COLD_STORAGE_POLICY_NAME);

      o.moverExit = ToolRunner.run(conf, new Mover.Cli(), new String[] {"-p", "/cold"});
      // Wait for the NameNode to drop the moved replicas' sources (excess deletion). A
      // generous deadline: 10 s was too short once in CI on a busy machine (3 blocks still
      // had their third replica: 27 ARCHIVE replicas counted for 24 blocks).
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
      while (!settled(cluster, files) && System.nanoTime() < deadline) {
        cluster.triggerHeartbeats();
        Thread.sleep(200);
      }
      o.singleZoneAfter = count(cluster, files, false);
      o.archiveReplicas = count(cluster, files, true);
      for (Path p : files) {
        o.blocks += blocks(cluster, p).size();
      }
      System.out.println(policy + ": Mover exit " + o.moverExit + "; of " + o.blocks
          + " blocks, one zone before " + o.singleZoneBefore + ", after "
          + o.singleZoneAfter + "; ARCHIVE replicas " + o.archiveReplicas);
      return o;
    } finally {
      cluster.shutdown(true);
    }
  }

  private static List<LocatedBlock> blocks(MiniDFSCluster cluster, Path p) throws Exception {
    return cluster.getFileSystem().getClient()
        .getLocatedBlocks(p.toUri().getPath(), 0, Long.MAX_VALUE).getLocatedBlocks();
  }

  /** Every block back to exactly two replicas. */
  private static boolean settled(MiniDFSCluster cluster, List<Path> files) throws Exception {
    for (Path p : files) {
      for (LocatedBlock b : blocks(cluster, p)) {
        if (b.getLocations().length != 2) {
          return false;
        }
      }
    }
    return true;
  }

  /** Blocks in a single zone, or (archive) replicas on ARCHIVE storage. */
  private static int count(MiniDFSCluster cluster, List<Path> files, boolean archive)
      throws Exception {
    int n = 0;
    for (Path p : files) {
      for (LocatedBlock b : blocks(cluster, p)) {
        if (archive) {
          for (StorageType t : b.getStorageTypes()) {
            n += t == StorageType.ARCHIVE ? 1 : 0;
          }
        } else if (MiniZonedCluster.zones(b).size() == 1) {
          n++;
        }
      }
    }
    return n;
  }
}
