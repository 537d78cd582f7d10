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
   * Polls {@code source} every {@link #POLL_MS} until {@code id} (stopped just before) is
   * reported lost, asserting that it is the only transition, and returns the detection delay
   * the tracker computed from the NameNode's own contact times.
   *
   * <p>Asserts orderings and counts, never the machine's elapsed time: the loss comes in a
   * report in which the DataNode's last contact is more than {@link #LOST_AFTER_MS} older
   * than the freshest one, and every report before it that still had the DataNode under the
   * threshold produced no loss. (Timing the stop against the wall clock failed on a loaded
   * machine: {@code stopDataNode} can return seconds after the last heartbeat, so "detected
   * N ms after the stop" measured the machine, not the tracker.) Deadline 60 s: only a
   * DataNode never reported lost fails it.
   */
  static long awaitLoss(DataNodeReportSource source, DataNodeLivenessTracker tracker, String id)
      throws Exception {
    int reports = 0;
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      List<DataNodeStatus> report = source.report();
      reports++;
      long age = ageOf(report, id);
      List<DataNodeLivenessTracker.Transition> changes =
          tracker.update(report, System.currentTimeMillis());
      for (DataNodeLivenessTracker.Transition t : changes) {
        assertTrue("only a loss expected: " + t, t.isLost());
        assertEquals(id, t.getDataNode().getId());
        assertTrue("lost with a contact " + age + " ms old", age > LOST_AFTER_MS);
        assertTrue(tracker.snapshot().isHostLost(id));
        return t.getDetectionDelayMs();
      }
      assertTrue("not lost while its contact is " + age + " ms old, report " + reports,
          age > LOST_AFTER_MS || !tracker.snapshot().lostIds().contains(id));
      Thread.sleep(POLL_MS);
    }
    fail("stopped DataNode " + id + " never reported lost by " + source.describe() + " in "
        + reports + " reports");
    return -1;
  }

  /** Age of {@code id}'s last contact against the freshest contact of the report. */
  private static long ageOf(List<DataNodeStatus> report, String id) {
    long freshest = Long.MIN_VALUE;
    long contact = Long.MIN_VALUE;
    for (DataNodeStatus d : report) {
      freshest = Math.max(freshest, d.getLastContactMs());
      if (d.getId().equals(id)) {
        contact = d.getLastContactMs();
      }
    }
    assertTrue(id + " missing from the report", contact != Long.MIN_VALUE);
    return Math.min(freshest, System.currentTimeMillis()) - contact;
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
