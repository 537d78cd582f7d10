package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.security.PrivilegedExceptionAction;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.server.datanode.DataNodeTestUtils;
import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Both report sources against one real NameNode (shared by the tests of this class): stop a
 * DataNode, it is reported lost within the configured delay (well before the NameNode calls it
 * dead); restart it, it is back. Also: only the JMX source works for an RM user outside the
 * HDFS superuser group, and the NodeManager health-check script.
 */
public class DataNodeLivenessMiniDfsTest extends MiniDfsLivenessSupport {
  private static final int DATANODES = 3;
  private static MiniDFSCluster cluster;
  private static File baseDir;

  @BeforeClass
  public static void startCluster() throws Exception {
    baseDir = freshBaseDir("minidfs-liveness");
    Configuration conf = clusterConf(baseDir);
    conf.setBoolean(DFSConfigKeys.DFS_PERMISSIONS_ENABLED_KEY, true);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(DATANODES).build();
    cluster.waitActive();
  }

  @AfterClass
  public static void stopCluster() {
    shutdown(cluster, baseDir);
  }

  /** A DataNode a previous test restarted has registered again. */
  @Before
  public void waitForDataNodes() throws Exception {
    cluster.waitActive();
  }

  private <T extends DataNodeReportSource> T follow(Class<T> type) throws Exception {
    return follow(type, new Configuration(cluster.getConfiguration(0)),
        cluster.getURI().toString());
  }

  @Test
  public void rpcSourceReportsAStoppedDataNodeLostAndARestartedOneBack() throws Exception {
    stopRestartScenario(follow(DfsDataNodeReportSource.class));
  }

  @Test
  public void jmxSourceReportsAStoppedDataNodeLostAndARestartedOneBack() throws Exception {
    JmxDataNodeReportSource source = follow(JmxDataNodeReportSource.class);
    stopRestartScenario(source);
    assertEquals("http://" + cluster.getConfiguration(0)
        .get(DFSConfigKeys.DFS_NAMENODE_HTTP_ADDRESS_KEY), source.current());
  }

  private void stopRestartScenario(DataNodeReportSource source) throws Exception {
    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(LOST_AFTER_MS);
    List<DataNodeStatus> first = awaitAllLive(source, DATANODES);
    assertEquals(clusterIds(), ids(first));
    assertTrue(tracker.update(first, System.currentTimeMillis()).isEmpty());

    DataNode victim = cluster.getDataNodes().get(1);
    String id = idOf(victim);
    String other = idOf(cluster.getDataNodes().get(0));
    MiniDFSCluster.DataNodeProperties props = cluster.stopDataNode(1);
    try {
      awaitLoss(source, tracker, id);
      assertFalse(tracker.snapshot().isHostLost(other));
      // All three DataNodes share one host here: the bare host is not lost while others live.
      assertFalse(tracker.snapshot().isHostLost(victim.getDatanodeId().getIpAddr()));
    } finally {
      assertTrue(cluster.restartDataNode(props, true));
    }
    awaitBack(source, tracker, id);
  }

  private static Set<String> clusterIds() {
    Set<String> out = new HashSet<>();
    for (DataNode dn : cluster.getDataNodes()) {
      out.add(idOf(dn));
    }
    return out;
  }

  private static Set<String> ids(List<DataNodeStatus> report) {
    Set<String> out = new HashSet<>();
    for (DataNodeStatus d : report) {
      out.add(d.getId());
    }
    return out;
  }

