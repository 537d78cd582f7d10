package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.config.TopologyTableCheck;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import io.multizone.hdfs.status.BlockPlacementStatusWithZones;
import io.multizone.hdfs.zone.ReplicaSpread;
import io.multizone.hdfs.zone.TopologyZones;
import io.multizone.hdfs.zone.ZoneLayout;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.AddBlockFlag;
import org.apache.hadoop.hdfs.protocol.BlockStoragePolicy;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.log.LogThrottlingHelper;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.net.NodeBase;
import org.apache.hadoop.util.Time;

/**
 * A {@link BlockPlacementPolicyDefault} that keeps every block's replicas in at least
 * {@code min(min-zones, replication, zones that can take a replica)} zones, where a zone is the
 * leading part of a DataNode's network location ({@code /zone/rack}).
 *
 * <p>Enable it with {@code dfs.block.replicator.classname=}{@value #CLASS_NAME}. The first
 * replica stays writer-local, the second goes to another zone, later ones fill the zones already
 * used up to {@code ceil(n / zones)} each, on racks not yet used in that zone; the default
 * pipeline sort then crosses a zone boundary only as often as the rule needs. When no other
 * zone can take a replica the write still succeeds (as the default policy's would), is counted
 * and logged, and {@link #verifyBlockPlacement} reports the block so fsck and the redundancy
 * monitor repair it. Excess-replica deletion and Balancer/Mover moves never reduce the zones a
 * block spans. On a topology without a zone level it is exactly the default policy.
 *
 * <p>This class lives in Hadoop's package only because the hooks it overrides are
 * package-private; the zone logic is in {@code io.multizone.hdfs}.
 */
public class BlockPlacementPolicyWithZones extends BlockPlacementPolicyDefault {

  /** The value operators put in {@code dfs.block.replicator.classname}. */
  public static final String CLASS_NAME =
      "org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones";

  /** Random draws of a node outside the used zone before asking the topology. */
  private static final int FAST_TRIES = 3;

  /** Rebuild the zone layout at least this often even if node and rack counts look equal. */
  private static final long LAYOUT_MAX_AGE_MS = 30_000L;

  private ZonePlacementConfig config;
  private ZoneResolver resolver;
  private TopologyZones zones;
  private ZonePlacementMetrics metrics;
  private LogThrottlingHelper singleZoneLog;

  public BlockPlacementPolicyWithZones() {
  }

  @Override
  public void initialize(Configuration conf, FSClusterStats stats, NetworkTopology clusterMap,
      Host2NodesMap host2datanodeMap) {
    super.initialize(conf, stats, clusterMap, host2datanodeMap);
    // Throws IllegalArgumentException naming the key and value: the NameNode stops at start.
    this.config = ZonePlacementConfig.from(conf);
    TopologyTableCheck.verify(conf, config);
    this.resolver = new ZoneResolver(config.zoneDepth());
    String flatWarning = config.zoneDepthExplicit()
        ? ZonePlacementConfig.ZONE_DEPTH_KEY + "=" + config.zoneDepth()
            + " but DataNode locations have no level below the zone: there is no zone"
            + " level, placing like BlockPlacementPolicyDefault until the topology changes"
        : null;
    this.zones = new TopologyZones(clusterMap, resolver, LAYOUT_MAX_AGE_MS, flatWarning);
    this.metrics = ZonePlacementMetrics.get();
    this.singleZoneLog = new LogThrottlingHelper(config.warnIntervalMs());
    LOG.info("Zone-aware block placement: {}", config);
  }

  /** The zone rule's settings. */
  public ZonePlacementConfig getZoneConfig() {
    return config;
  }

  /** The zone layout the policy currently sees. */
  public ZoneLayout getZoneLayout() {
    return zones.current();
  }

  /** Zones a block of {@code replication} replicas must span on this layout. */
  int requiredZones(int replication, ZoneLayout layout) {
    return Math.max(0, Math.min(Math.min(config.minZones(), replication),
        layout.acceptingZoneCount()));
  }

  // ---------------------------------------------------------------- choosing targets

