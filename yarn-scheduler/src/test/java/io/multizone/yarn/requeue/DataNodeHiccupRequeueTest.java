package io.multizone.yarn.requeue;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.HashSet;
import java.util.Set;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.ZoneRmTestSupport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.fair.FairScheduler;
import org.junit.After;
import org.junit.Test;

/**
 * Healthy work is not killed: DataNode hiccups that HDFS itself rides out (a paused DataNode,
 * heartbeats late behind long block reports, a flapping DataNode, a NameNode pause,
 * maintenance or decommissioning) requeue nothing with the default settings, while a real loss
 * still does, at a bounded rate.
 *
 * <p>The monitor runs on a replayed timeline: its clock, the fake DataNode report's and the
 * ledger's are one simulated clock, advanced one poll interval (1 s) per pass, and every pass
 * is made here ({@link #passes}), so nothing depends on the machine's speed. The real
 * CapacityScheduler (MockRM) does the preemption; outcomes are the containers' states and
 * exit statuses as the AM sees them.
 */
public class DataNodeHiccupRequeueTest extends ZoneRmTestSupport {
  private final long[] now = {System.currentTimeMillis()};
  private LostDataNodeRequeuePolicy policy;
  private ZonePlacementRuntime runtime;
  /** Every host the monitor published as lost during the test. */
  private final Set<String> everLost = new HashSet<>();

  private Configuration conf() throws Exception {
    Configuration conf = baseConf(true);
    conf.set(ZonePlacementYarnConfig.DATANODE_REPORT_SOURCE_CLASS,
        FakeDataNodeReportSource.class.getName());
    return conf;
  }

  /** Starts the RM and a monitor (driven by {@link #passes}) with {@code conf}. */
  private void startWithMonitor(Configuration conf) throws Exception {
    LostDataNodeRequeuePolicy.clock = () -> now[0];
    LocalPlacementLedger.clock = () -> now[0];
    FakeDataNodeReportSource.clock = () -> now[0];
    start(conf, 8 * GB);
    policy = new LostDataNodeRequeuePolicy();
    policy.init(rm.getRMContext().getYarnConfiguration(), rm.getRMContext(),
        rm.getResourceScheduler());
    runtime = ZonePlacementRuntime.forScheduler(rm.getResourceScheduler(), null);
  }

  @After
  public void realClocks() {
    LostDataNodeRequeuePolicy.clock = System::currentTimeMillis;
    LocalPlacementLedger.clock = System::currentTimeMillis;
    FakeDataNodeReportSource.reset();
  }

  /** {@code n} monitor passes, one simulated second apart. */
  private void passes(int n) {
    for (int i = 0; i < n; i++) {
      now[0] += 1000;
      policy.editSchedule();
      rm.drainEvents();
      everLost.addAll(runtime.getLostNodeNames());
    }
  }

  /** A container placed on {@code host} for its local data (replica also on c1h1). */
  private Container localContainerOn(String host, int priority) throws Exception {
    ask(priority, 1, GB, host, "c1h1");
    if (rm.getResourceScheduler() instanceof FairScheduler) {
      ((FairScheduler) rm.getResourceScheduler()).update(); // demand, as its update thread
    }
    assertEquals(1, offerUntilAllocated(host, 1));
    heartbeatAm();
    Container c = null;
    for (Container p : pulled) {
      if (p.getNodeId().getHost().equals(host) && p.getPriority().getPriority() == priority) {
        c = p;
      }
    }
    assertNotNull(c);
    passes(1); // the monitor ties the placement record to the container
    return c;
  }

  private void assertStillRunning(Container c) throws Exception {
    assertNull("completed: " + completedStatus(c.getId()), completedStatus(c.getId()));
    assertNotNull(rm.getResourceScheduler().getRMContainer(c.getId()));
  }

  /**
   * A DataNode paused for 10 s (a GC pause; or SIGSTOP) comes back: its last contact was
   * 10 s old at worst, under the HDFS lifeline slack. Fails without the fix: lost at 8 s
   * (lost-after 7 s, one poll) and preempted at once (grace 0).
   */
  @Test
  public void dataNodePausedShorterThanTheWindowKillsNothing() throws Exception {
    startWithMonitor(conf());
    Container local = localContainerOn("a1h1", 1);
    FakeDataNodeReportSource.down("a1h1", now[0]);
    passes(10);
    FakeDataNodeReportSource.up("a1h1");
    passes(60);
    assertStillRunning(local);
    assertFalse("never lost: " + everLost, everLost.contains("a1h1"));
  }

