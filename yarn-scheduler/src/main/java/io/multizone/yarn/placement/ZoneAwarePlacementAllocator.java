package io.multizone.yarn.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.api.records.SchedulingRequest;
import org.apache.hadoop.yarn.server.resourcemanager.RMContext;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AppSchedulingInfo;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.NodeType;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;
import org.apache.hadoop.yarn.server.scheduler.SchedulerRequestKey;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.activities.DiagnosticsCollector;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.common.ContainerRequest;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.common.PendingAsk;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.CandidateNodeSet;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.LocalityAppPlacementAllocator;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.PendingAskUpdateResult;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.SchedulingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Four-tier, zone-aware placement of one request (application, scheduler key): a named host →
 * a host in a named rack → a host in a zone of the named hosts/racks → anywhere.
 *
 * <p>YARN's own node → rack → off-switch delay scheduling stays in charge of the first steps;
 * this allocator adds the zone step by vetoing, in {@link #precheckNode}, nodes outside every
 * wanted zone while any node of a wanted zone has room for the request (free resources, same
 * partition, not reserved, node and rack not blacklisted by the application, heartbeating),
 * and in any case until {@value ZonePlacementYarnConfig#OFF_ZONE_DELAY} off-zone offers were
 * skipped. The room is re-checked every few off-zone offers and before each further off-zone
 * container. An off-zone node then still goes through YARN's own off-switch delay. With
 * multi-node placement, {@link #getPreferredNodeIterator} also offers the candidates in tier
 * order. A host whose DataNode is lost (per the liveness monitor) stops being node-local: its
 * host ask is hidden from the scheduler, so the ask goes to the other named hosts, then rack,
 * zone, anywhere, and no tier offers it to a request that named it while another wanted
 * host has room; a request that may not relax beyond the host keeps it. Enable with
 * {@code yarn.scheduler.app-placement-allocator.class=} this class.
 *
 * <p>The ideas live in their own classes: {@link Locality} (what a request wants),
 * {@link OffZoneGate} (the zone → anywhere step), {@link NodeRoom} (is there room),
 * {@link LostHostMask} (lost DataNodes) and {@link TierOrderIterator} (multi-node order).
 *
 * @param <N> scheduler node type
 */
public class ZoneAwarePlacementAllocator<N extends SchedulerNode>
    extends LocalityAppPlacementAllocator<N> {
  private static final Logger LOG = LoggerFactory.getLogger(ZoneAwarePlacementAllocator.class);

  private ZonePlacementRuntime runtime;
  /** Cached snapshot of the asks; valid while its generation and node count are current. */
  private volatile Locality locality;
  /** Bumped after every change of the asks that may change the wanted hosts/racks/zones. */
  private final AtomicInteger localityGeneration = new AtomicInteger();
  /** Serialises changes to {@link #locality} (not its reads). */
  private final Object localityLock = new Object();
  /** Ask updates naming more names than this recompute the locality from every ask. */
  private static final int MAX_INCREMENTAL_NAMES = 64;
  /** The zone → anywhere step: off-zone delay and room checks. */
  private final OffZoneGate offZone = new OffZoneGate();
  /** What hosts whose DataNode is lost may still do for this request. */
  private LostHostMask lostHosts;

  @Override
  public void initialize(AppSchedulingInfo appSchedulingInfo,
      SchedulerRequestKey schedulerRequestKey, RMContext rmContext) {
    super.initialize(appSchedulingInfo, schedulerRequestKey, rmContext);
    Object key = rmContext != null && rmContext.getScheduler() != null
        ? rmContext.getScheduler() : ZoneAwarePlacementAllocator.class;
    this.runtime = ZonePlacementRuntime.forScheduler(key,
        rmContext != null ? rmContext.getYarnConfiguration() : null);
    this.lostHosts = new LostHostMask(runtime, rmContext, this::getResourceRequests);
  }

  /** @return the shared runtime (configuration, metrics, liveness view) */
  public ZonePlacementRuntime getRuntime() {
    return runtime;
  }

  @Override
  public PendingAskUpdateResult updatePendingAsk(Collection<ResourceRequest> requests,
      boolean recoverPreemptedRequestForAContainer) {
    try {
      return super.updatePendingAsk(requests, recoverPreemptedRequestForAContainer);
    } finally {
      List<String> names = new ArrayList<>(requests.size());
      for (ResourceRequest r : requests) {
        names.add(r.getResourceName());
      }
      askChanged(names);
    }
  }

  @Override
  public PendingAskUpdateResult updatePendingAsk(SchedulerRequestKey schedulerRequestKey,
      SchedulingRequest schedulingRequest, boolean recoverPreemptedRequestForAContainer) {
    return super.updatePendingAsk(schedulerRequestKey, schedulingRequest,
        recoverPreemptedRequestForAContainer);
  }

  /**
   * A host whose DataNode is lost is not data-local: its host ask is hidden, unless the
   * request may not relax beyond that host (see {@link LostHostMask#isHidden}).
   */
  @Override
  public PendingAsk getPendingAsk(String resourceName) {
    if (lostHosts.isHidden(resourceName)) {
      return PendingAsk.ZERO;
    }
    return super.getPendingAsk(resourceName);
  }

  @Override
  public int getOutstandingAsksCount(String resourceName) {
    if (lostHosts.isHidden(resourceName)) {
      return 0;
    }
    return super.getOutstandingAsksCount(resourceName);
  }

  /**
   * Multi-node placement: the sorter's order, stably partitioned by tier, so a located request
   * tries its named hosts (DataNode not lost) first, then nodes of a named rack, then of a
   * wanted zone, then the rest. Without this the sorter (by utilisation) decides alone and
   * YARN's missed-opportunity count can run out on rack/zone nodes met before a free named
   * host. Delay scheduling and the off-zone veto are unchanged; only the order differs.
   * A single-node candidate set, an ANY-only request or a disabled zone tier get the stock
   * iterator untouched.
   *
   * @param candidateNodeSet the nodes the scheduler may use
   * @return the nodes to try, best tier first
   */
  @Override
  public Iterator<N> getPreferredNodeIterator(CandidateNodeSet<N> candidateNodeSet) {
    if (candidateNodeSet.getAllNodes().size() <= 1
        || !runtime.getConfig().isZoneTierEnabled()) {
      return super.getPreferredNodeIterator(candidateNodeSet);
    }
    Locality l = locality();
    if (!l.located()) {
      return super.getPreferredNodeIterator(candidateNodeSet);
    }
    return new TierOrderIterator<>(super.getPreferredNodeIterator(candidateNodeSet), l,
        lostHosts.hidden(), runtime.getZoneResolver());
  }

  @Override
  public boolean precheckNode(SchedulerNode node, SchedulingMode schedulingMode,
      Optional<DiagnosticsCollector> dcOpt) {
    if (!super.precheckNode(node, schedulingMode, dcOpt)) {
      return false;
    }
    if (lostHosts.isLost(node.getNodeName())
        && !lostHosts.mayTake(node, locality(), this::hasRoom)) {
      LOG.debug("Lost-host mask: {} not offered to {} {}, which named data there",
          node.getNodeName(), appSchedulingInfo.getApplicationAttemptId(),
          schedulerRequestKey.getPriority());
      return false;
    }
    if (!runtime.getConfig().isZoneTierEnabled()) {
      return true;
    }
    Locality l = locality();
    if (l.zones.isEmpty() || !l.relaxToAny) {
      return true;
    }
    String zone = runtime.getZoneResolver().zoneOf(node.getRackName());
    if (zone == null || l.zones.contains(zone)) {
      return true;
    }
    int configured = runtime.getConfig().getOffZoneDelay();
    ZoneResolver zones = runtime.getZoneResolver();
    if (offZone.allows(configured < 0 ? numClusterNodes() : configured,
        () -> hasRoom(n -> l.wantsZone(zones.zoneOf(n.getRackName()))))) {
      LOG.debug("Zone tier: off-zone node {} ({}) accepted for {} {} after {} skipped offers",
          node.getNodeName(), zone, appSchedulingInfo.getApplicationAttemptId(),
          schedulerRequestKey.getPriority(), offZone.vetoes());
      return true;
    }
    offZone.vetoed();
    runtime.getMetrics().offZoneOfferSkipped();
    LOG.debug("Zone tier: skipping off-zone node {} ({}) for {} {}", node.getNodeName(), zone,
        appSchedulingInfo.getApplicationAttemptId(), schedulerRequestKey);
    return false;
  }

  private int numClusterNodes() {
    ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
    return s == null ? 0 : Math.max(s.getNumClusterNodes(), 0);
  }

  /** Whether a node accepted by {@code wanted} could take this request now. */
  private boolean hasRoom(Predicate<SchedulerNode> wanted) {
    return NodeRoom.anyNodeHasRoom(rmContext, appSchedulingInfo,
        super.getPendingAsk(ResourceRequest.ANY).getPerAllocationResource(),
        getPrimaryRequestedNodePartition(), wanted);
  }

  @Override
  public ContainerRequest allocate(SchedulerRequestKey schedulerKey, NodeType type,
      SchedulerNode node) {
    Locality l = locality();
    PlacementTier tier = classify(l, node, type);
    int namesBefore = getUniqueLocationAsks();
    ContainerRequest request = super.allocate(schedulerKey, type, node);
    if (getUniqueLocationAsks() != namesBefore) {
      // A host/rack ask reached zero and left the map (allocate decrements only the node's
      // host, the node's rack and ANY).
      askChanged(Arrays.asList(node.getNodeName(), node.getRackName(), ResourceRequest.ANY));
    }
    runtime.getMetrics().placed(tier);
    // A node-local container on a lost host comes from an ask that cannot relax (else the
    // host ask is hidden): requeueing it would only bring it back, so it is not recorded.
    if (tier == PlacementTier.NODE && type == NodeType.NODE_LOCAL
        && !lostHosts.isLost(node.getNodeName())) {
      runtime.getLedger().recordLocal(node.getNodeID(),
          appSchedulingInfo.getApplicationAttemptId(), schedulerKey);
    }
    offZone.allocated(tier == PlacementTier.OFF_ZONE);
    if (LOG.isDebugEnabled()) {
      LOG.debug("Allocated {} {} on {} as {} (scheduler type {})",
          appSchedulingInfo.getApplicationAttemptId(), schedulerKey.getPriority(),
          node.getNodeName(), tier, type);
    }
    return request;
  }

  /**
   * Classifies where a container on {@code node} lands relative to the request's asks.
   *
   * @param l the request's locality before this allocation
   * @param node the node chosen
   * @param type YARN's locality type of the allocation
   * @return the tier
   */
  PlacementTier classify(Locality l, SchedulerNode node, NodeType type) {
    if (!l.located()) {
      return PlacementTier.NONE;
    }
    if (type == NodeType.NODE_LOCAL
        || (l.hosts.contains(node.getNodeName()) && !lostHosts.isHidden(node.getNodeName()))) {
      return PlacementTier.NODE;
    }
    if (l.racks.contains(node.getRackName())) {
      return PlacementTier.RACK;
    }
    if (l.wantsZone(runtime.getZoneResolver().zoneOf(node.getRackName()))) {
      return PlacementTier.ZONE;
    }
    return PlacementTier.OFF_ZONE;
  }

  /** @return the tier a container on {@code node} would land in for the current asks */
  public PlacementTier tierOf(SchedulerNode node, NodeType type) {
    return classify(locality(), node, type);
  }

  /**
   * The asks named {@code names} may have changed (the ask map is already updated). When
   * the current snapshot is valid and few names changed, the snapshot follows them in place
   * (O(names)); else it is recomputed from every ask at the next read. ANY gone or its
   * relaxLocality changed always recompute. Runs under {@link #localityLock}, so changes and
   * installs of snapshots are serialised; a snapshot computed meanwhile from the new asks
   * gets the same changes again, which are idempotent.
   */
  private void askChanged(Collection<String> names) {
    synchronized (localityLock) {
      Locality l = locality;
      if (l == null || l.generation() != localityGeneration.get() || !l.located()
          || names.size() > MAX_INCREMENTAL_NAMES) {
        invalidateLocality();
        return;
      }
      Map<String, ResourceRequest> asks = getResourceRequests();
      ResourceRequest any = asks.get(ResourceRequest.ANY);
      if (any == null || asks.size() <= 1 || any.getRelaxLocality() != l.relaxToAny) {
        invalidateLocality();
        return;
      }
      ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
      for (String name : names) {
        if (ResourceRequest.ANY.equals(name)) {
          continue;
        }
        ResourceRequest now = asks.get(name);
        boolean wanted = now != null && now.getNumContainers() > 0;
        if (name.startsWith("/")) {
          if (wanted) {
            l.addRackAsk(name);
          } else {
            l.dropRackAsk(name);
          }
        } else if (!wanted) {
          l.dropHost(name);
        } else if (!l.hosts.contains(name)) {
          int nodes = numClusterNodes();
          String rack = s == null ? null : runtime.rackOfAnyHost(name, s);
          if (rack == null) {
            l.pinClusterNodes(nodes);
          }
          l.addHost(name, rack);
        }
      }
      l.advanceTo(localityGeneration.incrementAndGet());
    }
  }

  /** Called after the asks changed (the map is mutated first, then the generation bumped). */
  private void invalidateLocality() {
    synchronized (localityLock) {
      localityGeneration.incrementAndGet();
      locality = null;
    }
  }

  /**
   * The request's locality. Computed lazily without YARN's lock, so it may race with an ask
   * update: a snapshot is used only while no update happened since its asks were read (its
   * generation is current) and, if a named host was not in the cluster then (e.g. not yet
   * re-registered after an RM failover), while the cluster's node count is unchanged.
   */
  Locality locality() {
    Locality l = locality;
    int gen = localityGeneration.get();
    if (l != null && l.generation() == gen
        && (l.clusterNodes() < 0 || l.clusterNodes() == numClusterNodes())) {
      return l;
    }
    l = computeLocality(gen);
    synchronized (localityLock) {
      if (localityGeneration.get() == gen) {
        locality = l;
      }
    }
    return l;
  }

  private Locality computeLocality(int generation) {
    Map<String, ResourceRequest> asks = getResourceRequests();
    ResourceRequest any = asks.get(ResourceRequest.ANY);
    if (any == null || asks.size() <= 1) {
      return Locality.none(generation);
    }
    // Read before the lookups: a host joining during them changes the count afterwards.
    int nodes = numClusterNodes();
    ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
    Locality.Builder b = new Locality.Builder(runtime.getZoneResolver(), any.getRelaxLocality(),
        generation);
    for (Map.Entry<String, ResourceRequest> e : asks.entrySet()) {
      String name = e.getKey();
      if (ResourceRequest.ANY.equals(name) || e.getValue().getNumContainers() <= 0) {
        continue;
      }
      if (name.startsWith("/")) {
        b.rackAsk(name);
      } else {
        // NodeManager hosts from the scheduler, others (DataNode-only hosts) through the RM's
        // topology: the AM's own rack asks may be /default-rack.
        b.host(name, s == null ? null : runtime.rackOfAnyHost(name, s));
      }
    }
    return b.build(nodes);
  }

}
