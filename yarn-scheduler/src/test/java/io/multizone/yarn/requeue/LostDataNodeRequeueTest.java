package io.multizone.yarn.requeue;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Collections;
import java.util.function.BooleanSupplier;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.ZoneRmTestSupport;
import io.multizone.yarn.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacitySchedulerConfiguration;
import org.junit.After;
import org.junit.Test;

/**
 * Lost DataNode → requeue, end to end in MockRM: the liveness monitor is enabled only by
 * config keys, the DataNode report comes from a fake source; local-data containers on the
 * lost host are preempted (PREEMPTED), AM and non-local containers stay, replacements land
 * on a surviving-replica host.
 */
public class LostDataNodeRequeueTest extends ZoneRmTestSupport {

  private Configuration conf(long graceMs) throws Exception {
    Configuration conf = baseConf(true);
    conf.setBoolean(YarnConfiguration.RM_SCHEDULER_ENABLE_MONITORS, true);
    conf.set(YarnConfiguration.RM_SCHEDULER_MONITOR_POLICIES,
        LostDataNodeRequeuePolicy.class.getName());
    conf.set(ZonePlacementYarnConfig.DATANODE_REPORT_SOURCE_CLASS,
        FakeDataNodeReportSource.class.getName());
    conf.setLong(ZonePlacementYarnConfig.DATANODE_POLL_INTERVAL_MS, 100);
    conf.setLong(ZonePlacementYarnConfig.DATANODE_LOST_AFTER_MS, 1500);
    conf.setLong(ZonePlacementYarnConfig.REQUEUE_GRACE_MS, graceMs);
    return conf;
  }

  @After
  public void allUp() {
    FakeDataNodeReportSource.DOWN_SINCE.clear();
    FakeDataNodeReportSource.unreachable = false;
  }

  private static void waitFor(String what, BooleanSupplier cond, long timeoutMs)
      throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private Container pulledOn(String host, int priority) {
    for (Container c : pulled) {
      if (c.getNodeId().getHost().equals(host)
          && c.getPriority().getPriority() == priority) {
        return c;
      }
    }
    return null;
  }