  /**
   * Favored targets chosen for the block being placed by this thread. Default places the
   * remaining replicas as if they were a new block, blind to the favored ones; the zone rule
   * needs to see them (else two favored nodes in one zone plus a writer-local third leave the
   * block in that zone).
   */
  private static final ThreadLocal<List<DatanodeStorageInfo>> FAVORED = new ThreadLocal<>();

  @Override
  DatanodeStorageInfo[] chooseTarget(String src, int numOfReplicas, Node writer,
      Set<Node> excludedNodes, long blocksize, List<DatanodeDescriptor> favoredNodes,
      BlockStoragePolicy storagePolicy, EnumSet<AddBlockFlag> flags) {
    try {
      return super.chooseTarget(src, numOfReplicas, writer, excludedNodes, blocksize,
          favoredNodes, storagePolicy, flags);
    } finally {
      FAVORED.remove();
    }
  }

  @Override
  protected void chooseFavouredNodes(String src, int numOfReplicas,
      List<DatanodeDescriptor> favoredNodes, Set<Node> favoriteAndExcludedNodes,
      long blocksize, int maxNodesPerRack, List<DatanodeStorageInfo> results,
      boolean avoidStaleNodes, EnumMap<StorageType, Integer> storageTypes)
      throws NotEnoughReplicasException {
    super.chooseFavouredNodes(src, numOfReplicas, favoredNodes, favoriteAndExcludedNodes,
        blocksize, maxNodesPerRack, results, avoidStaleNodes, storageTypes);
    FAVORED.set(results);
  }

