package org.apache.hadoop.hdfs.server.blockmanagement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import io.multizone.hdfs.config.ZonePlacementConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.TableMapping;
import org.junit.Test;

/** Bad settings stop the NameNode with one message naming the key; Balancer-side init works. */
public class TestZonePlacementConfiguration {

  @Test
  public void minZonesBelowOneStopsTheNameNode() {
    assertNameNodeRefuses(ZonePlacementConfig.MIN_ZONES_KEY, "0");
  }

  @Test
  public void minZonesNotANumberStopsTheNameNode() {
    assertNameNodeRefuses(ZonePlacementConfig.MIN_ZONES_KEY, "two");
  }

  @Test
  public void zoneDepthBelowOneStopsTheNameNode() {
    assertNameNodeRefuses(ZonePlacementConfig.ZONE_DEPTH_KEY, "0");
  }

  @Test
  public void zoneDepthTheTopologyTableLacksStopsTheNameNode() throws Exception {
    File table = new File(System.getProperty("test.build.data", "target/test-data"),
        "flat-topology.table");
    table.getParentFile().mkdirs();
    Files.write(table.toPath(), "host1 /rack-1\nhost2 /rack-2\n".getBytes(StandardCharsets.UTF_8));
    Configuration conf = new Configuration(false);
    conf.set(ZonePlacementConfig.ZONE_DEPTH_KEY, "1");
    conf.set(CommonConfigurationKeysPublic.NET_TOPOLOGY_NODE_SWITCH_MAPPING_IMPL_KEY,
        TableMapping.class.getName());
    conf.set(CommonConfigurationKeysPublic.NET_TOPOLOGY_TABLE_MAPPING_FILE_KEY,
        table.getPath());
    String message = startFailure(conf);
    assertTrue(message, message.contains(ZonePlacementConfig.ZONE_DEPTH_KEY));
    assertTrue(message, message.contains("/rack-1"));
  }

  @Test
  public void defaultsAreDocumentedValues() {
    ZonePlacementConfig c = ZonePlacementConfig.from(new Configuration(false));
    assertEquals(2, c.minZones());
    assertEquals(1, c.zoneDepth());
    assertFalse(c.zoneDepthExplicit());
    assertEquals(60_000L, c.warnIntervalMs());
  }

  /** The Balancer and Mover initialize the policy with null stats and host map. */
  @Test
  public void balancerStyleInitializeWorksAndKeepsZones() {
    Configuration conf = new HdfsConfiguration();
    for (NetworkTopology map : new NetworkTopology[] {null, new NetworkTopology()}) {
      BlockPlacementPolicyWithZones p = new BlockPlacementPolicyWithZones();
      p.initialize(conf, null, map, null);
      DatanodeInfo a = DFSTestUtil.getDatanodeDescriptor("1.1.1.1", "/zone-a/rack-1");
      DatanodeInfo b1 = DFSTestUtil.getDatanodeDescriptor("2.2.2.2", "/zone-b/rack-1");
      DatanodeInfo b2 = DFSTestUtil.getDatanodeDescriptor("3.3.3.3", "/zone-b/rack-2");
      DatanodeInfo b3 = DFSTestUtil.getDatanodeDescriptor("4.4.4.4", "/zone-b/rack-2");
      DatanodeInfo c = DFSTestUtil.getDatanodeDescriptor("5.5.5.5", "/zone-c/rack-1");
      // Candidates as the Dispatcher passes them: the replicas and the target.
      assertFalse(p.isMovable(Arrays.asList(a, b1, b2, b3), a, b3));
      assertTrue(p.isMovable(Arrays.asList(a, b1, b2, c), b2, c));
    }
  }

  private static void assertNameNodeRefuses(String key, String value) {
    Configuration conf = new Configuration(false);
    conf.set(key, value);
    String message = startFailure(conf);
    assertTrue(message, message.contains(key));
    assertTrue(message, message.contains("'" + value + "'"));
  }

  /** Starts a NameNode with the policy and conf; returns the message it failed with. */
  private static String startFailure(Configuration conf) {
    try (PolicyHarness h = PolicyHarness.start(BlockPlacementPolicyWithZones.CLASS_NAME, conf,
        Topologies.reference())) {
      fail("NameNode started with " + conf.iterator().next());
      return null;
    } catch (Exception e) {
      Throwable t = e;
      while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
        t = t.getCause();
      }
      return t.getMessage();
    }
  }
}
