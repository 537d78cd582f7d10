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
      assertTrue(out, out.contains("3 of 4 live DataNodes would be lost at once"));
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

  /** Decommissioning or maintenance is an administrator's decision, not a loss. */
  @Test
  public void outOfServiceIsNeverLost() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(5000);
    long now = 50_000;
    t.update(Arrays.asList(new DataNodeStatus("h", "10.0.0.9", 1, now, true),
        dn("g", "10.0.0.8", 1, now)), now);
    assertFalse(t.snapshot().isHostLost("h"));
    // Silent for a minute while in maintenance: still not lost.
    for (int i = 1; i <= 60; i++) {
      assertTrue(t.update(Arrays.asList(new DataNodeStatus("h", "10.0.0.9", 1, now, true),
          dn("g", "10.0.0.8", 1, now + i * 1000)), now + i * 1000).isEmpty());
    }
    assertFalse(t.snapshot().isHostLost("h"));
  }

  /** A stale DataNode is lost only after the configured number of consecutive reports. */
  @Test
  public void lossNeedsConsecutiveStaleReports() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(7000, 3);
    long now = 1_000_000;
    t.update(cluster(now, now, now), now);
    // Stale twice, then a fresh contact: the count starts again.
    assertTrue(t.update(cluster(now + 9000, now + 9000, now), now + 9000).isEmpty());
    assertTrue(t.update(cluster(now + 10_000, now + 10_000, now), now + 10_000).isEmpty());
    assertTrue(t.update(cluster(now + 11_000, now + 11_000, now + 11_000), now + 11_000)
        .isEmpty());
    long last = now + 11_000;
    for (int i = 1; i <= 2; i++) {
      long at = last + 7000 + i * 1000;
      assertTrue(t.update(cluster(at, at, last), at).isEmpty());
    }
    long at = last + 10_000;
    List<DataNodeLivenessTracker.Transition> c = t.update(cluster(at, at, last), at);
    assertEquals(1, c.size());
    assertEquals("10.0.1.2:9866", c.get(0).getDataNode().getId());
  }

  /** A mass loss that lasts longer than the threshold is real (most of the cluster died). */
  @Test
  public void persistentMassLossIsFinallyBelieved() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(7000);
    long now = 1_000_000;
    t.update(cluster(now, now, now, now), now);
    long died = now;
    for (int i = 1; i <= 20; i++) {
      now += 1000;
      t.update(cluster(now, died, died, died), now);
    }
    assertEquals(3, t.snapshot().lostIds().size());
    assertTrue(t.getSuspectReports() > 0);
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

  /** 4 live DataNodes (dn0-dn3) and 6 dead for an hour (dn4-dn9) at {@code nowMs}. */
  private static List<DataNodeStatus> fourLiveSixLongDead(long nowMs, long dn0Contact) {
    long[] contacts = new long[10];
    for (int i = 0; i < 10; i++) {
      contacts[i] = i < 4 ? nowMs : nowMs - 3_600_000L;
    }
    contacts[0] = dn0Contact;
    return cluster(contacts);
  }

  private static java.util.Set<String> ids(int from, int to) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (int i = from; i <= to; i++) {
      out.add("10.0.1." + i + ":9866");
    }
    return out;
  }

  /**
   * DataNodes already long dead when first seen (at start, and again after reset()) are
   * recorded lost without counting as a mass loss, and a later real loss is still seen.
   * Fails without the fix: 6 of 10 "would turn lost at once", so every report is disbelieved
   * (30 in a row here), nothing is ever lost, and dn0's real loss is never seen.
   */
  @Test
  public void deadAtFirstSightIsLostAndALaterLossStillSeen() {
    DataNodeLivenessTracker t = new DataNodeLivenessTracker(7000);
    long now = 1_000_000;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 30; i++) {
        now += 1000;
        t.update(fourLiveSixLongDead(now, now), now);
      }
      assertEquals(ids(4, 9), new java.util.TreeSet<>(t.snapshot().lostIds()));
      assertEquals(0, t.getSuspectReports());
      // dn0 stops for good: a real loss of 1 of the 4 live ones.
      long stopped = now;
      for (int i = 0; i < 30; i++) {
        now += 1000;
        t.update(fourLiveSixLongDead(now, stopped), now);
      }
      assertEquals(ids(0, 0).iterator().next(), t.snapshot().lostIds().get(0));
      assertEquals(7, t.snapshot().lostIds().size());
      assertTrue(t.snapshot().isHostLost("dn0.example.com"));
      // The NameNode is unreachable for a while: the RM forgets and starts over.
      t.reset();
      now += 60_000;
    }
  }

  /**
   * An HA nameservice whose two NameNodes accept connections and drop them (a failover in
   * progress, a NameNode going down): the RPC report fails after a bounded number of
   * attempts instead of stalling the monitor thread in the HDFS client's failover retries
   * (15 by default, sleeping up to 15 s each). Counts connections, not time. Fails without
   * the fix: more than 8 connections (the client kept failing over).
   */
  @Test
  public void rpcSourceBoundsItsFailoverRetries() throws Exception {
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    List<java.net.ServerSocket> servers = new java.util.ArrayList<>();
    Configuration conf = new Configuration(false);
    conf.set("dfs.nameservices", "ns1");
    conf.set("dfs.ha.namenodes.ns1", "nn1,nn2");
    conf.set("dfs.client.failover.proxy.provider.ns1",
        "org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider");
    conf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, "hdfs://ns1");
    for (String nn : new String[] {"nn1", "nn2"}) {
      java.net.ServerSocket server = new java.net.ServerSocket(0, 50,
          java.net.InetAddress.getLoopbackAddress());
      servers.add(server);
      conf.set("dfs.namenode.rpc-address.ns1." + nn, "127.0.0.1:" + server.getLocalPort());
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try (java.net.Socket s = server.accept()) {
            connections.incrementAndGet();
          } catch (java.io.IOException e) {
            return;
          }
        }
      }, "dropping-namenode-" + nn);
      t.setDaemon(true);
      t.start();
    }
    DfsDataNodeReportSource source = new DfsDataNodeReportSource();
    source.init(conf, new ZonePlacementYarnConfig(conf));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<?> report = pool.submit(() -> {
        source.report();
        return null;
      });
      // Wait (generously) for the report to fail; stop early if it keeps retrying.
      long deadline = System.currentTimeMillis() + 120_000;
      while (!report.isDone() && connections.get() <= 8
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue("still retrying after " + connections.get() + " connections",
          report.isDone());
      try {
        report.get();
        org.junit.Assert.fail("a NameNode that drops every connection answered");
      } catch (java.util.concurrent.ExecutionException expected) {
        assertTrue(String.valueOf(expected.getCause()),
            expected.getCause() instanceof java.io.IOException);
      }
      assertTrue("connections: " + connections.get(), connections.get() <= 8);
    } finally {
      pool.shutdownNow();
      source.close();
      for (java.net.ServerSocket server : servers) {
        server.close();
      }
    }
  }
}