  /**
   * The favored targets already chosen for this block, when Default is now placing the
   * others: they are among the excluded nodes then (not in the fallback that drops them).
   */
  private static List<DatanodeStorageInfo> favoredAlreadyChosen(Set<Node> excludedNodes) {
    List<DatanodeStorageInfo> favored = FAVORED.get();
    if (favored == null || favored.isEmpty() || excludedNodes == null) {
      return Collections.emptyList();
    }
    List<DatanodeStorageInfo> out = new ArrayList<>(favored.size());
    for (DatanodeStorageInfo s : favored) {
      if (excludedNodes.contains(s.getDatanodeDescriptor())) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  protected Node chooseTargetInOrder(int numOfReplicas, Node writer, Set<Node> excludedNodes,
      long blocksize, int maxNodesPerRack, List<DatanodeStorageInfo> results,
      boolean avoidStaleNodes, boolean newBlock, EnumMap<StorageType, Integer> storageTypes)
      throws NotEnoughReplicasException {
    final ZoneLayout layout = zones.current();
    if (!layout.isZoned()) {
      return super.chooseTargetInOrder(numOfReplicas, writer, excludedNodes, blocksize,
          maxNodesPerRack, results, avoidStaleNodes, newBlock, storageTypes);
    }
    final List<DatanodeStorageInfo> favored =
        results.isEmpty() ? favoredAlreadyChosen(excludedNodes) : Collections.emptyList();
    final int total = favored.size() + results.size() + numOfReplicas;
    final ZoneTargetPicker picker = new ZoneTargetPicker(this, excludedNodes, blocksize,
        maxNodesPerRack, results, avoidStaleNodes, storageTypes);
    if (results.isEmpty() && favored.isEmpty()) {
      writer = picker.pickWriterLocal(writer);
      if (--numOfReplicas == 0) {
        return writer;
      }
    }
    final int required = requiredZones(total, layout);
    final Choice choice = new Choice(layout, total, required, maxNodesPerRack, results, picker);
    for (DatanodeStorageInfo s : favored) {
      choice.spread.add(s.getDatanodeDescriptor());
    }
    for (; numOfReplicas > 0; numOfReplicas--) {
      choice.chooseOne();
    }
    metrics.incrZoneAwarePlacements();
    // Counted and warned whenever the block spans fewer zones than min-zones asks for, also
    // while the other zones are down (then it is reported mis-placed once they are back).
    if (total >= 2 && choice.spread.zoneCount() < Math.min(config.minZones(), total)) {
      reportSingleZonePlacement(choice.spread, total, layout);
    }
    return writer;
  }

  private void reportSingleZonePlacement(ReplicaSpread spread, int total, ZoneLayout layout) {
    metrics.incrSingleZonePlacements();
    LogThrottlingHelper.LogAction action = singleZoneLog.record(1);
    if (action.shouldLog()) {
      LOG.warn("Block with {} replicas placed in only {} zone(s) {} (min-zones {}, {} zone(s)"
          + " can take replicas now); fsck reports it mis-placed while other zones can take"
          + " replicas, and hdfs fsck -replicate spreads it"
          + " ({} such placement(s) since the last warning)", total, spread.zoneCount(),
          spread.zones(), config.minZones(), layout.acceptingZoneCount(), action.getCount());
    }
  }

  /** One block's choice of targets: which zone, then which rack, for each new replica. */
  private final class Choice {
    private final ZoneLayout layout;
    private final int required;
    private final int capPerZone;
    private final int maxNodesPerRack;
    private final List<DatanodeStorageInfo> results;
    private final ZoneTargetPicker picker;
    final ReplicaSpread spread;

    Choice(ZoneLayout layout, int total, int required, int maxNodesPerRack,
        List<DatanodeStorageInfo> results, ZoneTargetPicker picker) {
      this.layout = layout;
      this.required = required;
      this.capPerZone = (total + Math.max(required, 1) - 1) / Math.max(required, 1);
      this.results = results;
      this.picker = picker;
      this.spread = spreadOfStorages(results);
      this.maxNodesPerRack = maxNodesPerRack;
    }

    /**
     * Adds one replica to {@code results}: in a new zone while the block spans fewer than
     * required; else in the zone used last (fewest pipeline hops), then other used zones
     * under the per-zone cap, then new zones, then full zones, then anywhere.
     */
    void chooseOne() throws NotEnoughReplicasException {
      int before = results.size();
      chooseOneInto();
      for (int i = before; i < results.size(); i++) {
        spread.add(results.get(i).getDatanodeDescriptor());
      }
    }

    private void chooseOneInto() throws NotEnoughReplicasException {
      boolean triedNewZones = false;
      if (spread.zoneCount() < required) {
        if (tryNewZone()) {
          return;
        }
        triedNewZones = true;
      }
      String last = spread.lastZone();
      if (last != null && spread.inZone(last) < capPerZone && tryZone(last)) {
        return;
      }
      for (String z : spread.zones()) {
        if (!z.equals(last) && spread.inZone(z) < capPerZone && tryZone(z)) {
          return;
        }
      }
      if (!triedNewZones && tryNewZone()) {
        return;
      }
      for (String z : spread.zones()) {
        if (spread.inZone(z) >= capPerZone && tryZone(z)) {
          return;
        }
      }
      // Never fail a write the default policy would accept.
      picker.pickAnywhere(maxNodesPerRack);
    }

    /** A replica in a zone holding none yet. */
    private boolean tryNewZone() {
      List<ZoneLayout.Zone> all = layout.zones();
      if (spread.zoneCount() == 1) {
        // Uniform over every node outside the used zone, so zones weigh by their size.
        String used = spread.zones().get(0);
        ZoneLayout.Zone usedZone = layout.zone(used);
        int outside = layout.nodeCount() - (usedZone == null ? 0 : usedZone.nodes().length);
        for (int i = 0; i < FAST_TRIES && outside > 0; i++) {
          int k = ThreadLocalRandom.current().nextInt(outside);
          for (ZoneLayout.Zone z : all) {
            if (z == usedZone) {
              continue;
            }
            if (k < z.nodes().length) {
              if (picker.tryNode(z.nodes()[k])) {
                return true;
              }
              break;
            }
            k -= z.nodes().length;
          }
        }
        return picker.pickInScope("~" + used);
      }
      int start = ThreadLocalRandom.current().nextInt(all.size());
      for (int i = 0; i < all.size(); i++) {
        ZoneLayout.Zone z = all.get((start + i) % all.size());
        if (!spread.holdsZone(z.name()) && tryZone(z.name())) {
          return true;
        }
      }
      return false;
    }

    /** A replica in {@code zone}, on a rack of it holding none yet where possible. */
    private boolean tryZone(String zone) {
      ZoneLayout.Zone z = layout.zone(zone);
      if (z == null) {
        return false;
      }
      if (spread.holdsZone(zone)) {
        List<ZoneLayout.Rack> racks = z.racks();
        int start = ThreadLocalRandom.current().nextInt(racks.size());
        for (int i = 0; i < racks.size(); i++) {
          ZoneLayout.Rack rack = racks.get((start + i) % racks.size());
          if (spread.inRack(rack.name()) == 0 && picker.pickIn(rack.nodes(), rack.name())) {
            return true;
          }
        }
      }
      return picker.pickIn(z.nodes(), zone);
    }
  }

  private ReplicaSpread spreadOfStorages(Collection<DatanodeStorageInfo> storages) {
    ReplicaSpread spread = new ReplicaSpread(resolver);
    for (DatanodeStorageInfo s : storages) {
      spread.add(s.getDatanodeDescriptor());
    }
    return spread;
  }

  // ---------------------------------------------------------------- verifying placement

  @Override
  public BlockPlacementStatus verifyBlockPlacement(DatanodeInfo[] locs, int numberOfReplicas) {
    BlockPlacementStatus rackStatus = super.verifyBlockPlacement(locs, numberOfReplicas);
    ZoneLayout layout = zones.current();
    if (!layout.isZoned()) {
      return rackStatus;
    }
    DatanodeInfo[] nodes = locs == null ? new DatanodeInfo[0] : locs;
    int spanned = ReplicaSpread.of(resolver, Arrays.asList(nodes)).zoneCount();
    BlockPlacementStatusWithZones status = new BlockPlacementStatusWithZones(rackStatus,
        spanned, requiredZones(numberOfReplicas, layout));
    if (nodes.length > 0 && !status.isZoneRuleSatisfied()) {
      metrics.incrZoneViolationsReported();
    }
    return status;
  }

  // ---------------------------------------------------------------- deleting excess replicas

  @Override
  public List<DatanodeStorageInfo> chooseReplicasToDelete(
      Collection<DatanodeStorageInfo> availableReplicas,
      Collection<DatanodeStorageInfo> delCandidates, int expectedNumOfReplicas,
      List<StorageType> excessTypes, DatanodeDescriptor addedNode,
      DatanodeDescriptor delNodeHint) {
    if (!hasZoneLevel(availableReplicas)) {
      return super.chooseReplicasToDelete(availableReplicas, delCandidates,
          expectedNumOfReplicas, excessTypes, addedNode, delNodeHint);
    }
    ReplicaSpread spread = spreadOfStorages(availableReplicas);
    int required = requiredZones(expectedNumOfReplicas, zones.current());
    List<DatanodeStorageInfo> candidates = new ArrayList<>(delCandidates);
    List<DatanodeStorageInfo> excess = new ArrayList<>();
    DatanodeStorageInfo hint =
        DatanodeStorageInfo.getDatanodeStorageInfo(delCandidates, delNodeHint);
    boolean first = true;
    while (delCandidates.size() - expectedNumOfReplicas > excess.size()) {
      DatanodeStorageInfo cur = null;
      if (first && hint != null && excessTypes.contains(hint.getStorageType())
          && !spread.isLastInZone(hint.getDatanodeDescriptor())
          && (!spread.isLastInRack(hint.getDatanodeDescriptor())
              || (addedNode != null && spread.inRack(addedNode.getNetworkLocation()) == 1))) {
        cur = hint;
      }
      first = false;
      if (cur == null) {
        cur = chooseExcess(candidates, spread, excessTypes, required);
      }
      if (cur == null) {
        LOG.debug("No excess replica can be deleted without leaving fewer than {} zones:"
            + " spread {}, excessTypes {}", required, spread, excessTypes);
        break;
      }
      excessTypes.remove(cur.getStorageType());
      spread.remove(cur.getDatanodeDescriptor());
      candidates.remove(cur);
      excess.add(cur);
      metrics.incrExcessReplicasChosen();
    }
    return excess;
  }

  /**
   * The best replica to delete: from the most crowded zone, then the most crowded rack (so
   * zones and racks are kept whenever another choice exists); ties broken
   * like the default policy (oldest heartbeat past tolerance, then least free space). A
   * replica whose removal leaves fewer than {@code required} zones is never chosen.
   */
  private DatanodeStorageInfo chooseExcess(List<DatanodeStorageInfo> candidates,
      ReplicaSpread spread, List<StorageType> excessTypes, int required) {
    long staleBefore = Time.monotonicNow() - heartbeatInterval * tolerateHeartbeatMultiplier;
    DatanodeStorageInfo best = null;
    for (DatanodeStorageInfo c : candidates) {
      if (!excessTypes.contains(c.getStorageType())) {
        continue;
      }
      DatanodeDescriptor dn = c.getDatanodeDescriptor();
      if (spread.isLastInZone(dn) && spread.zoneCount() - 1 < required) {
        continue;
      }
      if (best == null || compareForDeletion(c, best, spread, staleBefore) < 0) {
        best = c;
      }
    }
    return best;
  }

  /** Negative when {@code a} is the better replica to delete. */
  private static int compareForDeletion(DatanodeStorageInfo a, DatanodeStorageInfo b,
      ReplicaSpread spread, long staleBefore) {
    DatanodeDescriptor da = a.getDatanodeDescriptor();
    DatanodeDescriptor db = b.getDatanodeDescriptor();
    // Most crowded zone first: a replica alone in its zone (count 1) comes last, so a zone is
    // dropped only when every zone is down to one replica.
    int c = Integer.compare(spread.inZone(spread.zoneOf(db)), spread.inZone(spread.zoneOf(da)));
    if (c != 0) {
      return c;
    }
    c = Integer.compare(spread.inRack(db.getNetworkLocation()),
        spread.inRack(da.getNetworkLocation()));
    if (c != 0) {
      return c; // then most crowded rack
    }
    boolean staleA = da.getLastUpdateMonotonic() < staleBefore;
    boolean staleB = db.getLastUpdateMonotonic() < staleBefore;
    if (staleA || staleB) {
      if (staleA && staleB) {
        return Long.compare(da.getLastUpdateMonotonic(), db.getLastUpdateMonotonic());
      }
      return staleA ? -1 : 1;
    }
    return Long.compare(a.getRemaining(), b.getRemaining());
  }

  // ---------------------------------------------------------------- Balancer and Mover

  @Override
  public boolean isMovable(Collection<DatanodeInfo> locs, DatanodeInfo source,
      DatanodeInfo target) {
    if (resolver == null || !resolver.hasZoneLevel(source.getNetworkLocation())) {
      return super.isMovable(locs, source, target);
    }
    // Callers (the Balancer's and Mover's Dispatcher) list the target among the candidates;
    // the block's spread today is the candidates without it.
    List<DatanodeInfo> current = new ArrayList<>(locs);
    if (target != null) {
      current.remove(target);
    }
    ReplicaSpread before = ReplicaSpread.of(resolver, current);
    ReplicaSpread after = ReplicaSpread.of(resolver, current);
    after.remove(source);
    if (target != null) {
      after.add(target);
    }
    if (after.zoneCount() < before.zoneCount()) {
      metrics.incrMovesRefused();
      LOG.debug("Refusing to move a replica from {} to {}: the block would span {} zones"
          + " instead of {}", source, target, after.zoneCount(), before.zoneCount());
      return false;
    }
    // Nor crowd a zone beyond the even share ceil(n / zones). The Dispatcher asks this
    // (replication) policy about erasure-coded groups too, where one zone above its share
    // can hold more internal blocks than there are parity blocks.
    int zones = after.zoneCount();
    int cap = (current.size() + zones - 1) / zones;
    if (after.maxPerZone() > cap && after.maxPerZone() > before.maxPerZone()) {
      metrics.incrMovesRefused();
      LOG.debug("Refusing to move a replica from {} to {}: a zone would hold {} of {}"
          + " (even share {})", source, target, after.maxPerZone(), current.size(), cap);
      return false;
    }
    return super.isMovable(locs, source, target);
  }

  private boolean hasZoneLevel(Collection<DatanodeStorageInfo> storages) {
    for (DatanodeStorageInfo s : storages) {
      return resolver.hasZoneLevel(s.getDatanodeDescriptor().getNetworkLocation());
    }
    return false;
  }
}
