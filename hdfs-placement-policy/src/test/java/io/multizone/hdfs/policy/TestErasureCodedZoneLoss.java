package io.multizone.hdfs.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.multizone.hdfs.demo.MiniZonedCluster;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerant;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerantWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.io.IOUtils;
import org.junit.Test;

/**
 * RS-6-3 files on a real 12-DataNode, 3-zone cluster lose a whole zone: with the zone-aware
 * EC policy every file reads back (decoded) byte-for-byte; with the stock RackFaultTolerant
 * policy the same experiment loses the files that had 4 internal blocks in that zone.
 */
public class TestErasureCodedZoneLoss {

  private static final String EC_POLICY = "RS-6-3-1024k";
  private static final int CELL = 1024 * 1024;
  private static final String[] RACKS = MiniZonedCluster.REFERENCE_RACKS;
  private static final File BASE =
      new File(System.getProperty("test.build.data", "target/test-data"), "ec-zone-loss");

  @Test
  public void zoneAwareEcPolicySurvivesAZoneLoss() throws Exception {
    int[] lostAndUnreadable = run(BlockPlacementPolicyRackFaultTolerantWithZones.CLASS_NAME,
        new File(BASE, "ours"));
    assertEquals("groups with more than 3 internal blocks in one zone", 0,
        lostAndUnreadable[0]);
    assertEquals("unreadable files", 0, lostAndUnreadable[1]);
  }

  @Test
  public void stockRackFaultTolerantLosesFilesInTheSameExperiment() throws Exception {
    int[] lostAndUnreadable = run(BlockPlacementPolicyRackFaultTolerant.class.getName(),
        new File(BASE, "stock"));
    assertTrue("stock policy crowded some group", lostAndUnreadable[0] > 0);
    assertEquals("exactly the crowded groups are lost", lostAndUnreadable[0],
        lostAndUnreadable[1]);
  }

  /** Returns {groups crowded in the lost zone, files unreadable after losing it}. */
  private static int[] run(String ecPlacement, File base) throws Exception {
    Configuration conf = MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME);
    conf.set(DFSConfigKeys.DFS_BLOCK_PLACEMENT_EC_CLASSNAME_KEY, ecPlacement);
    conf.setLong(DFSConfigKeys.DFS_BLOCK_SIZE_KEY, CELL);
    try (MiniZonedCluster c = MiniZonedCluster.start(conf, base, RACKS)) {
      c.fs.enableErasureCodingPolicy(EC_POLICY);
      Path dir = new Path("/ec");
      c.fs.mkdirs(dir);
      c.fs.setErasureCodingPolicy(dir, EC_POLICY);
      Random random = new Random(17);
      List<Path> files = new ArrayList<>();
      List<byte[]> contents = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        byte[] data = new byte[6 * CELL];
        random.nextBytes(data);
        Path p = new Path(dir, "f" + i);
        try (FSDataOutputStream out = c.fs.create(p)) {
          out.write(data);
        }
        files.add(p);
        contents.add(data);
      }
      // Per zone: how many groups hold more than 3 (the parity count) internal blocks there.
      Map<String, Integer> crowded = new HashMap<>();
      for (Path p : files) {
        for (LocatedBlock group : c.blocks(p)) {
          Map<String, Integer> perZone = new HashMap<>();
          for (DatanodeInfo d : group.getLocations()) {
            perZone.merge(MiniZonedCluster.zoneOf(d.getNetworkLocation()), 1, Integer::sum);
          }
          perZone.forEach((zone, n) -> {
            if (n > 3) {
              crowded.merge(zone, 1, Integer::sum);
            }
          });
        }
      }
      String victim = "/zone-a";
      int worst = 0;
      for (Map.Entry<String, Integer> e : crowded.entrySet()) {
        if (e.getValue() > worst) {
          worst = e.getValue();
          victim = e.getKey();
        }
      }
      c.loseZone(victim);
      int unreadable = 0;
      for (int i = 0; i < files.size(); i++) {
        if (!readsBack(c, files.get(i), contents.get(i))) {
          unreadable++;
        }
      }
      return new int[] {worst, unreadable};
    }
  }

  private static boolean readsBack(MiniZonedCluster c, Path p, byte[] expected) {
    byte[] actual = new byte[expected.length];
    try (FSDataInputStream in = c.fs.open(p)) {
      IOUtils.readFully(in, actual, 0, actual.length);
      return Arrays.equals(expected, actual);
    } catch (IOException | RuntimeException e) {
      // Hadoop 3.5.0's striped reader throws a NullPointerException, not an IOException,
      // when a group cannot be decoded: either way the file is unreadable.
      return false;
    }
  }
}
