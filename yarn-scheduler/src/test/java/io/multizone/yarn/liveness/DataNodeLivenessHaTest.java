package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSNNTopology;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.server.namenode.ha.HATestUtil;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The tracker follows an HA nameservice through the ordinary HDFS client failover
 * configuration: the key names the logical URI, the first NameNode dies, the second becomes
 * active, and a stopped DataNode is still reported lost within the configured delay.
 */
public class DataNodeLivenessHaTest {
  private static final long LOST_AFTER_MS = 3000;
  private static final long POLL_MS = 200;
  private MiniDFSCluster cluster;
  private DfsDataNodeReportSource source;
  private File baseDir;

  @Before
  public void startCluster() throws Exception {
    baseDir = new File("target/minidfs-liveness-ha").getAbsoluteFile();
    FileUtil.fullyDelete(baseDir);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getPath());
    conf.setLong(DFSConfigKeys.DFS_HEARTBEAT_INTERVAL_KEY, 1);
    cluster = new MiniDFSCluster.Builder(conf)
        .nnTopology(MiniDFSNNTopology.simpleHATopology())
        .numDataNodes(2)
        .build();
    cluster.waitActive();
    cluster.transitionToActive(0);

    Configuration rmConf = new Configuration(false);
    HATestUtil.setFailoverConfigurations(cluster, rmConf);
    String logical = HATestUtil.getLogicalUri(cluster).toString();
    rmConf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, logical);
    rmConf.setLong(ZonePlacementYarnConfig.DATANODE_LOST_AFTER_MS, LOST_AFTER_MS);
    source = new DfsDataNodeReportSource();
    source.init(rmConf, new ZonePlacementYarnConfig(rmConf));
    assertEquals(logical, source.describe());
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
  public void followsTheNameserviceAcrossAFailover() throws Exception {
    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(LOST_AFTER_MS);
    assertEquals(2, source.report().size());

    // The first NameNode's machine is gone; the second takes over.
    cluster.shutdownNameNode(0);
    cluster.transitionToActive(1);
    assertTrue(tracker.update(source.report(), System.currentTimeMillis()).isEmpty());
    assertTrue(tracker.snapshot().lostIds().isEmpty());

    DataNode victim = cluster.getDataNodes().get(1);
    String id = victim.getDatanodeId().getIpAddr() + ":" + victim.getXferPort();
    DataNode survivor = cluster.getDataNodes().get(0);
    String other = survivor.getDatanodeId().getIpAddr() + ":" + survivor.getXferPort();
    cluster.stopDataNode(1);
    long stopped = System.currentTimeMillis();
    long detectedAt = -1;
    while (detectedAt < 0 && System.currentTimeMillis() - stopped < LOST_AFTER_MS + 10_000) {
      for (DataNodeLivenessTracker.Transition t
          : tracker.update(source.report(), System.currentTimeMillis())) {
        assertTrue("only a loss expected: " + t, t.isLost());
        assertEquals(id, t.getDataNode().getId());
        detectedAt = System.currentTimeMillis();
      }
      Thread.sleep(POLL_MS);
    }
    if (detectedAt < 0) {
      fail("stopped DataNode " + id + " never reported lost through the standby-turned-active");
    }
    long delay = detectedAt - stopped;
    assertTrue("detected after " + delay + " ms", delay <= LOST_AFTER_MS + POLL_MS + 2000);
    assertTrue(tracker.snapshot().isHostLost(id));
    assertFalse(tracker.snapshot().isHostLost(other));
  }
}
