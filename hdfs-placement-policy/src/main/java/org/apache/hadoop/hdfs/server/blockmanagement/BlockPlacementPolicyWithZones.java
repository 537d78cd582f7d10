package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

/**
 * A {@link BlockPlacementPolicyDefault} that keeps every block's replicas in at least
 * {@code min(min-zones, replication, zones that can take a replica)} zones, where a zone is the
 * leading part of a DataNode's network location ({@code /zone/rack}, see multizone-common).
 *
 * <p>Enable it with {@code dfs.block.replicator.classname=}{@value #CLASS_NAME}. It overrides
 * the hooks Hadoop offers and leaves the rest to the default policy:
 * <ul>
 *   <li>{@code chooseTargetInOrder}: the first replica stays writer-local (the default's own
 *       code), the others are placed zone by zone by {@link ZoneReplicaChooser}: a second zone,
 *       then no zone above {@code ceil(n / zones spanned)}, racks spread inside a zone. A write
 *       the default policy accepts never fails: with one zone left it is placed there, counted
 *       and logged (rate-limited);</li>
 *   <li>{@code verifyBlockPlacement}: the default rack rule plus the zone rule, counting only
 *       zones that can hold the block's storage types, so fsck and the redundancy monitor
 *       repair blocks left in too few zones, and leave alone blocks their storage policy keeps
 *       in one;</li>
 *   <li>{@code useDelHint} and {@code pickupReplicaSet}: the default deletion algorithm with a
 *       zone-level "does not reduce the number of groups" rule, as the default applies to
 *       racks (the Balancer's source is deleted when the move opened a zone);</li>
 *   <li>{@code isMovable}: Balancer/Mover moves never take a block below min-zones (nor a
 *       larger, possibly erasure-coded, group below the zones it spans) nor crowd a zone
 *       above its even share.</li>
 * </ul>
 * On a topology without a zone level it is exactly the default policy.
 *
 * <p>This class lives in Hadoop's package only because the hooks it overrides are
 * package-private; the zone model is in {@code io.multizone}.
 */
public class BlockPlacementPolicyWithZones extends BlockPlacementPolicyDefault {

  /** The value operators put in {@code dfs.block.replicator.classname}. */
  public static final String CLASS_NAME =
      "org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones";

  /**
   * isMovable sees only locations, and the Dispatcher asks this policy about erasure-coded
   * groups too. Candidate sets of at most this many replicas are treated as replicated
   * blocks: a move may leave fewer zones than the block spans today as long as it keeps
   * min-zones (a 3-zone block becomes a 2-zone one, the spread the policy writes), else the
   * only DataNode of a zone could never shed its 3-zone blocks. Larger sets (RS-3-2 has 5
   * internal blocks, RS-6-3 9) never lose a zone: one zone fewer would leave a zone holding
   * more than the parity count. XOR-2-1 (3 internal blocks) is thus treated like
   * replication 3.
   */
  private static final int REPLICATED_MAX = 3;

  /** Rebuild the zone layout at least this often even if node and rack counts look equal. */
  private static final long LAYOUT_MAX_AGE_MS = 30_000L;

  private ZonePlacementConfig config;
  private ZoneResolver resolver;
  private TopologyZones zones;
  private ZonePlacementMetrics metrics;
  private LogThrottlingHelper singleZoneLog;
  private LogThrottlingHelper storageLimitedLog;

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
    this.storageLimitedLog = new LogThrottlingHelper(config.warnIntervalMs());
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

