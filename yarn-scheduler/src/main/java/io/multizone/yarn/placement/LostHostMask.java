package io.multizone.yarn.placement;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.server.resourcemanager.RMContext;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;

/**
 * What a host whose DataNode is lost (per the liveness monitor) may still do for one
 * request. Its host ask is hidden, so the ask goes to the other named hosts, then rack,
 * zone, anywhere; and no tier offers it to a request that named it while another wanted
 * host has room. A request that may not relax beyond the host keeps it in both respects,
 * else YARN would never schedule it.
 */
final class LostHostMask {
  private final ZonePlacementRuntime runtime;
  private final RMContext rmContext;
  private final Supplier<Map<String, ResourceRequest>> asks;

  /**
   * @param runtime the shared runtime (lost hosts, racks of hosts)
   * @param rmContext the RM context (scheduler)
   * @param asks the request's current asks by resource name
   */
  LostHostMask(ZonePlacementRuntime runtime, RMContext rmContext,
      Supplier<Map<String, ResourceRequest>> asks) {
    this.runtime = runtime;
    this.rmContext = rmContext;
    this.asks = asks;
  }

  /** @return whether {@code host}'s DataNode is lost */
  boolean isLost(String host) {
    Set<String> lost = runtime.getLostNodeNames();
    return !lost.isEmpty() && lost.contains(host);
  }

  /**
   * @return whether {@code host} is a lost host whose ask is hidden: only if the request can
   *     be placed elsewhere, else a strict (relaxLocality=false) request would be skipped
   *     forever
   */
  boolean isHidden(String host) {
    return isLost(host) && canRelaxBeyondHost(host);
  }

  /**
   * Whether YARN would place this request elsewhere once {@code host}'s ask is hidden: the
   * rack ask for the host's rack, if pending, and the ANY ask must allow relaxing
   * ({@code canDelayTo}). A strict ANY is required even when the rack may relax: YARN then
   * skips the priority on every node without counting a missed opportunity, so the
   * node-locality delay never passes and a rack-local container never comes.
   */
  boolean canRelaxBeyondHost(String host) {
    Map<String, ResourceRequest> m = asks.get();
    ResourceRequest any = m.get(ResourceRequest.ANY);
    if (any != null && !any.getRelaxLocality()) {
      return false;
    }
    ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
    String rack = s == null ? null : runtime.rackOfHost(host, s);
    ResourceRequest r = rack == null ? null : m.get(rack);
    return r == null || r.getNumContainers() <= 0 || r.getRelaxLocality();
  }

  /** @return the lost hosts whose asks are hidden (usually all, or none) */
  Set<String> hidden() {
    Set<String> lost = runtime.getLostNodeNames();
    Set<String> hidden = lost;
    for (String h : lost) {
      if (!canRelaxBeyondHost(h)) {
        if (hidden == lost) {
          hidden = new HashSet<>(lost);
        }
        hidden.remove(h);
      }
    }
    return hidden;
  }

  /**
   * Whether the lost host {@code node} may take this request through any tier. Not when the
   * request named data there (a rerun of a task that read it) and another host of a wanted
   * rack or zone, or a named host whose DataNode lives, has room: else the rack tier would
   * send the rerun straight back. A request that cannot relax beyond the host, or that has
   * no other place, keeps it.
   *
   * @param node a host whose DataNode is lost
   * @param l the request's locality
   * @param hasRoom whether a node accepted by the predicate could take the request now
   */
  boolean mayTake(SchedulerNode node, Locality l, Predicate<Predicate<SchedulerNode>> hasRoom) {
    String name = node.getNodeName();
    if (!l.hosts.contains(name) || !canRelaxBeyondHost(name)) {
      return true;
    }
    Set<String> lost = runtime.getLostNodeNames();
    ZoneResolver zones = runtime.getZoneResolver();
    return !hasRoom.test(n -> !lost.contains(n.getNodeName())
        && (l.hosts.contains(n.getNodeName()) || l.racks.contains(n.getRackName())
            || l.wantsZone(zones.zoneOf(n.getRackName()))));
  }
}
