package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSNNTopology;
import org.apache.hadoop.hdfs.server.namenode.ha.HATestUtil;
import org.junit.Before;
import org.junit.Test;

/**
 * The tracker follows an HA nameservice through the ordinary HDFS client failover
 * configuration: the key names the logical URI, the first NameNode dies, the second becomes
 * active, and a stopped DataNode is still reported lost within the configured delay.
 */
public class DataNodeLivenessHaTest extends MiniDfsLivenessSupport {

  @Before
  public void startCluster() throws Exception {
    cluster = new MiniDFSCluster.Builder(clusterConf("minidfs-liveness-ha"))
        .nnTopology(MiniDFSNNTopology.simpleHATopology())
        .numDataNodes(2)
        .build();
    cluster.waitActive();
    cluster.transitionToActive(0);
    // The RM knows only the client failover configuration and the logical URI.
    Configuration rmConf = new Configuration(false);
    HATestUtil.setFailoverConfigurations(cluster, rmConf);
    String logical = HATestUtil.getLogicalUri(cluster).toString();
    follow(rmConf, logical);
    assertEquals(logical, source.describe());
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

    String id = idOf(cluster.getDataNodes().get(1));
    String other = idOf(cluster.getDataNodes().get(0));
    cluster.stopDataNode(1);
    awaitLoss(tracker, id, System.currentTimeMillis());
    assertFalse(tracker.snapshot().isHostLost(other));
  }
}
