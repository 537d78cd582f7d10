package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DFSUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSNNTopology;
import org.apache.hadoop.hdfs.server.namenode.NameNodeMXBean;
import org.apache.hadoop.hdfs.server.namenode.NameNodeStatusMXBean;
import org.apache.hadoop.hdfs.server.namenode.ha.HATestUtil;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Both report sources follow an HA nameservice named by its logical URI: the first NameNode
 * dies, the second becomes active, and a stopped DataNode is still reported lost within the
 * configured delay. The RPC source fails over through the ordinary HDFS client configuration;
 * the JMX source asks the NameNodes' web servers listed in the same configuration, falling
 * back to the standby while no NameNode is active (its preference for the active one is in
 * {@link JmxDataNodeReportSourceTest}). Each test gets its own cluster (the failover cannot
 * be undone).
 */
public class DataNodeLivenessHaTest extends MiniDfsLivenessSupport {
  private MiniDFSCluster cluster;
  private File baseDir;
  private Configuration rmConf;
  private String logical;
  private final List<ObjectName> beans = new ArrayList<>();

  @Before
  public void startCluster() throws Exception {
    baseDir = freshBaseDir("minidfs-liveness-ha");
    cluster = new MiniDFSCluster.Builder(clusterConf(baseDir))
        .nnTopology(MiniDFSNNTopology.simpleHATopology())
        .numDataNodes(2)
        .build();
    cluster.waitActive();
    cluster.transitionToActive(0);
    // The RM knows only the client failover configuration and the logical URI.
    rmConf = new Configuration(false);
    HATestUtil.setFailoverConfigurations(cluster, rmConf);
    logical = HATestUtil.getLogicalUri(cluster).toString();
  }

  @After
  public void stopCluster() {
    for (ObjectName bean : beans) {
      try {
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(bean);
      } catch (Exception e) {
        // already gone with its NameNode
      }
    }
    shutdown(cluster, baseDir);
  }

  @Test
  public void rpcSourceFollowsTheNameserviceAcrossAFailover() throws Exception {
    DataNodeReportSource source = follow(DfsDataNodeReportSource.class, rmConf, logical);
    assertEquals(logical, source.describe());
    assertEquals(2, source.report().size());
    cluster.shutdownNameNode(0);
    cluster.transitionToActive(1);
    lostAfterFailover(source);
  }

  @Test
  public void jmxSourceFollowsTheNameNodeWebServersAcrossAFailover() throws Exception {
    // ... plus, as in hdfs-site.xml, each NameNode's web address (HATestUtil names them nn1,
    // nn2 in cluster order).
    String ns = HATestUtil.getLogicalHostname(cluster);
    for (int i = 0; i < 2; i++) {
      rmConf.set(DFSUtil.addKeySuffixes(DFSConfigKeys.DFS_NAMENODE_HTTP_ADDRESS_KEY, ns,
          "nn" + (i + 1)), webAddress(i));
    }
    JmxDataNodeReportSource source = follow(JmxDataNodeReportSource.class, rmConf, logical);
    assertEquals(logical + " (NameNode web [http://" + webAddress(0) + ", http://"
        + webAddress(1) + "])", source.describe());
    assertEquals(2, source.report().size());
    assertEquals("http://" + webAddress(0), source.current());

    cluster.shutdownNameNode(0);
    // Both NameNodes run in this JVM and share its MBean server: until now both web servers
    // served the first one's beans (the second one's have suffixed names), and those went
    // with it. Name the second one's as its own JVM would.
    registerOwnBeans(1);
    // No active NameNode yet: the standby's report (it gets the same heartbeats) is used.
    assertEquals(2, source.report().size());
    assertEquals("http://" + webAddress(1), source.current());
    cluster.transitionToActive(1);
    lostAfterFailover(source);
    assertEquals("http://" + webAddress(1), source.current());
  }

  /**
   * Gives NameNode {@code nn}'s beans the names its own JVM would: in this one they were
   * registered beside the first NameNode's, with a suffix ({@code NameNodeInfo-1}).
   */
  private void registerOwnBeans(int nn) throws Exception {
    MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
    Object[][] own = {
        {"NameNodeInfo", new StandardMBean(cluster.getNamesystem(nn), NameNodeMXBean.class,
            true)},
        {"NameNodeStatus", new StandardMBean(cluster.getNameNode(nn),
            NameNodeStatusMXBean.class, true)}};
    for (Object[] bean : own) {
      Set<ObjectName> suffixed = mbs.queryNames(
          new ObjectName("Hadoop:service=NameNode,name=" + bean[0] + "-*"), null);
      assertEquals(bean[0] + " beans: " + suffixed, 1, suffixed.size());
      mbs.unregisterMBean(suffixed.iterator().next());
      ObjectName plain = new ObjectName("Hadoop:service=NameNode,name=" + bean[0]);
      mbs.registerMBean(bean[1], plain);
      beans.add(plain);
    }
  }

  private String webAddress(int nn) {
    InetSocketAddress a = cluster.getNameNode(nn).getHttpAddress();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** After the failover the second NameNode's report shows a stopped DataNode lost. */
  private void lostAfterFailover(DataNodeReportSource source) throws Exception {
    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(LOST_AFTER_MS);
    assertTrue(tracker.update(source.report(), System.currentTimeMillis()).isEmpty());
    assertTrue(tracker.snapshot().lostIds().isEmpty());

    String id = idOf(cluster.getDataNodes().get(1));
    String other = idOf(cluster.getDataNodes().get(0));
    // Fails without the fix under CPU load (reported: "not before the threshold: 1922"; here
    // with a 2.5 s sleep after stopDataNode, as a slow stop: 1023): the old check timed the
    // stop with the wall clock. awaitLoss now asserts only orderings and counts.
    cluster.stopDataNode(1);
    awaitLoss(source, tracker, id);
    assertFalse(tracker.snapshot().isHostLost(other));
  }
}
