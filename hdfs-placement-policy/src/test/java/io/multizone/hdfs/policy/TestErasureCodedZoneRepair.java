package io.multizone.hdfs.policy;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.multizone.hdfs.demo.MiniZonedCluster;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.protocol.LocatedStripedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerantWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.Topologies;
import org.apache.hadoop.hdfs.tools.DFSck;
import org.apache.hadoop.test.GenericTestUtils;
import org.apache.hadoop.util.ToolRunner;
import org.junit.Test;

/**
 * RS-6-3 groups written while zone-c is down land 5/4/0 (the best two zones allow). Once
 * zone-c is back, fsck reports them and {@code fsck -replicate} has the NameNode move one
 * internal block at a time into zone-c until every group is 3/3/3 again, with no duplicate
 * internal block left; every file reads back byte-for-byte. Real 18-DataNode cluster: 3 zones
 * x 2 racks x 3 hosts, so 12 DataNodes take a full group while zone-c is down.
 */
public class TestErasureCodedZoneRepair {

  private static final String EC_POLICY = "RS-6-3-1024k";
  private static final int CELL = 1024 * 1024;
  private static final int GROUP = 9;
  private static final int FILES = 4;
  private static final File BASE =
      new File(System.getProperty("test.build.data", "target/test-data"), "ec-zone-repair");

  @Test
  public void groupsWrittenDuringAZoneOutageAreReportedAndSpreadOnceItReturns()
      throws Exception {
    Configuration conf = MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME);
    conf.set(DFSConfigKeys.DFS_BLOCK_PLACEMENT_EC_CLASSNAME_KEY,
        BlockPlacementPolicyRackFaultTolerantWithZones.CLASS_NAME);
    conf.setLong(DFSConfigKeys.DFS_BLOCK_SIZE_KEY, CELL);
    try (MiniZonedCluster c = MiniZonedCluster.start(conf, BASE, Topologies.zoned(3, 2, 3))) {
      c.fs.enableErasureCodingPolicy(EC_POLICY);
      Path dir = new Path("/ec");
      c.fs.mkdirs(dir);
      c.fs.setErasureCodingPolicy(dir, EC_POLICY);

      List<MiniDFSCluster.DataNodeProperties> zoneC = c.stopZone("/zone-c");
      Random random = new Random(23);
      List<Path> files = new ArrayList<>();
      List<byte[]> contents = new ArrayList<>();
      for (int i = 0; i < FILES; i++) {
        byte[] data = new byte[6 * CELL];
        random.nextBytes(data);
        Path p = new Path(dir, "f" + i);
        try (FSDataOutputStream out = c.fs.create(p)) {
          out.write(data);
        }
        files.add(p);
        contents.add(data);
      }
      for (Path p : files) {
        for (LocatedBlock group : c.blocks(p)) {
          assertEquals(p + " " + perZone(group), GROUP, group.getLocations().length);
          assertTrue(p + " written into two zones: " + perZone(group), maxPerZone(group) > 3);
        }
      }
      // Two zones can take blocks: 5/4 is the best spread, not a violation yet.
      assertFalse(fsck(c, "/ec"), fsck(c, "/ec").contains("Block group has"));

      long restart = System.nanoTime();
      c.restoreZone(zoneC);
      String report = fsck(c, "/ec", "-files", "-blocks");
      assertTrue(report, report.contains("Replica placement policy is violated"));
      assertTrue(report, report.matches("(?s).*Block group has [45] of 9 internal blocks in"
          + " /zone-[ab].*at most 3 per zone.*/zone-c.*"));

      fsck(c, "/ec", "-replicate");
      long repair = System.nanoTime();
      try {
        GenericTestUtils.waitFor(() -> spreadEvenly(c, files), 500, 60_000);
      } catch (TimeoutException e) {
        throw new AssertionError("not spread in 60 s: " + spreads(c, files), e);
      }
      long done = System.nanoTime();
      System.out.printf("EC zone repair: %d groups spread 3/3/3 %.1f s after fsck -replicate"
          + " (%.1f s after zone-c restarted)%n", FILES, (done - repair) / 1e9,
          (done - restart) / 1e9);
      String after = fsck(c, "/ec");
      assertFalse(after, after.contains("Replica placement policy is violated"));
      for (int i = 0; i < files.size(); i++) {
        byte[] back = new byte[contents.get(i).length];
        try (FSDataInputStream in = c.fs.open(files.get(i))) {
          in.readFully(0, back);
        }
        assertArrayEquals(files.get(i) + " read back", contents.get(i), back);
      }
    }
  }

  /** Every group: 9 internal blocks of distinct indices, at most 3 per zone. */
  private static boolean spreadEvenly(MiniZonedCluster c, List<Path> files) {
    try {
      for (Path p : files) {
        for (LocatedBlock group : c.blocks(p)) {
          Set<Byte> indices = new HashSet<>();
          for (byte b : ((LocatedStripedBlock) group).getBlockIndices()) {
            indices.add(b);
          }
          if (group.getLocations().length != GROUP || indices.size() != GROUP
              || maxPerZone(group) > 3) {
            return false;
          }
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static String spreads(MiniZonedCluster c, List<Path> files) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Path p : files) {
      for (LocatedBlock group : c.blocks(p)) {
        sb.append(p).append(' ').append(perZone(group)).append(' ');
      }
    }
    return sb.toString();
  }

  private static Map<String, Integer> perZone(LocatedBlock group) {
    Map<String, Integer> out = new HashMap<>();
    for (DatanodeInfo d : group.getLocations()) {
      out.merge(MiniZonedCluster.zoneOf(d.getNetworkLocation()), 1, Integer::sum);
    }
    return out;
  }

  private static int maxPerZone(LocatedBlock group) {
    int max = 0;
    for (int n : perZone(group).values()) {
      max = Math.max(max, n);
    }
    return max;
  }

  private static String fsck(MiniZonedCluster c, String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, "UTF-8");
    ToolRunner.run(new DFSck(c.cluster.getConfiguration(0), out), args);
    return bytes.toString("UTF-8");
  }
}