  /**
   * The point of the JMX source: an RM user outside {@code dfs.permissions.superusergroup} is
   * refused the RPC DataNode report (a superuser-only call) but reads the same DataNodes from
   * the NameNode's web server.
   */
  @Test
  public void onlyTheJmxSourceWorksForANonSuperuser() throws Exception {
    UserGroupInformation rm = UserGroupInformation.createUserForTesting("rm",
        new String[] {"hadoop"});
    final String uri = cluster.getURI().toString();
    final Configuration rmConf = new Configuration(cluster.getConfiguration(0));
    List<DataNodeStatus> report = rm.doAs(
        (PrivilegedExceptionAction<List<DataNodeStatus>>) () -> {
          DataNodeReportSource rpc = follow(DfsDataNodeReportSource.class,
              new Configuration(rmConf), uri);
          try {
            rpc.report();
            fail("the RPC DataNode report answered a non-superuser");
          } catch (IOException e) {
            IOException cause = e instanceof RemoteException
                ? ((RemoteException) e).unwrapRemoteException() : e;
            assertTrue("not a permission error: " + e, cause instanceof AccessControlException);
            assertTrue(cause.getMessage(), cause.getMessage().contains("Superuser privilege"));
          }
          return follow(JmxDataNodeReportSource.class, new Configuration(rmConf), uri)
              .report();
        });
    assertEquals(clusterIds(), ids(report));
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
    MiniDFSCluster.DataNodeProperties props = cluster.stopDataNode(2);
    try {
      String down = runHealthScript(conf);
      assertTrue("stopped DataNode not reported: " + down,
          down.startsWith("ERROR DataNode at "));
    } finally {
      // The cluster is shared: the next test waits for this DataNode to be live again.
      assertTrue(cluster.restartDataNode(props, true));
    }
  }

  /**
   * A real DataNode whose heartbeats stop for longer than the old threshold (7 s) but less
   * than the loss window, then resume: with the default settings it is never lost. The old
   * rule (a single report, 7 s) run beside it on the same reports does see a loss, which
   * shows the pause mattered. Fails without the fix: the default tracker was that old rule.
   * Ends on counts of reports and contacts, not on elapsed time.
   */
  @Test
  public void dataNodeSilentShorterThanTheWindowIsNotLost() throws Exception {
    DataNodeReportSource source = follow(DfsDataNodeReportSource.class);
    ZonePlacementYarnConfig defaults = new ZonePlacementYarnConfig(new Configuration(false));
    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(defaults.getLostAfterMs(),
        defaults.getLostConfirmPolls());
    DataNodeLivenessTracker oldRule = new DataNodeLivenessTracker(7000);
    tracker.update(awaitAllLive(source, DATANODES), System.currentTimeMillis());
    DataNode dn = cluster.getDataNodes().get(0);
    String id = idOf(dn);
    List<String> losses = new java.util.ArrayList<>();
    boolean oldRuleLost = false;
    long frozenContact = -1;
    DataNodeTestUtils.setHeartbeatsDisabledForTests(dn, true);
    try {
      // Silent until the old rule has called it lost (its contact is over 7 s old).
      for (int i = 0; i < 120 && !oldRuleLost; i++) {
        Thread.sleep(defaults.getPollIntervalMs());
        List<DataNodeStatus> report = source.report();
        long now = System.currentTimeMillis();
        for (DataNodeLivenessTracker.Transition t : tracker.update(report, now)) {
          losses.add(t.toString());
        }
        oldRule.update(report, now);
        oldRuleLost = oldRule.snapshot().lostIds().contains(id);
        frozenContact = contactOf(report, id);
      }
      assertTrue("the old rule saw the silent DataNode lost", oldRuleLost);
    } finally {
      DataNodeTestUtils.setHeartbeatsDisabledForTests(dn, false);
    }
    // Heartbeats resume: poll until its contact moved, then a few reports more.
    int afterResume = 0;
    for (int i = 0; i < 120 && afterResume < 3; i++) {
      Thread.sleep(defaults.getPollIntervalMs());
      List<DataNodeStatus> report = source.report();
      for (DataNodeLivenessTracker.Transition t
          : tracker.update(report, System.currentTimeMillis())) {
        losses.add(t.toString());
      }
      if (afterResume > 0 || contactOf(report, id) > frozenContact) {
        afterResume++;
      }
    }
    assertEquals("heartbeats resumed", 3, afterResume);
    assertTrue("no loss: " + losses, losses.isEmpty());
    assertTrue(tracker.snapshot().lostIds().isEmpty());
  }

  private static long contactOf(List<DataNodeStatus> report, String id) {
    for (DataNodeStatus d : report) {
      if (d.getId().equals(id)) {
        return d.getLastContactMs();
      }
    }
    throw new AssertionError(id + " not in the report");
  }
}
