package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.test.GenericTestUtils;
import org.junit.Test;
import org.slf4j.LoggerFactory;

/** Loss/recovery decisions and host matching, without a cluster. */
public class DataNodeLivenessTrackerTest {

  private static DataNodeStatus dn(String host, String ip, int port, long contact) {
    return new DataNodeStatus(host, ip, port, contact, false);
  }

  @Test
  public void lostAfterThresholdAndBackOnContact() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(5000);
    long now = 1_000_000;
    List<DataNodeLivenessTracker.Transition> c = t.update(Arrays.asList(
        dn("dn1.example.com", "10.0.0.1", 9866, now),
        dn("dn2.example.com", "10.0.0.2", 9866, now - 6000)), now);
    assertEquals(1, c.size());
    assertTrue(c.get(0).isLost());
    assertEquals("10.0.0.2:9866", c.get(0).getDataNode().getId());
    assertEquals(6000, c.get(0).getDetectionDelayMs());
    // Same state again: no transition.
    assertTrue(t.update(Arrays.asList(dn("dn1.example.com", "10.0.0.1", 9866, now),
        dn("dn2.example.com", "10.0.0.2", 9866, now - 6000)), now + 100).isEmpty());
    c = t.update(Arrays.asList(dn("dn1.example.com", "10.0.0.1", 9866, now),
        dn("dn2.example.com", "10.0.0.2", 9866, now + 200)), now + 300);
    assertEquals(1, c.size());
    assertFalse(c.get(0).isLost());
  }

  private static List<DataNodeStatus> cluster(long... contacts) {
    DataNodeStatus[] out = new DataNodeStatus[contacts.length];
    for (int i = 0; i < contacts.length; i++) {
      out[i] = dn("dn" + i + ".example.com", "10.0.1." + i, 9866, contacts[i]);
    }
    return Arrays.asList(out);
  }

  @Test
  public void rmClockAheadOfTheNameNodeLosesNothing() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(7000);
    long nn = 1_000_000;
    long rm = nn + 60_000;
    assertTrue(t.update(cluster(nn - 1000, nn - 2000, nn, nn - 500), rm).isEmpty());
    assertTrue(t.snapshot().lostIds().isEmpty());
    // Ages still count among the DataNodes themselves.
    List<DataNodeLivenessTracker.Transition> c = t.update(
        cluster(nn + 9000, nn + 8000, nn + 10_000, nn - 500), rm + 10_000);
    assertEquals(1, c.size());
    assertEquals("10.0.1.3:9866", c.get(0).getDataNode().getId());
    assertEquals(10_500, c.get(0).getDetectionDelayMs());
  }

  @Test
  public void nameNodePauseLosesNothingAndWarns() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(7000);
    long now = 1_000_000;
    t.update(cluster(now, now, now, now), now);
    // The NameNode stalled 30 s: every contact is 30 s old at once.
    assertTrue(t.update(cluster(now, now, now, now), now + 30_000).isEmpty());
    assertTrue(t.snapshot().lostIds().isEmpty());
    assertEquals(0, t.getSuspectReports());
    // It resumes and hears from one DataNode first: the others would all turn lost.
    GenericTestUtils.LogCapturer logs = GenericTestUtils.LogCapturer.captureLogs(
        LoggerFactory.getLogger(DataNodeLivenessTracker.class));
    try {
      assertTrue(t.update(cluster(now + 30_000, now, now, now), now + 30_000).isEmpty());
      assertTrue(t.update(cluster(now + 30_100, now, now, now), now + 30_100).isEmpty());
      assertTrue(t.snapshot().lostIds().isEmpty());
      assertEquals(2, t.getSuspectReports());
      String out = logs.getOutput();
      assertTrue(out, out.contains("3 of 4 DataNodes would be lost at once"));
      assertEquals("warned once", out.indexOf("not believed"), out.lastIndexOf("not believed"));
    } finally {
      logs.stopCapturing();
    }
    // Everyone heard from again: a plausible report.
    assertTrue(t.update(cluster(now + 31_000, now + 31_000, now + 31_000, now + 31_000),
        now + 31_000).isEmpty());
  }

  @Test
  public void oneStaleDataNodeAmongFreshOnesIsLost() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(7000);
    long now = 1_000_000;
    List<DataNodeLivenessTracker.Transition> c =
        t.update(cluster(now, now - 1000, now - 8000, now - 500), now);
    assertEquals(1, c.size());
    assertEquals(Collections.singletonList("10.0.1.2:9866"), t.snapshot().lostIds());
    assertTrue(t.snapshot().isHostLost("dn2.example.com"));
    assertEquals(0, t.getSuspectReports());
  }

  @Test
  public void outOfServiceIsLost() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(5000);
    long now = 50_000;
    t.update(Arrays.asList(new DataNodeStatus("h", "10.0.0.9", 1, now, true)), now);
    assertTrue(t.snapshot().isHostLost("h"));
  }

  @Test
  public void hostMatchingByNameShortNameIpAndHostPort() {
    NetUtils.addStaticResolution("worker7", "10.0.0.7");
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(5000);
    long now = 100_000;
    t.update(Arrays.asList(dn("worker1.dc.example.com", "10.0.0.1", 9866, now - 9000),
        dn("worker2.dc.example.com", "10.0.0.2", 9866, now),
        dn("10.0.0.7", "10.0.0.7", 9866, now - 9000),
        dn("worker3.dc.example.com", "10.0.0.3", 9866, now),
        dn("worker4.dc.example.com", "10.0.0.4", 9866, now)), now);
    DataNodeLivenessTracker.Snapshot s = t.snapshot();
    assertTrue(s.isHostLost("worker1.dc.example.com"));
    assertTrue(s.isHostLost("WORKER1.dc.example.com."));
    assertTrue(s.isHostLost("worker1"));
    assertTrue(s.isHostLost("10.0.0.1"));
    assertTrue(s.isHostLost("worker1.dc.example.com:8041"));
    assertTrue(s.isHostLost("10.0.0.1:9866"));
    assertTrue("NM name resolving to the DN's IP", s.isHostLost("worker7"));
    assertFalse(s.isHostLost("worker2.dc.example.com"));
    assertFalse(s.isHostLost("worker2"));
    assertFalse("host without a DataNode is never lost", s.isHostLost("compute9"));
  }

  @Test
  public void shortNameMatchesOnlyWhenUnambiguous() {
    DataNodeStatus a1 = dn("worker-01.zone-a", "10.0.2.1", 9866, 0);
    DataNodeStatus b1 = dn("worker-01.zone-b", "10.0.2.2", 9866, 0);
    DataNodeStatus a2 = dn("worker-02.zone-a", "10.0.2.3", 9866, 0);
    DataNodeStatus bare = dn("worker-03", "10.0.2.4", 9866, 0);
    HostMatcher m = new HostMatcher(Arrays.asList(a1, b1, a2, bare));
    // Another zone's host of the same short name is not this host.
    assertTrue(m.match("worker-02.zone-c").isEmpty());
    assertTrue(m.match("worker-01.zone-c").isEmpty());
    // Two hosts behind the short name: ambiguous.
    assertTrue(m.match("worker-01").isEmpty());
    assertEquals(Collections.singletonList(a1), m.match("worker-01.zone-a"));
    // Short query, one host behind it; FQDN query of a DataNode registered by short name.
    assertEquals(Collections.singletonList(a2), m.match("worker-02"));
    assertEquals(Collections.singletonList(bare), m.match("worker-03.zone-c"));
    assertEquals(Collections.singletonList(bare), m.match("WORKER-03"));
  }

  @Test
  public void unreachableNameNodeFailsFastWithTheUri() throws Exception {
    Configuration conf = new Configuration();
    conf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, "hdfs://127.0.0.1:1");
    DfsDataNodeReportSource s = new DfsDataNodeReportSource();
    s.init(conf, new ZonePlacementYarnConfig(conf));
    long start = System.currentTimeMillis();
    try {
      s.report();
      org.junit.Assert.fail("no NameNode on port 1");
    } catch (java.io.IOException expected) {
      // connection refused
    } finally {
      s.close();
    }
    assertTrue("fails in bounded time", System.currentTimeMillis() - start < 30_000);
  }

  @Test
  public void nonHdfsUriIsRejectedNamingTheKey() {
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", "file:///");
    DfsDataNodeReportSource s = new DfsDataNodeReportSource();
    try {
      s.init(conf, new ZonePlacementYarnConfig(conf));
      org.junit.Assert.fail("file:/// accepted");
    } catch (java.io.IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(
          ZonePlacementYarnConfig.DATANODE_NAMENODE_URI));
    }
  }

  @Test
  public void hostResolutionsExpireSoAMovedOrLateHostIsFound() {
    long[] now = {1_000_000L};
    HostMatcher.clock = () -> now[0];
    try {
      DataNodeStatus dn = new DataNodeStatus("dn-9.example", "10.0.0.9", 9866, 0, false);
      HostMatcher m = new HostMatcher(Collections.singletonList(dn));
      // Not resolvable yet (DNS lagging behind the new NodeManager): no match, and cached.
      assertTrue(m.match("nm-late").isEmpty());
      NetUtils.addStaticResolution("nm-late", "10.0.0.9");
      assertTrue("failure cached", m.match("nm-late").isEmpty());
      now[0] += HostMatcher.UNRESOLVED_TTL_MS;
      assertEquals(Collections.singletonList(dn), m.match("nm-late"));
      // The host moves to another address: seen once the resolution expires.
      NetUtils.addStaticResolution("nm-late", "10.0.0.10");
      assertEquals("resolution cached", Collections.singletonList(dn), m.match("nm-late"));
      now[0] += HostMatcher.RESOLVED_TTL_MS;
      assertTrue(m.match("nm-late").isEmpty());
    } finally {
      HostMatcher.clock = System::currentTimeMillis;
    }
  }
}
