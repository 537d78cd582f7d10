package org.apache.hadoop.hdfs.server.balancer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import io.multizone.hdfs.demo.MiniZonedCluster;
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
import org.apache.hadoop.hdfs.server.namenode.FSNamesystem;
import org.apache.hadoop.test.GenericTestUtils;
import org.junit.Test;

/**
 * A real Balancer run, in process, with the zone-aware policy on a cluster skewed across
 * zones: zone-a has one DataNode and zone-b two, every block has a replica on each of the
 * three (about 60 % full); zone-c joins with two empty DataNodes. Draining zone-a's node means
 * moving its replica into zone-c, after which the NameNode must delete the Balancer's source
 * (the delete hint), not a zone-b replica.
 *
 * <p>Control, checked once: with the policy of main 7a4c48b (hint refused when it is the last
 * replica of its zone, a zone-b replica deleted instead) the zone-a node never drained and the
 * Balancer gave up with NO_MOVE_PROGRESS ("balancer exit expected:&lt;0&gt; but was:&lt;-3&gt;",
 * the oracle then); a node that never drains also fails the threshold assertions now made
 * on the outcome.
 */
public class TestBalancerKeepsZones {

  private static final long CAPACITY = 6L * 1024 * 1024;
  private static final double THRESHOLD = BalancerParameters.DEFAULT.getThreshold();
  /**
   * One block's share of a node's capacity, in percentage points (64 KB of 6 MB: 1.04): the
   * Balancer moves whole blocks, so a node may stay over the threshold by less than one.
   */
  private static final double ONE_BLOCK = 100.0 * MiniZonedCluster.BLOCK_SIZE / CAPACITY;

