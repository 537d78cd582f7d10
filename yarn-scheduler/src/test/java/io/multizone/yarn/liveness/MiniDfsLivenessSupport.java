package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.junit.After;

/**
 * A MiniDFSCluster with 1 s heartbeats, a {@link DfsDataNodeReportSource} following it as
 * the ResourceManager would, and the wait for a stopped DataNode to be reported lost.
 */
abstract class MiniDfsLivenessSupport {
  static final long LOST_AFTER_MS = 3000;
  static final long POLL_MS = 200;
  MiniDFSCluster cluster;
  DfsDataNodeReportSource source;
  private File baseDir;

  /** A fresh base directory and a configuration with 1 s DataNode heartbeats. */
  Configuration clusterConf(String name) {
    baseDir = new File("target/" + name).getAbsoluteFile();
    FileUtil.fullyDelete(baseDir);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getPath());
    conf.setLong(DFSConfigKeys.DFS_HEARTBEAT_INTERVAL_KEY, 1);
    return conf;
  }

  File baseDir() {
    return baseDir;
  }

  /** Opens the report source on {@code uri} with the RM-side configuration {@code rmConf}. */
  void follow(Configuration rmConf, String uri) throws Exception {
    rmConf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, uri);
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
    if (baseDir != null) {
      FileUtil.fullyDelete(baseDir);
    }
  }

  static String idOf(DataNode dn) {
    return dn.getDatanodeId().getIpAddr() + ":" + dn.getXferPort();
  }

  /**
   * Polls the report every {@link #POLL_MS} until {@code id} (stopped at {@code stoppedAt})
   * is reported lost, asserting that it is the only transition, and returns the delay.
   * Lost after {@link #LOST_AFTER_MS} without contact, noticed on the next poll; 2 s of slack
   * for a loaded 2-core CI machine (a late heartbeat only makes detection earlier).
   */
  long awaitLoss(DataNodeLivenessTracker tracker, String id, long stoppedAt) throws Exception {
    while (System.currentTimeMillis() - stoppedAt < LOST_AFTER_MS + 10_000) {
      for (DataNodeLivenessTracker.Transition t
          : tracker.update(source.report(), System.currentTimeMillis())) {
        assertTrue("only a loss expected: " + t, t.isLost());
        assertEquals(id, t.getDataNode().getId());
        long delay = System.currentTimeMillis() - stoppedAt;
        assertTrue("detected after " + delay + " ms", delay <= LOST_AFTER_MS + POLL_MS + 2000);
        assertTrue("not before the threshold: " + delay, delay >= LOST_AFTER_MS - 1000);
        assertTrue(tracker.snapshot().isHostLost(id));
        return delay;
      }
      Thread.sleep(POLL_MS);
    }
    fail("stopped DataNode " + id + " never reported lost");
    return -1;
  }
}