  /**
   * Heartbeats late behind long full block reports: the NameNode hears from the DataNode only
   * every 9 s (its lifeline cadence) for two minutes. Fails without the fix: an 8 s old
   * contact is a loss and the container is preempted.
   */
  @Test
  public void slowBlockReportsKillNothing() throws Exception {
    startWithMonitor(conf());
    Container local = localContainerOn("a1h1", 1);
    for (int i = 0; i < 14; i++) {
      FakeDataNodeReportSource.down("a1h1", now[0]);
      passes(9);
    }
    FakeDataNodeReportSource.up("a1h1");
    passes(5);
    assertStillRunning(local);
    assertFalse("never lost: " + everLost, everLost.contains("a1h1"));
  }

  /**
   * A DataNode flapping (20 s away, 10 s back, three times) is lost each time but always
   * back inside the grace period: nothing is preempted. Fails without the fix: preempted at
   * the first flap (grace 0).
   */
  @Test
  public void flappingDataNodeKillsNothing() throws Exception {
    startWithMonitor(conf());
    Container local = localContainerOn("a1h1", 1);
    for (int flap = 0; flap < 3; flap++) {
      FakeDataNodeReportSource.down("a1h1", now[0]);
      passes(20);
      FakeDataNodeReportSource.up("a1h1");
      passes(10);
    }
    passes(60);
    assertStillRunning(local);
    assertTrue("a 20 s silence is a loss (masked for new work)", everLost.contains("a1h1"));
  }

  /**
   * The NameNode pauses 20 s (no report answers), then processes the queued heartbeats of 4
   * of the 12 DataNodes two seconds late. Fails without the fix: the 4 are lost in the first
   * report after the pause (under half of the cluster, so believed) and the container on
   * a1h1 is preempted.
   */
  @Test
  public void nameNodePauseKillsNothing() throws Exception {
    startWithMonitor(conf());
    Container local = localContainerOn("a1h1", 1);
    long pausedAt = now[0];
    FakeDataNodeReportSource.unreachable = true;
    passes(20);
    FakeDataNodeReportSource.unreachable = false;
    for (String h : new String[] {"a1h1", "a1h2", "b1h1", "b1h2"}) {
      FakeDataNodeReportSource.down(h, pausedAt);
    }
    passes(2);
    for (String h : new String[] {"a1h1", "a1h2", "b1h1", "b1h2"}) {
      FakeDataNodeReportSource.up(h);
    }
    passes(60);
    assertStillRunning(local);
    assertTrue("nothing lost: " + everLost, everLost.isEmpty());
  }

  /**
   * A DataNode put in maintenance (or decommissioned) by an administrator, then silent for two
   * minutes as a host in maintenance is: never a requeue. Fails without the fix: out of
   * service counted as lost, preempted at once.
   */
  @Test
  public void maintenanceAndDecommissioningNeverRequeue() throws Exception {
    startWithMonitor(conf());
    Container inMaintenance = localContainerOn("a1h1", 1);
    Container decommissioning = localContainerOn("b1h1", 2);
    FakeDataNodeReportSource.OUT_OF_SERVICE.add("a1h1");
    FakeDataNodeReportSource.OUT_OF_SERVICE.add("b1h1");
    passes(5);
    FakeDataNodeReportSource.down("a1h1", now[0]);
    passes(120);
    assertStillRunning(inMaintenance);
    assertStillRunning(decommissioning);
  }

  /**
   * Control for the tests above: a DataNode that really stays away is lost and its
   * local-data container preempted (PREEMPTED), with the default settings.
   */
  @Test
  public void aDataNodeThatStaysAwayIsStillRequeued() throws Exception {
    startWithMonitor(conf());
    Container local = localContainerOn("a1h1", 1);
    FakeDataNodeReportSource.down("a1h1", now[0]);
    int waited = 0;
    int lostAt = -1;
    while (completedStatus(local.getId()) == null && waited < 600) {
      passes(1);
      waited++;
      if (lostAt < 0 && everLost.contains("a1h1")) {
        lostAt = waited;
      }
    }
    assertNotNull("preempted within 10 simulated minutes", completedStatus(local.getId()));
    assertEquals(ContainerExitStatus.PREEMPTED, completedStatus(local.getId()).getExitStatus());
    // The documented figures, on the simulated clock (1 s polls): lost ~15 s after the last
    // contact (12 s stale + 3 more stale reports), preempted 30 s (the grace) later.
    assertEquals("loss noticed, simulated seconds after the last contact", 16, lostAt);
    assertEquals("preempted, simulated seconds after the last contact", 46, waited);
  }
  private int preempted(Container... cs) throws Exception {
    int n = 0;
    for (Container c : cs) {
      ContainerStatus st = completedStatus(c.getId());
      if (st != null) {
        assertEquals(ContainerExitStatus.PREEMPTED, st.getExitStatus());
        n++;
      }
    }
    return n;
  }

