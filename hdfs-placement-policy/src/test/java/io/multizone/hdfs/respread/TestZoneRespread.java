package io.multizone.hdfs.respread;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.demo.MiniZonedCluster;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.test.GenericTestUtils;
import org.apache.hadoop.util.ExitUtil;
import org.junit.Test;

/**
 * Automatic re-spread on a real MiniDFSCluster (3 zones x 2 racks x 1 DataNode, our policy,
 * the plugin in {@code dfs.namenode.plugins}): zones go down, files are written, the zones
 * come back, and every block must span at least two zones again with no fsck and no restart.
 *
 * <p>Control, checked once (2026-11-30) by running
 * {@code -Dtest=TestZoneRespread#blocksWrittenInOneZoneAreSpreadWhenTheZonesReturn
 * -Drespread.control=true}, which sets {@code respread.enabled=false}: the wait failed after
 * 90 s with "15 block(s) not in >= 2 zones with full replication", all 15 blocks of the
 * replication-2 files still x2 in /zone-a alone, because the NameNode does not rescan on its
 * own. The 6 replication-3 blocks (under-replicated while only two DataNodes were alive, so
 * queued by Hadoop itself) were spread in both runs. With the plugin the same test passes.
 */
public class TestZoneRespread {

  private static final File BASE =
      new File(System.getProperty("test.build.data", "target/test-data"), "zone-respread");

  /** 3 zones x 2 racks x 1 DataNode. */
  private static final String[] RACKS = {
      "/zone-a/rack-1", "/zone-a/rack-2", "/zone-b/rack-1", "/zone-b/rack-2",
      "/zone-c/rack-1", "/zone-c/rack-2"};

  private static final boolean CONTROL = Boolean.getBoolean("respread.control");

  @Test
  public void blocksWrittenInOneZoneAreSpreadWhenTheZonesReturn() throws Exception {
    FileUtil.fullyDelete(new File(BASE, "one-zone"));
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    try (MiniZonedCluster c = start("one-zone", !CONTROL)) {
      List<MiniDFSCluster.DataNodeProperties> down = new ArrayList<>(c.stopZone("/zone-b"));
      down.addAll(c.stopZone("/zone-c"));

      // Only zone-a (2 DataNodes) is left. Replication 2: complete and, with one zone
      // alive, not mis-placed then, so nothing queues them later. Replication 3:
      // under-replicated, queued by Hadoop itself (must stay queued: nothing clears it).
      List<Path> files = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      c.write("/outage/r2", 8, (short) 2, files, data);
      c.write("/outage/r3", 3, (short) 3, files, data);
      int blocks = 0;
      int r2Blocks = 0;
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          blocks++;
          r2Blocks += p.toString().contains("/r2/") ? 1 : 0;
          assertEquals(p + " written in zone-a alone", 1, MiniZonedCluster.zones(b).size());
        }
      }
      long scans0 = m.respreadScansCompleted();
      long queued0 = m.respreadBlocksQueued();

