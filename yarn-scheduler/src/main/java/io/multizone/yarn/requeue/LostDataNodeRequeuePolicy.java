package io.multizone.yarn.requeue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.liveness.DataNodeLivenessTracker;
import io.multizone.yarn.liveness.DataNodeReportSource;
import io.multizone.yarn.liveness.DfsDataNodeReportSource;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.util.ReflectionUtils;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.server.resourcemanager.RMContext;
import org.apache.hadoop.yarn.server.resourcemanager.monitor.SchedulingEditPolicy;
import org.apache.hadoop.yarn.server.resourcemanager.rmcontainer.RMContainer;
import org.apache.hadoop.yarn.server.resourcemanager.rmcontainer.RMContainerEventType;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AbstractYarnScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerApplicationAttempt;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerUtils;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.ContainerPreemptEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.SchedulerEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduler monitor that follows the NameNode's DataNode report, tells the zone-aware
 * placement allocators which hosts lost their DataNode, and requeues (preempts, exit status
 * PREEMPTED) containers that were placed on such a host for its local data once the grace
 * period has passed. AM containers and containers placed there for another reason (rack,
 * zone, anywhere) are left alone; when the DataNode is back the host is data-local again.
 *
 * <p>Enable with {@code yarn.resourcemanager.scheduler.monitor.enable=true} and this class in
 * {@code yarn.resourcemanager.scheduler.monitor.policies} (comma-separated with other
 * policies). If the NameNode cannot be asked, scheduling continues with stock behaviour.
 */
