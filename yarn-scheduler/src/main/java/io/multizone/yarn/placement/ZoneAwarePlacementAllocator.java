package io.multizone.yarn.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.multizone.yarn.ZonePlacementRuntime;
import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.util.Time;
import org.apache.hadoop.yarn.api.records.NodeState;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.api.records.SchedulingRequest;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.RMContext;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AbstractYarnScheduler;
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
import org.apache.hadoop.yarn.util.resource.ResourceCalculator;
import org.apache.hadoop.yarn.util.resource.Resources;
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
 * zone, anywhere; a request that may not relax beyond the host keeps it. Enable with
 * {@code yarn.scheduler.app-placement-allocator.class=} this class.
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
  /** Off-zone offers skipped since the last in-zone allocation (the off-zone delay). */
  private final AtomicInteger offZoneVetoes = new AtomicInteger();
  /** Off-zone offers past the delay, accepted or not: the room re-check cadence. */
  private final AtomicInteger offZoneOffers = new AtomicInteger();
  private static final int ROOM_RECHECK_OFFERS = 8;
  /** {@link #offZoneOffers} at the last room check (compared wrap-safe). */
  private volatile int roomCheckedAtOffer;
  /** Set by every allocation: check the room at the next off-zone offer. */
  private volatile boolean roomCheckDue = true;
  private volatile boolean zoneHasRoom = true;

  /** Hosts, racks and zones a request currently asks for (immutable snapshot). */
  static final class Locality {
    final Set<String> hosts;
    final Set<String> racks;
    final Set<String> zones;
    final boolean relaxToAny;
    /** {@link #localityGeneration} read before the asks were. */
    final int generation;
    /** Cluster node count when computed, if a named host had no rack then; else -1. */
    final int clusterNodes;

    Locality(Set<String> hosts, Set<String> racks, Set<String> zones, boolean relaxToAny,
        int generation, int clusterNodes) {
      this.hosts = hosts;
      this.racks = racks;
      this.zones = zones;
      this.relaxToAny = relaxToAny;
      this.generation = generation;
      this.clusterNodes = clusterNodes;
    }

    boolean located() {
      return !hosts.isEmpty() || !racks.isEmpty();
    }
  }

  @Override
  public void initialize(AppSchedulingInfo appSchedulingInfo,
      SchedulerRequestKey schedulerRequestKey, RMContext rmContext) {
    super.initialize(appSchedulingInfo, schedulerRequestKey, rmContext);
    Object key = rmContext != null && rmContext.getScheduler() != null
        ? rmContext.getScheduler() : ZoneAwarePlacementAllocator.class;
    this.runtime = ZonePlacementRuntime.forScheduler(key,
        rmContext != null ? rmContext.getYarnConfiguration() : null);
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
      invalidateLocality();
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
   * request may not relax beyond that host (see {@link #isHiddenHost}).
   */
  @Override
  public PendingAsk getPendingAsk(String resourceName) {
    if (isHiddenHost(resourceName)) {
      return PendingAsk.ZERO;
    }
    return super.getPendingAsk(resourceName);
  }

  @Override
  public int getOutstandingAsksCount(String resourceName) {
    if (isHiddenHost(resourceName)) {
      return 0;
    }
    return super.getOutstandingAsksCount(resourceName);
  }

  private boolean isLostHost(String resourceName) {
    Set<String> lost = runtime.getLostNodeNames();
    return !lost.isEmpty() && lost.contains(resourceName);
  }

  /**
   * @return whether {@code resourceName} is a lost host whose ask is hidden: only if the
   *     request can be placed elsewhere, else a strict (relaxLocality=false) request would be
   *     skipped forever
   */
  private boolean isHiddenHost(String resourceName) {
    return isLostHost(resourceName) && canRelaxBeyondHost(resourceName);
  }

  /**
   * Whether YARN would place this request elsewhere once {@code host}'s ask is hidden: the
   * rack ask for the host's rack, if pending, and the ANY ask must allow relaxing
   * ({@code canDelayTo}). A strict ANY is required even when the rack may relax: YARN then
   * skips the priority on every node without counting a missed opportunity, so the
   * node-locality delay never passes and a rack-local container never comes.
   */
  private boolean canRelaxBeyondHost(String host) {
    Map<String, ResourceRequest> asks = getResourceRequests();
    ResourceRequest any = asks.get(ResourceRequest.ANY);
    if (any != null && !any.getRelaxLocality()) {
      return false;
    }
    ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
    String rack = s == null ? null : runtime.rackOfHost(host, s);
    ResourceRequest r = rack == null ? null : asks.get(rack);
    return r == null || r.getNumContainers() <= 0 || r.getRelaxLocality();
  }

  /** @return the lost hosts whose asks are hidden (usually all, or none) */
  private Set<String> hiddenHosts() {
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
        hiddenHosts(), runtime.getZoneResolver());
  }

  /**
   * Stable partition of a node iterator into the four tiers, in one lazy pass: nodes of the
   * best tier the request can have are handed out as they come, the others are buffered in
   * up to three lists and handed out once the source is exhausted.
   */
  private static final class TierOrderIterator<N extends SchedulerNode>
      implements Iterator<N> {
    private static final int HOST = 0;
    private static final int RACK = 1;
    private static final int ZONE = 2;
    private static final int REST = 3;

    private final Iterator<N> source;
    private final Locality locality;
    private final Set<String> hidden;
    private final ZoneResolver zones;
    /** Tier handed out at once; HOST unless every named host is hidden. */
    private final int streamed;
    @SuppressWarnings("unchecked")
    private final List<N>[] buffered = new List[REST + 1];
    private int drainTier = -1;
    private int drainPos;
    private N next;

    TierOrderIterator(Iterator<N> source, Locality locality, Set<String> hidden,
        ZoneResolver zones) {
      this.source = source;
      this.locality = locality;
      this.hidden = hidden;
      this.zones = zones;
      this.streamed = hasLiveNamedHost(locality.hosts, hidden) ? HOST : RACK;
    }

    private static boolean hasLiveNamedHost(Set<String> hosts, Set<String> hidden) {
      if (hidden.isEmpty()) {
        return !hosts.isEmpty();
      }
      for (String h : hosts) {
        if (!hidden.contains(h)) {
          return true;
        }
      }
      return false;
    }

    private int tierOf(N node) {
      String name = node.getNodeName();
      if (locality.hosts.contains(name) && !hidden.contains(name)) {
        return HOST;
      }
      String rack = node.getRackName();
      if (locality.racks.contains(rack)) {
        return RACK;
      }
      if (!locality.zones.isEmpty()) {
        String zone = zones.zoneOf(rack);
        if (zone != null && locality.zones.contains(zone)) {
          return ZONE;
        }
      }
      return REST;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (drainTier < 0) {
        while (source.hasNext()) {
          N node = source.next();
          int tier = tierOf(node);
          if (tier <= streamed) {
            next = node;
            return true;
          }
          List<N> bucket = buffered[tier];
          if (bucket == null) {
            bucket = new ArrayList<>();
            buffered[tier] = bucket;
          }
          bucket.add(node);
        }
        drainTier = streamed + 1;
      }
      for (; drainTier <= REST; drainTier++, drainPos = 0) {
        List<N> bucket = buffered[drainTier];
        if (bucket != null && drainPos < bucket.size()) {
          next = bucket.get(drainPos++);
          return true;
        }
      }
      return false;
    }

    @Override
    public N next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      N n = next;
      next = null;
      return n;
    }
  }

  @Override
  public boolean precheckNode(SchedulerNode node, SchedulingMode schedulingMode,
      Optional<DiagnosticsCollector> dcOpt) {
    if (!super.precheckNode(node, schedulingMode, dcOpt)) {
      return false;
    }
    if (isLostHost(node.getNodeName()) && !lostHostMayTake(node)) {
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
    if (offZoneAllowed(l)) {
      LOG.debug("Zone tier: off-zone node {} ({}) accepted for {} {} after {} skipped offers",
          node.getNodeName(), zone, appSchedulingInfo.getApplicationAttemptId(),
          schedulerRequestKey.getPriority(), offZoneVetoes.get());
      return true;
    }
    offZoneVetoes.incrementAndGet();
    runtime.getMetrics().offZoneOfferSkipped();
    LOG.debug("Zone tier: skipping off-zone node {} ({}) for {} {}", node.getNodeName(), zone,
        appSchedulingInfo.getApplicationAttemptId(), schedulerRequestKey);
    return false;
  }

  /**
   * Whether a host whose DataNode is lost may take this request through any tier. Not when
   * the request named data there (a rerun of a task that read it) and another host of a
   * wanted rack or zone, or a named host whose DataNode lives, has room: else the rack tier
   * would send the rerun straight back. A request that cannot relax beyond the host, or
   * that has no other place, keeps it.
   */
  private boolean lostHostMayTake(SchedulerNode node) {
    Locality l = locality();
    String name = node.getNodeName();
    if (!l.hosts.contains(name) || !canRelaxBeyondHost(name)) {
      return true;
    }
    Set<String> lost = runtime.getLostNodeNames();
    ZoneResolver zones = runtime.getZoneResolver();
    return !hasRoom(n -> {
      if (lost.contains(n.getNodeName())) {
        return false;
      }
      if (l.hosts.contains(n.getNodeName()) || l.racks.contains(n.getRackName())) {
        return true;
      }
      String zone = zones.zoneOf(n.getRackName());
      return zone != null && l.zones.contains(zone);
    });
  }

  private boolean offZoneAllowed(Locality l) {
    int configured = runtime.getConfig().getOffZoneDelay();
    int delay = configured < 0 ? numClusterNodes() : configured;
    if (offZoneVetoes.get() < delay) {
      return false;
    }
    // Scanning the nodes is O(cluster): redo it every ROOM_RECHECK_OFFERS off-zone offers,
    // accepted ones included (else a "no room" answer would stick while offers are accepted),
    // and before each further off-zone container (allocate resets the mark).
    int offers = offZoneOffers.incrementAndGet();
    if (roomCheckDue || offers - roomCheckedAtOffer >= ROOM_RECHECK_OFFERS) {
      roomCheckDue = false;
      roomCheckedAtOffer = offers;
      zoneHasRoom = wantedZoneHasRoom(l);
    }
    return !zoneHasRoom;
  }

  private int numClusterNodes() {
    ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
    return s == null ? 0 : Math.max(s.getNumClusterNodes(), 0);
  }

  /**
   * Whether a node of a wanted zone could take this request now. Runs under YARN's
   * AppSchedulingInfo read lock (precheckNode), so it must not touch the application
   * attempt: its lock is taken before the AppSchedulingInfo one by the AM's allocate call.
   * The blacklist is therefore the AppSchedulingInfo's (the application's own; the
   * system's applies to AM containers only), checked for the node and its rack like
   * {@code SchedulerAppUtils#isPlaceBlacklisted}.
   */
  private boolean wantedZoneHasRoom(Locality l) {
    ZoneResolver zones = runtime.getZoneResolver();
    return hasRoom(n -> {
      String zone = zones.zoneOf(n.getRackName());
      return zone != null && l.zones.contains(zone);
    });
  }

  /** Whether a node accepted by {@code wanted} could take this request now (see above). */
  private boolean hasRoom(java.util.function.Predicate<SchedulerNode> wanted) {
    ResourceScheduler s = rmContext.getScheduler();
    if (!(s instanceof AbstractYarnScheduler)) {
      return false;
    }
    AbstractYarnScheduler<?, ?> sched = (AbstractYarnScheduler<?, ?>) s;
    Set<String> blacklist = appSchedulingInfo.getBlackListCopy();
    Resource capability = super.getPendingAsk(ResourceRequest.ANY).getPerAllocationResource();
    // "Fits" as the scheduler itself decides it: the CapacityScheduler's default calculator
    // compares memory only, the dominant-resource one every type.
    ResourceCalculator rc = sched.getResourceCalculator();
    // A node that missed a few heartbeats is not room: it may be dead but not expired yet.
    long staleAfterMs = 3 * rmContext.getYarnConfiguration().getLong(
        YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS,
        YarnConfiguration.DEFAULT_RM_NM_HEARTBEAT_INTERVAL_MS);
    String partition = getPrimaryRequestedNodePartition();
    for (SchedulerNode n : sched.getNodeTracker().getAllNodes()) {
      // A node counts as room only if this request can really be placed there: same
      // partition, free resources, no reservation holding it, not blacklisted for the app,
      // heartbeating.
      if (wanted.test(n) && partition.equals(n.getPartition())
          && n.getReservedContainer() == null
          && Time.monotonicNow() - n.getLastHeartbeatMonotonicTime() <= staleAfterMs
          && n.getRMNode() != null && n.getRMNode().getState() == NodeState.RUNNING
          && (blacklist.isEmpty() || !(blacklist.contains(n.getNodeName())
              || blacklist.contains(n.getRackName())))
          && Resources.fitsIn(rc, capability, n.getUnallocatedResource())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public ContainerRequest allocate(SchedulerRequestKey schedulerKey, NodeType type,
      SchedulerNode node) {
    Locality l = locality();
    PlacementTier tier = classify(l, node, type);
    int namesBefore = getUniqueLocationAsks();
    ContainerRequest request = super.allocate(schedulerKey, type, node);
    if (getUniqueLocationAsks() != namesBefore) {
      // A host/rack ask reached zero and left the map: the wanted sets changed.
      invalidateLocality();
    }
    runtime.getMetrics().placed(tier);
    // A node-local container on a lost host comes from an ask that cannot relax (else the
    // host ask is hidden): requeueing it would only bring it back, so it is not recorded.
    if (tier == PlacementTier.NODE && type == NodeType.NODE_LOCAL
        && !isLostHost(node.getNodeName())) {
      runtime.getLedger().recordLocal(node.getNodeID(),
          appSchedulingInfo.getApplicationAttemptId(), schedulerKey);
    }
    if (tier != PlacementTier.OFF_ZONE) {
      offZoneVetoes.set(0);
    }
    roomCheckDue = true;
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
        || (l.hosts.contains(node.getNodeName()) && !isHiddenHost(node.getNodeName()))) {
      return PlacementTier.NODE;
    }
    if (l.racks.contains(node.getRackName())) {
      return PlacementTier.RACK;
    }
    String zone = runtime.getZoneResolver().zoneOf(node.getRackName());
    if (zone != null && l.zones.contains(zone)) {
      return PlacementTier.ZONE;
    }
    return PlacementTier.OFF_ZONE;
  }

  /** @return the tier a container on {@code node} would land in for the current asks */
  public PlacementTier tierOf(SchedulerNode node, NodeType type) {
    return classify(locality(), node, type);
  }

  /** Called after the asks changed (the map is mutated first, then the generation bumped). */
  private void invalidateLocality() {
    localityGeneration.incrementAndGet();
    locality = null;
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
    if (l != null && l.generation == gen
        && (l.clusterNodes < 0 || l.clusterNodes == numClusterNodes())) {
      return l;
    }
    l = computeLocality(gen);
    locality = l;
    return l;
  }

  private Locality computeLocality(int generation) {
    Map<String, ResourceRequest> asks = getResourceRequests();
    ResourceRequest any = asks.get(ResourceRequest.ANY);
    if (any == null || asks.size() <= 1) {
      return new Locality(Collections.<String>emptySet(), Collections.<String>emptySet(),
          Collections.<String>emptySet(), true, generation, -1);
    }
    Set<String> hosts = new HashSet<>();
    Set<String> racks = new HashSet<>();
    for (Map.Entry<String, ResourceRequest> e : asks.entrySet()) {
      String name = e.getKey();
      if (ResourceRequest.ANY.equals(name) || e.getValue().getNumContainers() <= 0) {
        continue;
      }
      if (name.startsWith("/")) {
        racks.add(name);
      } else {
        hosts.add(name);
      }
    }
    Set<String> zones = new HashSet<>();
    for (String rack : racks) {
      addZone(zones, rack);
    }
    int clusterNodes = -1;
    if (!hosts.isEmpty()) {
      // Read before the lookups: a host joining during them changes the count afterwards.
      int nodes = numClusterNodes();
      ResourceScheduler s = rmContext != null ? rmContext.getScheduler() : null;
      for (String host : hosts) {
        // NodeManager hosts from the scheduler, others (DataNode-only hosts) through the RM's
        // topology: the AM's own rack asks may be /default-rack.
        String rack = s == null ? null : runtime.rackOfAnyHost(host, s);
        if (rack != null) {
          racks.add(rack);
          addZone(zones, rack);
        } else {
          clusterNodes = nodes;
        }
      }
    }
    return new Locality(Collections.unmodifiableSet(hosts), Collections.unmodifiableSet(racks),
        Collections.unmodifiableSet(zones), any.getRelaxLocality(), generation, clusterNodes);
  }

  private void addZone(Set<String> zones, String rack) {
    String z = runtime.getZoneResolver().zoneOf(rack);
    if (z != null) {
      zones.add(z);
    }
  }

}
