package io.multizone.yarn.placement;

import java.util.Set;
import java.util.function.Predicate;

import org.apache.hadoop.util.Time;
import org.apache.hadoop.yarn.api.records.NodeState;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.RMContext;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AbstractYarnScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AppSchedulingInfo;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;
import org.apache.hadoop.yarn.util.resource.ResourceCalculator;
import org.apache.hadoop.yarn.util.resource.Resources;

/**
 * Whether some node could take a request now: the "room" behind the off-zone veto and the
 * lost-host refusal.
 *
 * <p>Runs under YARN's AppSchedulingInfo read lock (precheckNode), so it must not touch the
 * application attempt: its lock is taken before the AppSchedulingInfo one by the AM's
 * allocate call. The blacklist is therefore the AppSchedulingInfo's (the application's own;
 * the system's applies to AM containers only), checked for the node and its rack like
 * {@code SchedulerAppUtils#isPlaceBlacklisted}.
 */
final class NodeRoom {
  private NodeRoom() {
  }

  /**
   * @param rmContext the RM context (scheduler, configuration)
   * @param app the request's AppSchedulingInfo (blacklist)
   * @param capability one container of the request
   * @param partition the request's node partition
   * @param wanted which nodes count
   * @return whether a node accepted by {@code wanted} could take one container now: same
   *     partition, room as the scheduler's own ResourceCalculator sees it (the
   *     CapacityScheduler's default one compares memory only, the dominant-resource one
   *     every type), no reservation holding it, not blacklisted for the app, running and
   *     heartbeating in the last 3 intervals (a silent node may be dead but not expired yet)
   */
  static boolean anyNodeHasRoom(RMContext rmContext, AppSchedulingInfo app, Resource capability,
      String partition, Predicate<SchedulerNode> wanted) {
    ResourceScheduler s = rmContext.getScheduler();
    if (!(s instanceof AbstractYarnScheduler)) {
      return false;
    }
    AbstractYarnScheduler<?, ?> sched = (AbstractYarnScheduler<?, ?>) s;
    Set<String> blacklist = null;
    ResourceCalculator rc = sched.getResourceCalculator();
    long staleAfterMs = 3 * rmContext.getYarnConfiguration().getLong(
        YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS,
        YarnConfiguration.DEFAULT_RM_NM_HEARTBEAT_INTERVAL_MS);
    // Cheapest and most selective first: on a busy cluster most nodes fail the fit.
    for (SchedulerNode n : sched.getNodeTracker().getAllNodes()) {
      if (!Resources.fitsIn(rc, capability, n.getUnallocatedResource())
          || n.getReservedContainer() != null || !partition.equals(n.getPartition())
          || !wanted.test(n)
          || Time.monotonicNow() - n.getLastHeartbeatMonotonicTime() > staleAfterMs
          || n.getRMNode() == null || n.getRMNode().getState() != NodeState.RUNNING) {
        continue;
      }
      if (blacklist == null) {
        blacklist = app.getBlackListCopy();
      }
      if (blacklist.isEmpty() || !(blacklist.contains(n.getNodeName())
          || blacklist.contains(n.getRackName()))) {
        return true;
      }
    }
    return false;
  }
}