public class LostDataNodeRequeuePolicy implements SchedulingEditPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(LostDataNodeRequeuePolicy.class);
  /**
   * The report source of the newest monitor in this JVM. YARN's SchedulingEditPolicy has no
   * stop hook, and an RM that becomes active again (HA transition) creates a new monitor, so
   * the next init closes the previous monitor's source (its HDFS client).
   */
  private static final AtomicReference<DataNodeReportSource> OPEN = new AtomicReference<>();
  /** Wall clock of the monitor passes; tests drive it to replay a timeline. */
  static volatile LongSupplier clock = System::currentTimeMillis;

  private RMContext rmContext;
  private ResourceScheduler scheduler;
  private ZonePlacementRuntime runtime;
  private DataNodeReportSource source;
  private DataNodeLivenessTracker tracker;
  private final Map<NodeId, Long> lostSince = new HashMap<>();
  private final Set<ContainerId> requeued = new HashSet<>();
  /** Per host: when its containers were last preempted (the per-host rate limit). */
  private final Map<NodeId, Long> lastRequeueMs = new HashMap<>();
  /** Hosts whose current loss was already logged as held back by the per-host limit. */
  private final Set<NodeId> cooldownLogged = new HashSet<>();
  /** Times of the preemptions of the last minute (the cluster-wide rate limit). */
  private final java.util.ArrayDeque<Long> recentRequeues = new java.util.ArrayDeque<>();
  private boolean rateLimitLogged;
  /** Start of the current run of failed polls, -1 when the last poll answered. */
  private long failingSinceMs = -1;
  /** Whether the current run of failures has outlasted the hold and fell back to stock. */
  private boolean fellBack;
  private long interval = ZonePlacementYarnConfig.DEFAULT_DATANODE_POLL_INTERVAL_MS;

  @Override
  public void init(Configuration config, RMContext context, ResourceScheduler sched) {
    this.rmContext = context;
    this.scheduler = sched;
    this.runtime = ZonePlacementRuntime.forScheduler(sched, config);
    ZonePlacementYarnConfig cfg = runtime.getConfig();
    this.interval = cfg.getPollIntervalMs();
    this.tracker = new DataNodeLivenessTracker(cfg.getLostAfterMs(),
        cfg.getLostConfirmPolls());
    if (!(sched instanceof AbstractYarnScheduler)) {
      // Requeue must end a container as PREEMPTED (not a task failure); only the schedulers
      // built on AbstractYarnScheduler offer that call.
      LOG.error("DataNode liveness and requeue disabled: scheduler {} cannot complete a "
          + "container as PREEMPTED (needs an AbstractYarnScheduler: CapacityScheduler, "
          + "FairScheduler or FifoScheduler); remove {} from "
          + "yarn.resourcemanager.scheduler.monitor.policies",
          sched == null ? null : sched.getClass().getName(), getClass().getName());
      runtime.getLedger().setRecording(false);
      return;
    }
    String cls = cfg.getReportSourceClass();
    try {
      Class<?> c = cls == null ? DfsDataNodeReportSource.class
          : Class.forName(cls, true, Thread.currentThread().getContextClassLoader() != null
              ? Thread.currentThread().getContextClassLoader() : getClass().getClassLoader());
      if (!DataNodeReportSource.class.isAssignableFrom(c)) {
        throw new IOException(cls + " does not implement " + DataNodeReportSource.class
            .getName());
      }
      DataNodeReportSource s = (DataNodeReportSource) ReflectionUtils.newInstance(c, config);
      s.init(config, cfg);
      this.source = s;
      closePrevious(OPEN.getAndSet(s));
      LOG.info("DataNode liveness: following {} every {} ms, lost after {} ms without "
          + "contact in {} consecutive reports, requeue {} (grace {} ms, at most once per "
          + "host every {} ms, at most {} containers a minute)", s.describe(), interval,
          cfg.getLostAfterMs(), cfg.getLostConfirmPolls(),
          cfg.isRequeueEnabled() ? "on" : "off", cfg.getRequeueGraceMs(),
          cfg.getRequeueHostCooldownMs(), cfg.getRequeueMaxPerMinute());
    } catch (ClassNotFoundException e) {
      LOG.warn("DataNode liveness disabled: class '{}' of {} not found; scheduling continues "
          + "with stock behaviour", cls, ZonePlacementYarnConfig.DATANODE_REPORT_SOURCE_CLASS);
    } catch (IOException | RuntimeException e) {
      LOG.warn("DataNode liveness disabled: {}; scheduling continues with stock behaviour",
          e.getMessage());
    }
    // Only a monitor with a source drains the ledger; without one it must not fill up.
    runtime.getLedger().setRecording(source != null && cfg.isRequeueEnabled());
  }

  private static void closePrevious(DataNodeReportSource previous) {
    if (previous == null) {
      return;
    }
    try {
      previous.close();
      LOG.info("Closed the DataNode report source of the previous scheduler monitor ({})",
          previous.describe());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Closing the previous DataNode report source ({}) failed: {}",
          previous.describe(), e.toString());
    }
  }

  @Override
  public void editSchedule() {
    if (source == null) {
      return;
    }
    long now = clock.getAsLong();
    List<DataNodeLivenessTracker.Transition> changes;
    try {
      changes = tracker.update(source.report(), now);
      if (failingSinceMs >= 0) {
        LOG.info("DataNode report from {} answers again", source.describe());
        failingSinceMs = -1;
        fellBack = false;
      }
    } catch (IOException | RuntimeException e) {
      reportFailed(now, e);
      return;
    }
    for (DataNodeLivenessTracker.Transition t : changes) {
      if (t.isLost()) {
        runtime.getMetrics().dataNodeLost(t.getDetectionDelayMs());
        LOG.info("DataNode {} lost: no contact with the NameNode for {} ms", t.getDataNode(),
            t.getDetectionDelayMs());
      } else {
        runtime.getMetrics().dataNodeRecovered();
        LOG.info("DataNode {} is back: its host is data-local again", t.getDataNode());
      }
    }
    runtime.getMetrics().setLostDataNodes(tracker.snapshot().lostIds().size());
    applyLiveness(tracker.snapshot(), now);
  }

  /**
   * A failed poll. For up to lost-after-ms of consecutive failures the last known state is
   * kept (lost hosts stay lost, their grace clocks keep running, no new requeue), so a
   * flapping NameNode link neither restarts the grace period nor repeats losses; after that,
   * every host is treated as live (stock behaviour) until the report answers.
   */
  private void reportFailed(long now, Exception e) {
    runtime.getMetrics().reportFailed();
    long holdMs = runtime.getConfig().getLostAfterMs();
    if (failingSinceMs < 0) {
      failingSinceMs = now;
      LOG.warn("DataNode report from {} ({}) failed: {}; keeping the last known DataNode "
          + "state for up to {} ms, then treating every host as live (stock behaviour) until "
          + "it answers", source.describe(), ZonePlacementYarnConfig.DATANODE_NAMENODE_URI,
          e.toString(), holdMs);
    }
    if (now - failingSinceMs < holdMs) {
      if (scheduler instanceof AbstractYarnScheduler) {
        matchLedger((AbstractYarnScheduler<?, ?>) scheduler, now);
      }
      return;
    }
    if (!fellBack) {
      LOG.warn("DataNode report from {} still failing after {} ms ({}); treating every host "
          + "as live until it answers", source.describe(), now - failingSinceMs, e.toString());
      fellBack = true;
    }
    tracker.reset();
    lostSince.clear();
    if (scheduler instanceof AbstractYarnScheduler) {
      matchLedger((AbstractYarnScheduler<?, ?>) scheduler, now);
    }
    runtime.setLostNodeNames(Collections.<String>emptySet());
    runtime.getMetrics().setLostDataNodes(0);
  }

  /** Publishes lost hosts to the allocators and requeues containers past the grace period. */
  void applyLiveness(DataNodeLivenessTracker.Snapshot snap, long now) {
    if (!(scheduler instanceof AbstractYarnScheduler)) {
      return;
    }
    AbstractYarnScheduler<?, ?> sched = (AbstractYarnScheduler<?, ?>) scheduler;
    Set<String> lostNames = new HashSet<>();
    Set<NodeId> stillLost = new HashSet<>();
    List<SchedulerNode> lostNodes = new ArrayList<>();
    for (SchedulerNode n : sched.getNodeTracker().getAllNodes()) {
      if (snap.isHostLost(n.getNodeID().getHost())) {
        lostNames.add(n.getNodeName());
        stillLost.add(n.getNodeID());
        lostNodes.add(n);
        lostSince.putIfAbsent(n.getNodeID(), now);
      }
    }
    lostSince.keySet().retainAll(stillLost);
    cooldownLogged.retainAll(stillLost);
    runtime.setLostNodeNames(lostNames);
    matchLedger(sched, now);
    ZonePlacementYarnConfig cfg = runtime.getConfig();
    if (!cfg.isRequeueEnabled()) {
      return;
    }
    while (!recentRequeues.isEmpty() && now - recentRequeues.peekFirst() >= 60_000L) {
      recentRequeues.pollFirst();
    }
    for (SchedulerNode n : lostNodes) {
      long since = lostSince.get(n.getNodeID());
      if (now - since >= cfg.getRequeueGraceMs() && mayRequeueHost(n, since, now, cfg)) {
        requeueOn(sched, n, now, cfg);
      }
    }
  }

  /**
   * Per-host rate limit: a host whose containers were preempted during an earlier loss is
   * left alone for {@value ZonePlacementYarnConfig#REQUEUE_HOST_COOLDOWN_MS} after that.
   */
  private boolean mayRequeueHost(SchedulerNode n, long lostSinceMs, long now,
      ZonePlacementYarnConfig cfg) {
    Long last = lastRequeueMs.get(n.getNodeID());
    if (last == null || last >= lostSinceMs || now - last >= cfg.getRequeueHostCooldownMs()) {
      return true;
    }
    if (cooldownLogged.add(n.getNodeID()) && !runtime.getLedger()
        .localContainers(n.getNodeID()).isEmpty()) {
      LOG.info("DataNode of {} lost again {} ms after its containers were requeued: leaving "
          + "them running (at most one requeue per host every {} ms, {})", n.getNodeName(),
          now - last, cfg.getRequeueHostCooldownMs(),
          ZonePlacementYarnConfig.REQUEUE_HOST_COOLDOWN_MS);
    }
    return false;
  }

  private void requeueOn(AbstractYarnScheduler<?, ?> sched, SchedulerNode node, long now,
      ZonePlacementYarnConfig cfg) {
    LocalPlacementLedger ledger = runtime.getLedger();
    for (ContainerId id : ledger.localContainers(node.getNodeID())) {
      RMContainer c = sched.getRMContainer(id);
      if (c == null || c.isAMContainer() || requeued.contains(id)) {
        ledger.forget(node.getNodeID(), id);
        continue;
      }
      if (recentRequeues.size() >= cfg.getRequeueMaxPerMinute()) {
        if (!rateLimitLogged) {
          LOG.warn("{} containers requeued in the last minute ({} = {}): further requeues wait",
              recentRequeues.size(), ZonePlacementYarnConfig.REQUEUE_MAX_PER_MINUTE,
              cfg.getRequeueMaxPerMinute());
          rateLimitLogged = true;
        }
        return;
      }
      rateLimitLogged = false;
      ledger.forget(node.getNodeID(), id);
      requeued.add(id);
      recentRequeues.addLast(now);
      lastRequeueMs.put(node.getNodeID(), now);
      LOG.info("Requeue {} of {} on {}: placed there for local data and the host's DataNode "
          + "is lost; preempting so the application reruns it near a live replica",
          id, c.getApplicationAttemptId(), node.getNodeName());
      kill(sched, c);
      runtime.getMetrics().containerRequeued();
    }
  }

  /**
   * Preempts {@code c}: completes it with exit status PREEMPTED, which kills it on its
   * NodeManager and tells the AM (MapReduce, Spark and Tez rerun a preempted task without
   * counting a failure; {@code killContainer} would give KILLED_BY_RESOURCEMANAGER, which
   * MapReduce counts as a failed attempt).
   *
   * <p>CapacityScheduler without lazy preemption: MARK_CONTAINER_FOR_KILLABLE does exactly
   * that (under the scheduler's write lock, on its event thread). Otherwise (lazy preemption,
   * which only marks a container killable, the FairScheduler, the FifoScheduler) the monitor
   * makes the call each of them makes for its own preemption:
   * {@code completedContainer(c, PREEMPTED status, KILL)} (the FairScheduler's preemption
   * thread does it the same way; the scheduler takes its own locks, and the RMContainer state
   * machine makes a concurrent completion by the NodeManager harmless).
   */
  private void kill(AbstractYarnScheduler<?, ?> sched, RMContainer c) {
    if (sched instanceof CapacityScheduler
        && !((CapacityScheduler) sched).getConfiguration().getLazyPreemptionEnabled()) {
      rmContext.getDispatcher().getEventHandler().handle(new ContainerPreemptEvent(
          c.getApplicationAttemptId(), c, SchedulerEventType.MARK_CONTAINER_FOR_KILLABLE));
    } else {
      sched.completedContainer(c, SchedulerUtils.createPreemptedContainerStatus(
          c.getContainerId(), SchedulerUtils.PREEMPTED_CONTAINER), RMContainerEventType.KILL);
    }
  }

  private static Map<LocalPlacementLedger.Key, List<ContainerId>> runningByKey(
      List<RMContainer> running) {
    Map<LocalPlacementLedger.Key, List<ContainerId>> byKey = new HashMap<>();
    for (RMContainer c : running) {
      if (c.isAMContainer() || c.getAllocatedSchedulerKey() == null) {
        continue;
      }
      byKey.computeIfAbsent(new LocalPlacementLedger.Key(c.getApplicationAttemptId(),
          c.getAllocatedSchedulerKey()), k -> new ArrayList<>()).add(c.getContainerId());
    }
    return byKey;
  }

  private static Map<ContainerId, Long> createdMs(List<RMContainer> running) {
    Map<ContainerId, Long> created = new HashMap<>();
    for (RMContainer c : running) {
      created.put(c.getContainerId(), c.getCreationTime());
    }
    return created;
  }

  /** Matches fresh local-placement records to containers; drops finished ones. */
  private void matchLedger(AbstractYarnScheduler<?, ?> sched, long now) {
    LocalPlacementLedger ledger = runtime.getLedger();
    for (NodeId id : ledger.nodes()) {
      SchedulerNode node = sched.getSchedulerNode(id);
      List<RMContainer> running = node == null
          ? Collections.<RMContainer>emptyList() : node.getCopiedListOfRunningContainers();
      ledger.match(id, runningByKey(running), createdMs(running), now);
    }
    requeued.removeIf(cid -> sched.getRMContainer(cid) == null);
  }

  @Override
  public long getMonitoringInterval() {
    return interval;
  }

  @Override
  public String getPolicyName() {
    return "LostDataNodeRequeuePolicy";
  }
}
