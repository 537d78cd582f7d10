package io.multizone.hdfs.policy;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.multizone.hdfs.demo.MiniZonedCluster;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeManager;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.tools.DFSck;
import org.apache.hadoop.test.GenericTestUtils;
import org.apache.hadoop.util.ToolRunner;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The zone rule holds through fsck repair and decommission on one real 12-DataNode cluster
 * shared by the class.
 */
public class TestZoneRuleThroughOperations {

  private static final String[] RACKS = MiniZonedCluster.REFERENCE_RACKS;
  private static MiniZonedCluster c;

  @BeforeClass
  public static void start() throws Exception {
    c = MiniZonedCluster.start(MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME),
        new File(System.getProperty("test.build.data", "target/test-data"), "operations"),
        RACKS);
  }

  @AfterClass
  public static void stop() {
    if (c != null) {
      c.close();
    }
  }

  @Test
  public void fsckReportsASingleZoneBlockAndReplicateSpreadsIt() throws Exception {
    // Favored nodes force all three replicas into zone-a, as a write during an outage would.
    List<DataNode> zoneA = c.dataNodesIn("/zone-a");
    InetSocketAddress[] favored = new InetSocketAddress[3];
    for (int i = 0; i < 3; i++) {
      favored[i] = zoneA.get(i).getXferAddress();
    }
    byte[] data = new byte[MiniZonedCluster.BLOCK_SIZE / 2];
    new Random(3).nextBytes(data);
    // Favored nodes are hints: the NameNode may pass one over (e.g. a DataNode whose first
    // storage report is still in flight). And the NameNode checks a block's placement when its
    // file is closed: its redundancy monitor may already have added a replica in another zone
    // by the time fsck runs (seen once in CI: fsck listed 4 replicas, "OK"). Write until fsck
    // sees a block in zone-a alone.
    Path file = null;
    String report = null;
    for (int attempt = 0; attempt < 5 && file == null; attempt++) {
      Path p = new Path("/fsck/one-zone-" + attempt);
      try (FSDataOutputStream out = c.fs.create(p, FsPermission.getFileDefault(), true,
          4096, (short) 3, MiniZonedCluster.BLOCK_SIZE, null, favored)) {
        out.write(data);
      }
      if (MiniZonedCluster.zones(c.blocks(p).get(0)).size() == 1) {
        report = fsck(p.toString(), "-files", "-blocks", "-locations");
        if (report.contains("Replica placement policy is violated")) {
          file = p;
          continue;
        }
      }
      c.fs.delete(p, false);
      c.cluster.triggerHeartbeats();
      Thread.sleep(500);
    }
    assertNotNull("fsck never saw a block in zone-a alone in 5 favored-node writes", file);
    System.out.println("favored-node write in one zone: " + file);
    final Path written = file;

    assertTrue(report, report.contains("1 more zone"));

    fsck("/fsck", "-replicate");
    GenericTestUtils.waitFor(() -> {
      try {
        LocatedBlock b = c.blocks(written).get(0);
        return MiniZonedCluster.zones(b).size() >= 2 && b.getLocations().length == 3;
      } catch (Exception e) {
        return false;
      }
    }, 200, 30_000);
    String after = fsck("/fsck", "-files", "-blocks");
    assertTrue(after, !after.contains("Replica placement policy is violated"));
    byte[] back = new byte[data.length];
    try (FSDataInputStream in = c.fs.open(file)) {
      in.readFully(0, back);
    }
    assertArrayEquals("bytes read back after the repair", data, back);
  }

  @Test
  public void decommissionKeepsEveryBlockInTwoZones() throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Path p = new Path("/decommission/f" + i);
      DFSTestUtil.createFile(c.fs, p, 2L * MiniZonedCluster.BLOCK_SIZE + 100, (short) 3, i);
      files.add(p);
    }
    DataNode victim = c.dataNodesIn("/zone-b").get(0);
    DatanodeManager dm = c.cluster.getNamesystem().getBlockManager().getDatanodeManager();
    DatanodeDescriptor dd = dm.getDatanode(victim.getDatanodeId());
    c.cluster.getNamesystem().writeLock();
    try {
      dm.getDatanodeAdminManager().startDecommission(dd);
    } finally {
      c.cluster.getNamesystem().writeUnlock();
    }
    GenericTestUtils.waitFor(dd::isDecommissioned, 200, 60_000);
    for (Path p : files) {
      for (LocatedBlock b : c.blocks(p)) {
        List<String> zones = new ArrayList<>();
        int live = 0;
        for (DatanodeInfo d : b.getLocations()) {
          if (!d.isDecommissioned() && !d.isDecommissionInProgress()) {
            live++;
            String z = MiniZonedCluster.zoneOf(d.getNetworkLocation());
            if (!zones.contains(z)) {
              zones.add(z);
            }
          }
        }
        assertEquals(p + " " + b, 3, live);
        assertTrue(p + " spans " + zones, zones.size() >= 2);
      }
    }
  }

  private static String fsck(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, "UTF-8");
    ToolRunner.run(new DFSck(c.cluster.getConfiguration(0), out), args);
    return bytes.toString("UTF-8");
  }
}
