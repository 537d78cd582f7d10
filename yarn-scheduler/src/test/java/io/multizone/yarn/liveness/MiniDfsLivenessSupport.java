package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.junit.After;

/**
 * MiniDFSClusters with 1 s heartbeats, DataNode report sources (RPC or JMX) following them as
 * the ResourceManager would, and the waits for a stopped DataNode to be reported lost and a
 * restarted one back. Subclasses own the cluster (shared per class where the test allows);
 * sources opened here are closed after each test.
 */
abstract class MiniDfsLivenessSupport {
  static final long LOST_AFTER_MS = 3000;
  static final long POLL_MS = 200;
  private final List<DataNodeReportSource> opened = new ArrayList<>();

  /** A fresh (emptied) base directory under target/. */
  static File freshBaseDir(String name) {
    File baseDir = new File("target/" + name).getAbsoluteFile();
    FileUtil.fullyDelete(baseDir);
    return baseDir;
  }

  /** A cluster configuration on {@code baseDir} with 1 s DataNode heartbeats. */
  static Configuration clusterConf(File baseDir) {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getPath());
    conf.setLong(DFSConfigKeys.DFS_HEARTBEAT_INTERVAL_KEY, 1);
    return conf;
  }

  /** Shuts the cluster down (if started) and deletes its base directory. */
  static void shutdown(MiniDFSCluster cluster, File baseDir) {
    if (cluster != null) {
      cluster.shutdown();
    }
    if (baseDir != null) {
      FileUtil.fullyDelete(baseDir);
    }
  }

  /**
   * Opens a report source of {@code type} on {@code uri} with the RM-side configuration
   * {@code rmConf}, as {@code LostDataNodeRequeuePolicy} does, in the caller's UGI.
   */
  <T extends DataNodeReportSource> T follow(Class<T> type, Configuration rmConf, String uri)
      throws Exception {
    rmConf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, uri);
    rmConf.setLong(ZonePlacementYarnConfig.DATANODE_LOST_AFTER_MS, LOST_AFTER_MS);
    T source = type.getConstructor().newInstance();
    opened.add(source);
    source.init(rmConf, new ZonePlacementYarnConfig(rmConf));
    return source;
  }

  @After
  public void closeSources() throws Exception {
    for (DataNodeReportSource s : opened) {
      s.close();
    }
    opened.clear();
  }

  static String idOf(DataNode dn) {
    return dn.getDatanodeId().getIpAddr() + ":" + dn.getXferPort();
  }

  /**
   * Polls until {@code source} reports {@code count} DataNodes, none lost (a DataNode a
   * previous test restarted may still be registering), and returns that report.
   */
  static List<DataNodeStatus> awaitAllLive(DataNodeReportSource source, int count)
      throws Exception {
    DataNodeLivenessTracker probe = new DataNodeLivenessTracker(LOST_AFTER_MS);
    long start = System.currentTimeMillis();
    while (System.currentTimeMillis() - start < 30_000) {
      List<DataNodeStatus> report = source.report();
      probe.update(report, System.currentTimeMillis());
      if (report.size() == count && probe.snapshot().lostIds().isEmpty()) {
        return report;
      }
      Thread.sleep(POLL_MS);
    }
    fail(source.describe() + " never reported " + count + " live DataNodes, lost: "
        + probe.snapshot().lostIds());
    return null;
  }

  /**
   * Polls {@code source} every {@link #POLL_MS} until {@code id} (stopped at
   * {@code stoppedAt}) is reported lost, asserting that it is the only transition, and returns
   * the delay. Lost after {@link #LOST_AFTER_MS} without contact, noticed on the next poll;
   * 1 s more for the JMX bean's whole-second {@code lastContact}, and 2 s of slack for a
   * loaded 2-core CI machine (a late heartbeat only makes detection earlier).
   */
  static long awaitLoss(DataNodeReportSource source, DataNodeLivenessTracker tracker, String id,
      long stoppedAt) throws Exception {
    while (System.currentTimeMillis() - stoppedAt < LOST_AFTER_MS + 10_000) {
      for (DataNodeLivenessTracker.Transition t
          : tracker.update(source.report(), System.currentTimeMillis())) {
        assertTrue("only a loss expected: " + t, t.isLost());
        assertEquals(id, t.getDataNode().getId());
        long delay = System.currentTimeMillis() - stoppedAt;
        assertTrue("detected after " + delay + " ms",
            delay <= LOST_AFTER_MS + POLL_MS + 1000 + 2000);
        assertTrue("not before the threshold: " + delay, delay >= LOST_AFTER_MS - 1000);
        assertTrue(tracker.snapshot().isHostLost(id));
        return delay;
      }
      Thread.sleep(POLL_MS);
    }
    fail("stopped DataNode " + id + " never reported lost by " + source.describe());
    return -1;
  }

  /** Polls {@code source} until the restarted DataNode {@code id} is reported back. */
  static void awaitBack(DataNodeReportSource source, DataNodeLivenessTracker tracker, String id)
      throws Exception {
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
    assertTrue("restarted DataNode " + id + " never reported back by " + source.describe(),
        back);
    assertFalse(tracker.snapshot().isHostLost(id));
  }
}