  /**
   * Zones a block of {@code replication} replicas must span on this layout: min-zones,
   * capped by the replication and by the zones that can take a replica of one of
   * {@code types} (null or empty: any type).
   */
  int requiredZones(int replication, ZoneLayout layout, Collection<StorageType> types) {
    return Math.max(0, Math.min(Math.min(config.minZones(), replication),
        layout.acceptingZoneCount(types)));
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
    final EnumSet<StorageType> blockTypes = storageTypes.isEmpty()
        ? EnumSet.noneOf(StorageType.class) : EnumSet.copyOf(storageTypes.keySet());
    final ZoneTargetPicker picker = new ZoneTargetPicker(this, resolver, zones::invalidate,
        excludedNodes, blocksize, maxNodesPerRack, results, avoidStaleNodes, storageTypes);
    if (results.isEmpty() && favored.isEmpty()) {
      writer = picker.pickWriterLocal(writer, layout);
      if (--numOfReplicas == 0) {
        return writer;
      }
    }
    final ReplicaSpread spread = spreadOfStorages(results);
    for (DatanodeStorageInfo s : favored) {
      spread.add(s.getDatanodeDescriptor());
    }
    final int required = requiredZones(total, layout, blockTypes);
    final ZoneReplicaChooser chooser = new ZoneReplicaChooser(layout, spread, total, required,
        maxNodesPerRack, results, picker, storageTypes.keySet());
    for (; numOfReplicas > 0; numOfReplicas--) {
      chooser.chooseOne();
    }
    metrics.incrZoneAwarePlacements();
    // Counted and warned whenever the block spans fewer zones than min-zones asks for, also
    // while the other zones are down (then it is reported mis-placed once they are back).
    int wanted = Math.min(config.minZones(), total);
    if (total >= 2 && spread.zoneCount() < wanted) {
      if (required < Math.min(wanted, layout.acceptingZoneCount())) {
        reportStorageLimitedPlacement(spread, total, blockTypes);
      } else {
        reportSingleZonePlacement(spread, total, layout);
      }
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

  /**
   * A block whose storage types exist in fewer zones than min-zones: placed as well as they
   * allow, counted, and not reported mis-placed later (so not retried by the redundancy
   * monitor, which could do no better).
   */
  private void reportStorageLimitedPlacement(ReplicaSpread spread, int total,
      Set<StorageType> types) {
    metrics.incrStorageLimitedPlacements();
    LogThrottlingHelper.LogAction action = storageLimitedLog.record(1);
    if (action.shouldLog()) {
      LOG.warn("Block with {} replicas of storage type(s) {} placed in {} zone(s) {}: only"
          + " that many zones have a DataNode with {} (min-zones {}); it is not reported"
          + " mis-placed ({} such placement(s) since the last warning)", total,
          ZoneReplicaChooser.describe(types), spread.zoneCount(), spread.zones(),
          ZoneReplicaChooser.describe(types), config.minZones(), action.getCount());
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

  /**
   * The default rack rule, and the zone rule: the block spans at least
   * {@link #requiredZones} zones, counting only zones that can hold the storage types its
   * replicas may be on (the types every replica's DataNode has), so a block kept in one zone
   * by its storage policy is not reported, and retried, forever.
   */
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
        spanned, requiredZones(numberOfReplicas, layout, typesOnEveryNode(nodes)));
    if (nodes.length > 0 && !status.isZoneRuleSatisfied()) {
      metrics.incrZoneViolationsReported();
    }
    return status;
  }

  /** Storage types every one of the nodes has; null when unknown (not DataNode descriptors). */
  private static EnumSet<StorageType> typesOnEveryNode(DatanodeInfo[] nodes) {
    EnumSet<StorageType> common = null;
    for (DatanodeInfo n : nodes) {
      if (!(n instanceof DatanodeDescriptor)
          || ((DatanodeDescriptor) n).getStorageInfos().length == 0) {
        return null;
      }
      EnumSet<StorageType> types = ((DatanodeDescriptor) n).getStorageTypes();
      if (common == null) {
        common = EnumSet.copyOf(types);
      } else {
        common.retainAll(types);
      }
    }
    return common == null || common.isEmpty() ? null : common;
  }

  // ---------------------------------------------------------------- deleting excess replicas

  /**
   * What {@link #pickupReplicaSet} and {@link #useDelHint} need beyond their arguments while
   * the default {@code chooseReplicasToDelete} runs on this thread.
   */
  private static final class Deletion {
    final ReplicaSpread before;
    final int requiredZones;
    final List<StorageType> excessTypes;

    Deletion(ReplicaSpread before, int requiredZones, List<StorageType> excessTypes) {
      this.before = before;
      this.requiredZones = requiredZones;
      this.excessTypes = excessTypes;
    }
  }

  private static final ThreadLocal<Deletion> DELETION = new ThreadLocal<>();

  /**
   * The default algorithm (delete hint first, then oldest heartbeat or least space among
   * {@link #pickupReplicaSet}), with the zone rule in the two hooks it offers.
   */
  @Override
  public List<DatanodeStorageInfo> chooseReplicasToDelete(
      Collection<DatanodeStorageInfo> availableReplicas,
      Collection<DatanodeStorageInfo> delCandidates, int expectedNumOfReplicas,
      List<StorageType> excessTypes, DatanodeDescriptor addedNode,
      DatanodeDescriptor delNodeHint) {
    ZoneLayout layout = zones.current();
    if (!layout.isZoned()) {
      return super.chooseReplicasToDelete(availableReplicas, delCandidates,
          expectedNumOfReplicas, excessTypes, addedNode, delNodeHint);
    }
    DELETION.set(new Deletion(spreadOfStorages(availableReplicas),
        requiredZones(expectedNumOfReplicas, layout, null), excessTypes));
    try {
      List<DatanodeStorageInfo> excess = super.chooseReplicasToDelete(availableReplicas,
          delCandidates, expectedNumOfReplicas, excessTypes, addedNode, delNodeHint);
      metrics.incrExcessReplicasChosen(excess.size());
      return excess;
    } finally {
      DELETION.remove();
    }
  }

  /**
   * The delete hint (the Balancer's or Mover's source) is used when the default rack rule
   * allows it and the zone rule too: removing it does not reduce the zones the block spans
   * (its zone holds another replica, or the added replica opened a zone), the zone-level form
   * of the default policy's "does not reduce the number of racks"; or the block keeps its
   * required zones without it. The last case is the move {@link #isMovable} lets a block of at
   * most three replicas make (a zone drained down to the required zones): refusing the hint
   * there deleted the new copy instead of the source, so the Balancer moved the same bytes
   * again in every iteration and never finished.
   */
  @Override
  boolean useDelHint(DatanodeStorageInfo delHint, DatanodeStorageInfo added,
      List<DatanodeStorageInfo> moreThanOne, Collection<DatanodeStorageInfo> exactlyOne,
      List<StorageType> excessTypes) {
    if (!super.useDelHint(delHint, added, moreThanOne, exactlyOne, excessTypes)) {
      return false;
    }
    Deletion d = DELETION.get();
    if (d == null) {
      return true;
    }
    ReplicaSpread spread = d.before;
    return spread.inZone(spread.zoneOf(delHint.getDatanodeDescriptor())) > 1
        || (added != null && spread.inZone(spread.zoneOf(added.getDatanodeDescriptor())) == 1)
        || spread.zoneCount() - 1 >= d.requiredZones;
  }

  /**
   * The replicas to choose the next excess one from: those of an excess storage type in the
   * most crowded zone whose loss keeps the block in its required zones (a zone is dropped only
   * when every zone is down to one replica and more zones than required remain); among them
   * those on a rack holding another replica, if any. {@code rackMap} holds the replicas left.
   */
  @Override
  protected Collection<DatanodeStorageInfo> pickupReplicaSet(
      Collection<DatanodeStorageInfo> moreThanOne, Collection<DatanodeStorageInfo> exactlyOne,
      Map<String, List<DatanodeStorageInfo>> rackMap) {
    Deletion d = DELETION.get();
    if (d == null) {
      return super.pickupReplicaSet(moreThanOne, exactlyOne, rackMap);
    }
    Map<String, Integer> perZone = new HashMap<>();
    for (Map.Entry<String, List<DatanodeStorageInfo>> rack : rackMap.entrySet()) {
      perZone.merge(zoneOrRack(rack.getKey()), rack.getValue().size(), Integer::sum);
    }
    List<DatanodeStorageInfo> best = new ArrayList<>();
    int most = 0;
    for (Collection<DatanodeStorageInfo> set : Arrays.asList(moreThanOne, exactlyOne)) {
      for (DatanodeStorageInfo c : set) {
        if (!d.excessTypes.contains(c.getStorageType())) {
          continue;
        }
        int inZone = perZone.getOrDefault(
            zoneOrRack(c.getDatanodeDescriptor().getNetworkLocation()), 0);
        if (inZone <= 1 && perZone.size() - 1 < d.requiredZones) {
          continue;
        }
        if (inZone > most) {
          most = inZone;
          best.clear();
        }
        if (inZone == most) {
          best.add(c);
        }
      }
    }
    List<DatanodeStorageInfo> sharingARack = new ArrayList<>(best);
    sharingARack.retainAll(moreThanOne);
    return sharingARack.isEmpty() ? best : sharingARack;
  }

  private String zoneOrRack(String location) {
    String zone = resolver.zoneOf(location);
    return zone != null ? zone : location;
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
    if (after.zoneCount() < before.zoneCount()
        && !(current.size() <= REPLICATED_MAX && after.zoneCount()
            >= Math.min(config == null ? 2 : config.minZones(), current.size()))) {
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
}
