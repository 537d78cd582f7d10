package org.apache.hadoop.hdfs.server.balancer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.multizone.hdfs.demo.MiniZonedCluster;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.DFSUtil;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.datanode.SimulatedFSDataset;
import org.junit.Test;

/**
 * A real Balancer run, in process, with the zone-aware policy on a skewed cluster: it moves
 * data onto new empty DataNodes and every block still spans two zones afterwards.
 */
public class TestBalancerKeepsZones {

  private static final long CAPACITY = 6L * 1024 * 1024;

  @Test
  public void balancerMovesDataAndKeepsEveryBlockInTwoZones() throws Exception {
    Configuration conf = MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME);
    SimulatedFSDataset.setFactory(conf);
    conf.setLong(DFSConfigKeys.DFS_BALANCER_MOVEDWINWIDTH_KEY, 2000L);
    conf.setLong(DFSConfigKeys.DFS_BALANCER_GETBLOCKS_MIN_BLOCK_SIZE_KEY, 1L);
    conf.setInt(DFSConfigKeys.DFS_BALANCER_MAX_NO_MOVE_INTERVAL_KEY, 5000);
    String[] full = {"/zone-a/rack-1", "/zone-a/rack-2", "/zone-b/rack-1", "/zone-b/rack-2",
        "/zone-c/rack-1", "/zone-c/rack-2"};
    File base = new File(System.getProperty("test.build.data", "target/test-data"), "balancer");
    long[] capacities = new long[full.length];
    java.util.Arrays.fill(capacities, CAPACITY);
    try (MiniZonedCluster c = startSimulated(conf, base, full, capacities)) {
      // Fill the six nodes to about 60%.
      List<Path> files = new ArrayList<>();
      long logical = (long) (0.6 * CAPACITY * full.length / 3);
      long perFile = 4L * MiniZonedCluster.BLOCK_SIZE;
      for (int i = 0; i * perFile < logical; i++) {
        Path p = new Path("/balance/f" + i);
        DFSTestUtil.createFile(c.fs, p, perFile, (short) 3, i);
        files.add(p);
      }
      // Six empty nodes, one per rack.
      c.cluster.startDataNodes(conf, full.length, true, null, full, null, capacities);
      c.cluster.waitActive();
      c.cluster.triggerHeartbeats();

      long refusedBefore = ZonePlacementMetrics.get().movesRefused();
      Collection<URI> namenodes = DFSUtil.getInternalNsRpcUris(conf);
      int exit = Balancer.run(namenodes, BalancerParameters.DEFAULT, conf);
      assertTrue("balancer exit " + exit, exit == ExitStatus.SUCCESS.getExitCode()
          || exit == ExitStatus.NO_MOVE_PROGRESS.getExitCode());

      long movedToNewNodes = 0;
      DatanodeInfo[] report = c.fs.getClient().datanodeReport(DatanodeReportType.LIVE);
      assertEquals(12, report.length);
      for (DatanodeInfo d : report) {
        if (d.getXferPort() > 0 && isNew(c, d)) {
          movedToNewNodes += d.getDfsUsed();
        }
      }
      assertTrue("the balancer moved data to the new nodes", movedToNewNodes > 0);
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          assertTrue(p + " " + MiniZonedCluster.zones(b),
              MiniZonedCluster.zones(b).size() >= 2);
        }
      }
      System.out.println("Balancer moved " + movedToNewNodes + " bytes to new nodes; moves"
          + " refused by the zone rule: "
          + (ZonePlacementMetrics.get().movesRefused() - refusedBefore));
    }
  }

  private static boolean isNew(MiniZonedCluster c, DatanodeInfo d) {
    // The first six DataNodes started are the full ones.
    for (int i = 0; i < 6; i++) {
      if (c.cluster.getDataNodes().get(i).getXferPort() == d.getXferPort()) {
        return false;
      }
    }
    return true;
  }

  private static MiniZonedCluster startSimulated(Configuration conf, File base, String[] racks,
      long[] capacities) throws Exception {
    return MiniZonedCluster.start(conf, base, racks, capacities);
  }
}
