package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.List;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The tracker against a real NameNode: stop a DataNode, it is reported lost within the
 * configured delay (well before the NameNode calls it dead); restart it, it is back.
 */
public class DataNodeLivenessMiniDfsTest {
  private static final long LOST_AFTER_MS = 3000;
  private static final long POLL_MS = 200;
  private MiniDFSCluster cluster;
  private DfsDataNodeReportSource source;
  private File baseDir;

  @Before
  public void startCluster() throws Exception {
    baseDir = new File("target/minidfs-liveness").getAbsoluteFile();
    FileUtil.fullyDelete(baseDir);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getPath());
    conf.setLong(DFSConfigKeys.DFS_HEARTBEAT_INTERVAL_KEY, 1);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(3).build();
    cluster.waitActive();
    Configuration rmConf = new Configuration(cluster.getConfiguration(0));
    rmConf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, cluster.getURI().toString());
    rmConf.setLong(ZonePlacementYarnConfig.DATANODE_LOST_AFTER_MS, LOST_AFTER_MS);
    source = new DfsDataNodeReportSource();
    source.init(rmConf, new ZonePlacementYarnConfig(rmConf));
  }

  @After
  public void stopCluster() throws Exception {
    if (source != null) {
      source.close();
    }
    if (cluster != null) {
      cluster.shutdown();
    }
    FileUtil.fullyDelete(baseDir);
  }

  @Test
  public void stoppedDataNodeIsLostWithinTheDelayAndBackAfterRestart() throws Exception {
    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(LOST_AFTER_MS);
    List<DataNodeStatus> first = source.report();
    assertEquals(3, first.size());
    assertTrue(tracker.update(first, System.currentTimeMillis()).isEmpty());
    assertTrue(tracker.snapshot().lostIds().isEmpty());

    DataNode victim = cluster.getDataNodes().get(1);
    String id = victim.getDatanodeId().getIpAddr() + ":" + victim.getXferPort();
    String other = cluster.getDataNodes().get(0).getDatanodeId().getIpAddr() + ":"
        + cluster.getDataNodes().get(0).getXferPort();
    MiniDFSCluster.DataNodeProperties props = cluster.stopDataNode(1);
    long stopped = System.currentTimeMillis();

    long detectedAt = -1;
    while (System.currentTimeMillis() - stopped < LOST_AFTER_MS + 10_000) {
      for (DataNodeLivenessTracker.Transition t
          : tracker.update(source.report(), System.currentTimeMillis())) {
        assertTrue("only losses expected: " + t, t.isLost());
        assertEquals(id, t.getDataNode().getId());
        detectedAt = System.currentTimeMillis();
      }
      if (detectedAt > 0) {
        break;
      }
      Thread.sleep(POLL_MS);
    }
    if (detectedAt < 0) {
      fail("stopped DataNode " + id + " never reported lost");
    }
    long delay = detectedAt - stopped;
    // Lost after LOST_AFTER_MS without contact, noticed on the next poll; 2 s of slack for a
    // loaded 2-core CI machine (a late heartbeat only makes detection earlier).
    assertTrue("detected after " + delay + " ms", delay <= LOST_AFTER_MS + POLL_MS + 2000);
    assertTrue("not before the threshold: " + delay, delay >= LOST_AFTER_MS - 1000);
    assertTrue(tracker.snapshot().isHostLost(id));
    assertFalse(tracker.snapshot().isHostLost(other));
    // All three DataNodes share one host here: the bare host is not lost while others live.
    assertFalse(tracker.snapshot().isHostLost(victim.getDatanodeId().getIpAddr()));

    assertTrue(cluster.restartDataNode(props, true));
    long restarted = System.currentTimeMillis();
    boolean back = false;
    while (!back && System.currentTimeMillis() - restarted < 30_000) {
      for (DataNodeLivenessTracker.Transition t
          : tracker.update(source.report(), System.currentTimeMillis())) {
        if (!t.isLost() && t.getDataNode().getId().equals(id)) {
          back = true;
        }
      }
      Thread.sleep(POLL_MS);
    }
    assertTrue("restarted DataNode " + id + " never reported back", back);
    assertFalse(tracker.snapshot().isHostLost(id));
  }

  private static String runHealthScript(File conf) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash",
        new File("src/main/sh/datanode-health-check.sh").getAbsolutePath(), conf.getPath());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(org.apache.commons.io.IOUtils.toByteArray(p.getInputStream()),
        java.nio.charset.StandardCharsets.UTF_8);
    assertEquals("exit status, output: " + out, 0, p.waitFor());
    return out;
  }

  @Test
  public void healthScriptReportsErrorOnlyForAStoppedDataNode() throws Exception {
    org.junit.Assume.assumeTrue(new File("/usr/bin/curl").canExecute()
        || new File("/bin/curl").canExecute());
    DataNode dn = cluster.getDataNodes().get(2);
    File conf = new File(baseDir, "health.conf");
    java.nio.file.Files.write(conf.toPath(), ("DATANODE_HTTP_ADDRESS=127.0.0.1:"
        + dn.getInfoPort() + "\nDATANODE_TIMEOUT_SECONDS=5\n")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String live = runHealthScript(conf);
    assertFalse("live DataNode reported: " + live, live.contains("ERROR"));
    cluster.stopDataNode(2);
    String down = runHealthScript(conf);
    assertTrue("stopped DataNode not reported: " + down, down.startsWith("ERROR DataNode at "));
  }
}