  /**
   * {@code host}'s DataNode is lost: {@code requeued} must be preempted (PREEMPTED) and
   * {@code kept} left running.
   */
  private void loseDataNodeExpecting(String host, Container requeued, Container kept,
      String keptWhy) throws Exception {
    FakeDataNodeReportSource.down(host, System.currentTimeMillis());
    waitFor("preemption of the local-data container", () -> {
      try {
        return completedStatus(requeued.getId()) != null;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }, 15_000);
    assertEquals(ContainerExitStatus.PREEMPTED,
        completedStatus(requeued.getId()).getExitStatus());
    Thread.sleep(300);
    assertNull(keptWhy, completedStatus(kept.getId()));
    assertNotNull(cs().getRMContainer(kept.getId()));
  }

  /** The newest pulled container of {@code priority} on {@code host} other than {@code not}. */
  private Container otherPulledOn(String host, int priority, Container not) {
    Container found = null;
    for (Container c : pulled) {
      if (c.getNodeId().getHost().equals(host) && !c.getId().equals(not.getId())
          && c.getPriority().getPriority() == priority) {
        found = c;
      }
    }
    return found;
  }

  @Test
  public void localDataContainersArePreemptedAndRerunNearASurvivingReplica() throws Exception {
    requeueEndToEnd(false);
  }

  /** Lazy preemption only marks containers killable: the requeue must still complete them. */
  @Test
  public void requeueCompletesTheContainerWithLazyPreemption() throws Exception {
    requeueEndToEnd(true);
  }

  private void requeueEndToEnd(boolean lazyPreemption) throws Exception {
    Configuration conf = conf(0);
    conf.setBoolean(CapacitySchedulerConfiguration.LAZY_PREEMPTION_ENABLED, lazyPreemption);
    start(conf, 8 * GB);
    assertEquals(lazyPreemption, cs().getConfiguration().getLazyPreemptionEnabled());
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    long losses0 = m.getDataNodeLosses();
    long requeued0 = m.getContainersRequeued();
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);

    // Task with replicas on a1h1 and b1h1: node-local on a1h1.
    ask(1, 1, GB, "a1h1", "b1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    // A container that asked for no location, also on a1h1.
    ask(2, 1, GB);
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    heartbeatAm();
    Container local = pulledOn("a1h1", 1);
    Container anywhere = pulledOn("a1h1", 2);
    assertNotNull(local);
    assertNotNull(anywhere);
    ContainerId amContainer = rm.getRMContext().getRMApps()
        .get(am.getApplicationAttemptId().getApplicationId()).getCurrentAppAttempt()
        .getMasterContainer().getId();

    // a1h1's DataNode (and c2h2's, where the AM runs) stop heartbeating.
    long lastContact = System.currentTimeMillis();
    FakeDataNodeReportSource.down("a1h1", lastContact);
    FakeDataNodeReportSource.down("c2h2", lastContact);
    waitFor("preemption of the local-data container",
        () -> {
          try {
            return completedStatus(local.getId()) != null;
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }, 15_000);
    long detected = System.currentTimeMillis() - lastContact;
    ContainerStatus st = completedStatus(local.getId());
    assertEquals(ContainerExitStatus.PREEMPTED, st.getExitStatus());
    assertTrue("noticed after the 1.5 s threshold: " + detected, detected >= 1500);
    assertEquals(losses0 + 2, m.getDataNodeLosses());
    assertEquals(requeued0 + 1, m.getContainersRequeued());
    assertTrue(runtime.getLostNodeNames().contains("a1h1"));

    // Untouched: the container that did not ask for a1h1, and the AM on c2h2.
    assertNotNull(cs().getRMContainer(anywhere.getId()));
    assertNotNull(cs().getRMContainer(amContainer));
    assertNull(completedStatus(anywhere.getId()));

    // The application reruns the task with the same replica hosts: a1h1 is not data-local
    // any more, b1h1 (the surviving replica) takes it.
    ask(1, 1, GB, "a1h1", "b1h1");
    offer("a1h1");
    assertEquals(Collections.singletonMap("a1h1", 1), liveByHost());
    assertEquals(1, offerUntilAllocated("b1h1", 1));
    assertEquals(Integer.valueOf(1), liveByHost().get("b1h1"));

    // DataNode back: host data-local again.
    FakeDataNodeReportSource.up("a1h1");
    waitFor("a1h1 back", () -> !runtime.getLostNodeNames().contains("a1h1"), 10_000);
    ask(3, 1, GB, "a1h1", "b1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    assertEquals(Integer.valueOf(2), liveByHost().get("a1h1"));
  }

  @Test
  public void gracePeriodDelaysTheRequeue() throws Exception {
    start(conf(60_000), 8 * GB);
    long requeued0 = ZonePlacementMetrics.get().getContainersRequeued();
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    ask(1, 1, GB, "a1h1", "b1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    heartbeatAm();
    FakeDataNodeReportSource.down("a1h1", System.currentTimeMillis());
    waitFor("loss noticed", () -> runtime.getLostNodeNames().contains("a1h1"), 10_000);
    Thread.sleep(500);
    assertEquals("within the grace period nothing is preempted", requeued0,
        ZonePlacementMetrics.get().getContainersRequeued());
    assertEquals(Integer.valueOf(1), liveByHost().get("a1h1"));
  }

  @Test
  public void unreachableNameNodeMeansStockBehaviour() throws Exception {
    start(conf(0), 8 * GB);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    FakeDataNodeReportSource.down("a1h1", System.currentTimeMillis() - 60_000);
    waitFor("loss noticed", () -> runtime.getLostNodeNames().contains("a1h1"), 10_000);
    long failures0 = ZonePlacementMetrics.get().getReportFailures();
    FakeDataNodeReportSource.unreachable = true;
    waitFor("fallback", () -> runtime.getLostNodeNames().isEmpty(), 10_000);
    assertTrue(ZonePlacementMetrics.get().getReportFailures() > failures0);
    // Scheduling goes on; a1h1 is node-local again (nothing known about its DataNode).
    ask(1, 1, GB, "a1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
  }

  @Test
  public void briefReportFailuresKeepTheLostState() throws Exception {
    start(conf(0), 8 * GB);
    ZonePlacementMetrics m = ZonePlacementMetrics.get();
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    FakeDataNodeReportSource.down("a1h1", System.currentTimeMillis() - 60_000);
    waitFor("loss noticed", () -> runtime.getLostNodeNames().contains("a1h1"), 10_000);
    long losses0 = m.getDataNodeLosses();
    long failures0 = m.getReportFailures();
    // The NameNode link flaps, for well under lost-after-ms (1.5 s).
    FakeDataNodeReportSource.unreachable = true;
    waitFor("a failed poll", () -> m.getReportFailures() > failures0, 10_000);
    assertTrue("still lost while the report fails briefly",
        runtime.getLostNodeNames().contains("a1h1"));
    FakeDataNodeReportSource.unreachable = false;
    Thread.sleep(400);
    assertTrue(runtime.getLostNodeNames().contains("a1h1"));
    assertEquals("no second loss for the same DataNode", losses0, m.getDataNodeLosses());
  }

  @Test
  public void unknownReportSourceClassDisablesLivenessButNotScheduling() throws Exception {
    Configuration conf = conf(0);
    conf.set(ZonePlacementYarnConfig.DATANODE_REPORT_SOURCE_CLASS, "no.such.ReportSource");
    start(conf, 8 * GB);
    FakeDataNodeReportSource.down("a1h1", System.currentTimeMillis() - 60_000);
    ask(1, 1, GB, "a1h1");
    Thread.sleep(300);
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    assertTrue(runtime.getLostNodeNames().isEmpty());
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    assertEquals("nothing drains the ledger, so nothing is recorded", 0,
        runtime.getLedger().size());
  }

  @Test
  public void rackTierContainerOfTheSameRequestIsNotRequeued() throws Exception {
    start(conf(0), 8 * GB);
    ask(1, 1, GB, "a1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    heartbeatAm();
    Container local = pulledOn("a1h1", 1);
    Thread.sleep(400); // a monitor pass ties the node-tier record to its container
    // Same priority, now for data on a1h2: lands on a1h1 through the rack tier.
    ask(1, 1, GB, "a1h2");
    assertEquals(3, offerUntilAllocated("a1h1", 10));
    heartbeatAm();
    Container rackLocal = otherPulledOn("a1h1", 1, local);
    assertNotNull(rackLocal);
    assertTrue("newer than the node-local one",
        rackLocal.getId().compareTo(local.getId()) > 0);

    loseDataNodeExpecting("a1h1", local, rackLocal, "rack-tier container left alone");
  }

  @Test
  public void aNewMonitorClosesThePreviousMonitorsReportSource() throws Exception {
    start(conf(0), 8 * GB);
    FakeDataNodeReportSource first = FakeDataNodeReportSource.CREATED
        .get(FakeDataNodeReportSource.CREATED.size() - 1);
    assertFalse(first.closed);
    rm.stop();
    // The RM active again (as after an HA transition): a new monitor and source.
    start(conf(0), 8 * GB);
    FakeDataNodeReportSource second = FakeDataNodeReportSource.CREATED
        .get(FakeDataNodeReportSource.CREATED.size() - 1);
    assertTrue("a second source was created", second != first);
    assertTrue("the previous monitor's source is closed", first.closed);
    assertFalse("the live monitor's source stays open", second.closed);
    // The new monitor works: a loss is still noticed.
    ZonePlacementRuntime runtime = ZonePlacementRuntime.forScheduler(cs(), null);
    FakeDataNodeReportSource.down("b2h2", System.currentTimeMillis() - 60_000);
    waitFor("loss noticed", () -> runtime.getLostNodeNames().contains("b2h2"), 10_000);
  }

  /**
   * The monitor hands the ledger the containers' creation times: a container of the same
   * request already on the node before a node-tier allocation there is not that allocation's
   * (the ledger claims the oldest container created since the allocation). Control: with the
   * creation times left out of the monitor's match, the older off-switch container was
   * claimed and requeued, and the local one left (checked once).
   */
  @Test
  public void aSameRequestContainerOlderThanTheLocalAllocationIsNotRequeued() throws Exception {
    start(conf(0), 8 * GB);
    // Priority 1, no location: off-switch on a1h1.
    ask(1, 1, GB);
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    heartbeatAm();
    Container older = pulledOn("a1h1", 1);
    assertNotNull(older);
    // Older than any margin between a container's creation and its allocation's record.
    Thread.sleep(LocalPlacementLedger.CREATED_BEFORE_RECORD_MS + 500);
    // Same priority, now for data on a1h1: node-local there.
    ask(1, 1, GB, "a1h1");
    assertEquals(1, offerUntilAllocated("a1h1", 1));
    heartbeatAm();
    Container local = otherPulledOn("a1h1", 1, older);
    assertNotNull(local);
    Thread.sleep(400); // a monitor pass ties the node-tier record to its container

    loseDataNodeExpecting("a1h1", local, older, "the older off-switch container left alone");
  }
}