      long t0 = System.nanoTime();
      c.restoreZone(down);
      awaitSpread(c, files, 90_000);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("Every block of %d in >= 2 zones %.1f s after the first DataNode"
          + " restart (%d queued by the re-spread)%n", blocks, seconds,
          m.respreadBlocksQueued() - queued0);
      // A rescan cut short by the next returning zone runs again after the settle time; the
      // blocks it had queued may be spread before that second run ends.
      GenericTestUtils.waitFor(() -> m.respreadScansCompleted() > scans0, 100, 60_000);
      assertTrue("the replication-2 blocks were queued by the re-spread",
          m.respreadBlocksQueued() - queued0 >= r2Blocks);
      c.assertReadBack(files, data);
    }
  }

  @Test
  public void blocksWrittenWithOneZoneDownSpanTheOtherTwoAndNeedNoRepair() throws Exception {
    FileUtil.fullyDelete(new File(BASE, "two-zones"));
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    try (MiniZonedCluster c = start("two-zones", true)) {
      List<MiniDFSCluster.DataNodeProperties> down = c.stopZone("/zone-c");
      List<Path> files = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      c.write("/outage", 6, (short) 3, files, data);
      for (Path p : files) {
        for (LocatedBlock b : c.blocks(p)) {
          assertEquals(p + " spans zones a and b while zone-c is down",
              new TreeSet<>(java.util.Arrays.asList("/zone-a", "/zone-b")),
              MiniZonedCluster.zones(b));
        }
      }
      long scans0 = m.respreadScansCompleted();
      long queued0 = m.respreadBlocksQueued();
      long checked0 = m.respreadBlocksChecked();
      c.restoreZone(down);
      // The returning zone triggers a rescan; it finds nothing to repair.
      GenericTestUtils.waitFor(() -> m.respreadScansCompleted() > scans0, 100, 60_000);
      assertEquals("nothing mis-placed", queued0, m.respreadBlocksQueued());
      assertTrue("every block checked", m.respreadBlocksChecked() - checked0 >= files.size());
      awaitSpread(c, files, 60_000);
      c.assertReadBack(files, data);
    }
  }

  @Test
  public void badValuesNameTheKey() {
    String[][] bad = {
        {ZonePlacementConfig.RESPREAD_ENABLED_KEY, "yes"},
        {ZonePlacementConfig.RESPREAD_POLL_INTERVAL_MS_KEY, "0"},
        {ZonePlacementConfig.RESPREAD_SETTLE_MS_KEY, "-1"},
        {ZonePlacementConfig.RESPREAD_BLOCKS_PER_CHUNK_KEY, "many"},
        {ZonePlacementConfig.RESPREAD_CHUNK_PAUSE_MS_KEY, "10ms"}};
    for (String[] kv : bad) {
      Configuration conf = new Configuration(false);
      conf.set(kv[0], kv[1]);
      try {
        new ZoneRespreadPlugin().setConf(conf);
        fail(kv[0] + "=" + kv[1] + " accepted");
      } catch (IllegalArgumentException e) {
        assertEquals("Invalid value for " + kv[0] + ": '" + kv[1] + "'",
            e.getMessage().substring(0, e.getMessage().indexOf(" (")));
      }
    }
  }

  @Test
  public void defaultsAreDocumentedValues() {
    ZonePlacementConfig c = ZonePlacementConfig.from(new Configuration(false));
    assertTrue(c.respreadEnabled());
    assertEquals(5_000L, c.respreadPollIntervalMs());
    assertEquals(30_000L, c.respreadSettleMs());
    assertEquals(5_000, c.respreadBlocksPerChunk());
    assertEquals(20L, c.respreadChunkPauseMs());
  }

  /**
   * A bad value stops the NameNode even when the plugin runs beside the stock policy:
   * Hadoop instantiates the plugins (and so validates) where a failure is fatal.
   */
  @Test
  public void badValueStopsTheNameNode() throws Exception {
    Configuration conf = new HdfsConfiguration();
    conf.set(DFSConfigKeys.DFS_NAMENODE_PLUGINS_KEY, ZoneRespreadPlugin.class.getName());
    conf.set(ZonePlacementConfig.RESPREAD_CHUNK_PAUSE_MS_KEY, "soon");
    ExitUtil.disableSystemExit();
    try (MiniDFSCluster c = new MiniDFSCluster.Builder(conf, new File(BASE, "bad"))
        .numDataNodes(0).build()) {
      fail("NameNode started with a bad " + ZonePlacementConfig.RESPREAD_CHUNK_PAUSE_MS_KEY);
    } catch (Exception e) {
      String message = causes(e);
      assertTrue(message, message.contains("Invalid value for "
          + ZonePlacementConfig.RESPREAD_CHUNK_PAUSE_MS_KEY + ": 'soon'"));
    }
  }

  private static String causes(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
    }
    return sb.toString();
  }

  private static MiniZonedCluster start(String dir, boolean enabled) throws Exception {
    Configuration conf = MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME);
    conf.set(DFSConfigKeys.DFS_NAMENODE_PLUGINS_KEY, ZoneRespreadPlugin.class.getName());
    conf.setBoolean(ZonePlacementConfig.RESPREAD_ENABLED_KEY, enabled);
    conf.setLong(ZonePlacementConfig.RESPREAD_POLL_INTERVAL_MS_KEY, 200);
    conf.setLong(ZonePlacementConfig.RESPREAD_SETTLE_MS_KEY, 1_000);
    // Small chunks, so that a scan of a few dozen blocks takes several lock holds.
    conf.setInt(ZonePlacementConfig.RESPREAD_BLOCKS_PER_CHUNK_KEY, 7);
    conf.setLong(ZonePlacementConfig.RESPREAD_CHUNK_PAUSE_MS_KEY, 5);
    return MiniZonedCluster.start(conf, new File(BASE, dir), RACKS);
  }

  /** Waits until every block has its full replication in at least two zones. */
  private static void awaitSpread(MiniZonedCluster c, List<Path> files, int timeoutMs)
      throws Exception {
    try {
      GenericTestUtils.waitFor(() -> {
        try {
          return badBlocks(c, files).isEmpty();
        } catch (Exception e) {
          return false;
        }
      }, 200, timeoutMs);
    } catch (java.util.concurrent.TimeoutException e) {
      Set<String> bad = badBlocks(c, files);
      throw new AssertionError(bad.size() + " block(s) not in >= 2 zones with full"
          + " replication after " + timeoutMs + " ms: " + bad, e);
    }
  }

  private static Set<String> badBlocks(MiniZonedCluster c, List<Path> files) throws Exception {
    Set<String> bad = new TreeSet<>();
    for (Path p : files) {
      short rep = c.fs.getFileStatus(p).getReplication();
      for (LocatedBlock b : c.blocks(p)) {
        Set<String> zones = MiniZonedCluster.zones(b);
        if (zones.size() < 2 || b.getLocations().length != rep) {
          bad.add(p + ":" + b.getBlock().getBlockId() + " " + zones + " x"
              + b.getLocations().length);
        }
      }
    }
    return bad;
  }

}
