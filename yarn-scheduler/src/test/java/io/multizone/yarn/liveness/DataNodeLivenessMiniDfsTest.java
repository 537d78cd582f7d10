package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.junit.Before;
import org.junit.Test;

/**
 * The tracker against a real NameNode: stop a DataNode, it is reported lost within the
 * configured delay (well before the NameNode calls it dead); restart it, it is back.
 */
public class DataNodeLivenessMiniDfsTest extends MiniDfsLivenessSupport {

  @Before
  public void startCluster() throws Exception {
    Configuration conf = clusterConf("minidfs-liveness");
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(3).build();
    cluster.waitActive();
    follow(new Configuration(cluster.getConfiguration(0)), cluster.getURI().toString());
  }

  @Test
  public void stoppedDataNodeIsLostWithinTheDelayAndBackAfterRestart() throws Exception {
    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(LOST_AFTER_MS);
    List<DataNodeStatus> first = source.report();
    assertEquals(3, first.size());
    assertTrue(tracker.update(first, System.currentTimeMillis()).isEmpty());
    assertTrue(tracker.snapshot().lostIds().isEmpty());

    DataNode victim = cluster.getDataNodes().get(1);
    String id = idOf(victim);
    String other = idOf(cluster.getDataNodes().get(0));
    MiniDFSCluster.DataNodeProperties props = cluster.stopDataNode(1);
    awaitLoss(tracker, id, System.currentTimeMillis());
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
    File conf = new File(baseDir(), "health.conf");
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