  // A hang guard, not a timing assertion: a Balancer that never converges (the delete-hint bug
  // fixed on 2026-12-01 made it move the same bytes forever) fails here instead of stalling CI.
  @Test(timeout = 900_000)
  public void balancerDrainsTheOnlyNodeOfAZoneAndKeepsEveryBlockInTwoZones() throws Exception {
    Configuration conf = MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME);
    SimulatedFSDataset.setFactory(conf);
    conf.setLong(DFSConfigKeys.DFS_BALANCER_MOVEDWINWIDTH_KEY, 2000L);
    conf.setLong(DFSConfigKeys.DFS_BALANCER_GETBLOCKS_MIN_BLOCK_SIZE_KEY, 1L);
    conf.setInt(DFSConfigKeys.DFS_BALANCER_MAX_NO_MOVE_INTERVAL_KEY, 5000);
    String[] first = {"/zone-a/rack-1", "/zone-b/rack-1", "/zone-b/rack-2"};
    String[] joining = {"/zone-c/rack-1", "/zone-c/rack-2"};
    File base = new File(System.getProperty("test.build.data", "target/test-data"), "balancer");
    try (MiniZonedCluster c = MiniZonedCluster.start(conf, base, first,
        capacities(first.length))) {
      List<Path> files = new ArrayList<>();
      long perFile = 4L * MiniZonedCluster.BLOCK_SIZE;
      for (int i = 0; i * perFile < (long) (0.6 * CAPACITY); i++) {
        Path p = new Path("/balance/f" + i);
        DFSTestUtil.createFile(c.fs, p, perFile, (short) 3, i);
        files.add(p);
      }
      c.cluster.startDataNodes(conf, joining.length, true, null, joining, null,
          capacities(joining.length));
      c.cluster.waitActive();
      c.cluster.triggerHeartbeats();

      Collection<URI> namenodes = DFSUtil.getInternalNsRpcUris(conf);
      // The Balancer stops with SUCCESS, or with NO_MOVE_PROGRESS when the last node above
      // the threshold is over by less than a block it may move (64 KB blocks here; which node
      // that is depends on the Balancer's random choices: seen in 1 of 3 runs). Either way the
      // outcome is asserted below: every node, the drained zone-a node named on its own,
      // within the threshold of the average give or take one block. (Zone-a was once that
      // last node, 10.4 points over: a fresh-clone CI run of 2026-12-02 18:24 failed the
      // strict check then. The control's zone-a node never drained: about 60 % full against
      // an average near 36 % by the setup's arithmetic, far outside either way.) Any other
      // exit fails at once.
      int exit = Balancer.run(namenodes, BalancerParameters.DEFAULT, conf);
      assertTrue("balancer exit " + exit, exit == ExitStatus.SUCCESS.getExitCode()
          || exit == ExitStatus.NO_MOVE_PROGRESS.getExitCode());
      awaitDeletions(c);

      // The DataNodes delete excess replicas asynchronously: wait (generously) for the
      // report to settle, then assert on the last report seen.
      try {
        GenericTestUtils.waitFor(() -> withinThreshold(c) == null, 200, 60_000);
      } catch (TimeoutException e) {
        // asserted below with the figures
      }
      String outlier = withinThreshold(c);
      assertTrue("a node outside the threshold of the average: " + outlier, outlier == null);
      assertTrue("the zone-a node drained to within the threshold: " + zoneADrained(c),
          zoneADrained(c).startsWith("ok"));
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          assertTrue(p + " " + MiniZonedCluster.zones(b),
              MiniZonedCluster.zones(b).size() >= 2);
          assertEquals(p + " " + b.getLocations().length, 3, b.getLocations().length);
        }
      }
    }
  }

  /** "ok ..." when zone-a's DataNode is within the threshold (+ a block) of the average. */
  private static String zoneADrained(MiniZonedCluster c) throws IOException {
    DatanodeInfo[] report = c.fs.getClient().datanodeReport(DatanodeReportType.LIVE);
    double average = averageUsedPercent(report);
    for (DatanodeInfo d : report) {
      if (d.getNetworkLocation().startsWith("/zone-a/")) {
        boolean ok = Math.abs(d.getDfsUsedPercent() - average) <= THRESHOLD + ONE_BLOCK;
        return String.format(Locale.ROOT, "%s %.1f%% against an average of %.1f%%",
            ok ? "ok" : "outside", d.getDfsUsedPercent(), average);
      }
    }
    return "no zone-a node";
  }

  /** The cluster's used share of its capacity, in percent, as the Balancer computes it. */
  private static double averageUsedPercent(DatanodeInfo[] report) {
    long used = 0;
    long capacity = 0;
    for (DatanodeInfo d : report) {
      used += d.getDfsUsed();
      capacity += d.getCapacity();
    }
    return 100.0 * used / capacity;
  }

  /** Waits (generous deadline) until the NameNode has no excess replica left to delete. */
  private static void awaitDeletions(MiniZonedCluster c) throws Exception {
    FSNamesystem ns = c.cluster.getNamesystem();
    GenericTestUtils.waitFor(() -> {
      try {
        c.cluster.triggerHeartbeats();
      } catch (IOException e) {
        return false;
      }
      return ns.getPendingDeletionBlocks() == 0 && ns.getExcessBlocks() == 0;
    }, 200, 120_000);
  }

  /** Null when every live DataNode is within the threshold (+ a block) of the average. */
  private static String withinThreshold(MiniZonedCluster c) {
    DatanodeInfo[] report;
    try {
      c.cluster.triggerHeartbeats();
      report = c.fs.getClient().datanodeReport(DatanodeReportType.LIVE);
    } catch (IOException e) {
      return e.toString();
    }
    double average = averageUsedPercent(report);
    StringBuilder spread = new StringBuilder();
    boolean ok = report.length == 5;
    for (DatanodeInfo d : report) {
      spread.append(String.format(Locale.ROOT, " %s=%.1f%%", d.getNetworkLocation(),
          d.getDfsUsedPercent()));
      ok &= Math.abs(d.getDfsUsedPercent() - average) <= THRESHOLD + ONE_BLOCK;
    }
    String figures = String.format(Locale.ROOT, "average %.1f%%,", average) + spread;
    System.out.println("after the Balancer: " + figures);
    return ok ? null : figures;
  }

  private static long[] capacities(int n) {
    long[] c = new long[n];
    java.util.Arrays.fill(c, CAPACITY);
    return c;
  }
}