  /**
   * Cluster-wide limit: three hosts lost together, at most 2 containers a minute; the third
   * is preempted a minute after the first two. Fails without the fix: all three at once.
   */
  @Test
  public void requeueIsRateLimitedClusterWide() throws Exception {
    Configuration conf = conf();
    conf.setInt(ZonePlacementYarnConfig.REQUEUE_MAX_PER_MINUTE, 2);
    startWithMonitor(conf);
    Container a = localContainerOn("a1h1", 1);
    Container b = localContainerOn("b1h1", 2);
    Container c = localContainerOn("b2h1", 3);
    for (String h : new String[] {"a1h1", "b1h1", "b2h1"}) {
      FakeDataNodeReportSource.down(h, now[0]);
    }
    int waited = 0;
    while (preempted(a, b, c) == 0 && waited++ < 600) {
      passes(1);
    }
    assertEquals("the first pass that requeues stops at the limit", 2, preempted(a, b, c));
    passes(50);
    assertEquals("no third within the minute", 2, preempted(a, b, c));
    passes(15);
    assertEquals("the third once the minute is over", 3, preempted(a, b, c));
  }

  /**
   * Per-host limit: a host whose container was requeued loses its DataNode again a few
   * minutes later; the container placed there since keeps running. Fails without the fix:
   * preempted again.
   */
  @Test
  public void aHostIsRequeuedAtMostOncePerCooldown() throws Exception {
    startWithMonitor(conf());
    Container first = localContainerOn("a1h1", 1);
    FakeDataNodeReportSource.down("a1h1", now[0]);
    passes(90);
    assertEquals(1, preempted(first));
    FakeDataNodeReportSource.up("a1h1");
    passes(60);
    Container second = localContainerOn("a1h1", 2);
    FakeDataNodeReportSource.down("a1h1", now[0]);
    passes(120);
    assertTrue("lost again", runtime.getLostNodeNames().contains("a1h1"));
    assertStillRunning(second);
  }
  /**
   * The FairScheduler: the requeued container completes as PREEMPTED (its own preemption
   * path), not KILLED_BY_RESOURCEMANAGER, which MapReduce counts as a failed attempt. Fails
   * without the fix: exit status -106 (KILLED_BY_RESOURCEMANAGER) through killContainer.
   */
  @Test
  public void requeueOnTheFairSchedulerIsAPreemption() throws Exception {
    Configuration conf = conf();
    conf.set(YarnConfiguration.RM_SCHEDULER, FairScheduler.class.getName());
    java.io.File alloc = new java.io.File("target/test-fair-scheduler.xml");
    java.nio.file.Files.write(alloc.toPath(), ("<?xml version=\"1.0\"?><allocations>"
        + "<queue name=\"default\"/><queuePlacementPolicy><rule name=\"specified\"/>"
        + "<rule name=\"default\"/></queuePlacementPolicy></allocations>")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    conf.set("yarn.scheduler.fair.allocation.file", alloc.getAbsolutePath());
    conf.setBoolean("yarn.scheduler.fair.user-as-default-queue", false);
    startWithMonitor(conf);
    Container local = localContainerOn("a1h1", 1);
    FakeDataNodeReportSource.down("a1h1", now[0]);
    int waited = 0;
    while (completedStatus(local.getId()) == null && waited++ < 600) {
      passes(1);
    }
    assertNotNull("requeued", completedStatus(local.getId()));
    assertEquals(ContainerExitStatus.PREEMPTED, completedStatus(local.getId()).getExitStatus());
  }
  /**
   * A scheduler that cannot end a container as PREEMPTED (not an AbstractYarnScheduler): the
   * monitor refuses to start, with one ERROR naming the scheduler, and records nothing.
   */
  @Test
  public void monitorRefusesASchedulerThatCannotPreempt() throws Exception {
    org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler odd =
        org.mockito.Mockito.mock(
            org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler.class);
    org.apache.hadoop.test.GenericTestUtils.LogCapturer logs =
        org.apache.hadoop.test.GenericTestUtils.LogCapturer.captureLogs(
            org.slf4j.LoggerFactory.getLogger(LostDataNodeRequeuePolicy.class));
    LostDataNodeRequeuePolicy refused = new LostDataNodeRequeuePolicy();
    try {
      refused.init(conf(), null, odd);
    } finally {
      logs.stopCapturing();
    }
    String out = logs.getOutput();
    assertTrue(out, out.contains("cannot complete a container as PREEMPTED"));
    assertEquals("one message", out.indexOf("ERROR"), out.lastIndexOf("ERROR"));
    assertFalse(ZonePlacementRuntime.forScheduler(odd, null).getLedger().isRecording());
    refused.editSchedule(); // a no-op, no NPE
  }
}
