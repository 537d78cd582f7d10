package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.multizone.hdfs.config.TopologyTableCheck;
import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import io.multizone.hdfs.status.BlockGroupStatusWithZones;
import io.multizone.hdfs.zone.ReplicaSpread;
import io.multizone.hdfs.zone.TopologyZones;
import io.multizone.hdfs.zone.ZoneLayout;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.Node;

/**
 * Erasure-coded block groups spread evenly over zones first, then over the racks of each
 * zone, so that losing a whole zone loses at most {@code ceil(blocks / zones)} internal blocks
 * of a group: with RS-6-3 on 3 zones that is 3, which the 3 parity blocks cover.
 *
 * <p>Enable it with {@code dfs.block.placement.ec.classname=}{@value #CLASS_NAME}. The stock
 * {@link BlockPlacementPolicyRackFaultTolerant} (the EC default) spreads over racks only and
 * can put 4 of 9 internal blocks in one zone. On a topology without a zone level this policy
 * is exactly the stock one. Zones are named by the same keys as {@link
 * BlockPlacementPolicyWithZones} ({@code multizone.zone.depth}).
 *
 * <p>{@link #verifyBlockPlacement} reports a group with more than that share in one zone (e.g.
 * one written 5/4/0 while a zone was down), so fsck lists it and the redundancy monitor copies
 * one internal block at a time into the emptiest zone; {@link #chooseReplicasToDelete} then
 * deletes the copy left in the most crowded zone, and the spread converges.
 */
public class BlockPlacementPolicyRackFaultTolerantWithZones
    extends BlockPlacementPolicyRackFaultTolerant {

  /** The value operators put in {@code dfs.block.placement.ec.classname}. */
  public static final String CLASS_NAME = "org.apache.hadoop.hdfs.server.blockmanagement."
      + "BlockPlacementPolicyRackFaultTolerantWithZones";

  private static final long LAYOUT_MAX_AGE_MS = 30_000L;

  private ZoneResolver resolver;
  private TopologyZones zones;
  private ZonePlacementMetrics metrics;

  @Override
  public void initialize(Configuration conf, FSClusterStats stats, NetworkTopology clusterMap,
      Host2NodesMap host2datanodeMap) {
    super.initialize(conf, stats, clusterMap, host2datanodeMap);
    ZonePlacementConfig config = ZonePlacementConfig.from(conf);
    TopologyTableCheck.verify(conf, config);
    this.resolver = new ZoneResolver(config.zoneDepth());
    this.zones = new TopologyZones(clusterMap, resolver, LAYOUT_MAX_AGE_MS, null);
    this.metrics = ZonePlacementMetrics.get();
  }

  /** Whether the zone rule applies: a zone level and at least two zones to spread over. */
  private static boolean spreadsOverZones(ZoneLayout layout) {
    return layout.isZoned() && layout.acceptingZoneCount() >= 2;
  }

  /** The zone layout the policy currently sees. */
  public ZoneLayout getZoneLayout() {
    return zones.current();
  }

  @Override
  protected Node chooseTargetInOrder(int numOfReplicas, Node writer, Set<Node> excludedNodes,
      long blocksize, int maxNodesPerRack, List<DatanodeStorageInfo> results,
      boolean avoidStaleNodes, boolean newBlock, EnumMap<StorageType, Integer> storageTypes)
      throws NotEnoughReplicasException {
    final ZoneLayout layout = zones.current();
    if (!layout.isZoned() || layout.zoneCount() < 2) {
      return super.chooseTargetInOrder(numOfReplicas, writer, excludedNodes, blocksize,
          maxNodesPerRack, results, avoidStaleNodes, newBlock, storageTypes);
    }
    final int total = results.size() + numOfReplicas;
    ZoneTargetPicker picker = new ZoneTargetPicker(this, resolver, zones::invalidate,
        excludedNodes, blocksize, maxNodesPerRack, results, avoidStaleNodes, storageTypes);
    if (results.isEmpty()) {
      writer = picker.pickWriterLocal(writer, layout);
      numOfReplicas--;
    }
    ReplicaSpread spread = new ReplicaSpread(resolver);
    for (DatanodeStorageInfo s : results) {
      spread.add(s.getDatanodeDescriptor());
    }
    // A zone with fewer racks than its share of the group takes more than one internal block
    // per rack rather than push the share onto another zone (whose loss would then cost more
    // blocks than there are parity blocks).
    final ZoneTargetPicker sameRackOk = picker.withMaxNodesPerRack(total);
    final int share = (total + Math.max(1, layout.acceptingZoneCount()) - 1)
        / Math.max(1, layout.acceptingZoneCount());
    for (; numOfReplicas > 0; numOfReplicas--) {
      int before = results.size();
      if (!pickInLeastUsedZone(layout, spread, picker, maxNodesPerRack, sameRackOk, share,
          storageTypes.keySet())) {
        // As the stock policy's best effort: relax the per-rack limit rather than fail.
        sameRackOk.pickAnywhere();
      }
      for (int i = before; i < results.size(); i++) {
        spread.add(results.get(i).getDatanodeDescriptor());
      }
    }
    return writer;
  }

  /**
   * One target in the zone holding fewest, on its rack holding fewest (random ties), within
   * the per-rack limit; in a zone still below its {@code share}, beyond that limit too. Zones
   * that cannot take a block (every DataNode retiring, none with a wanted storage type) are
   * skipped without a look at their nodes.
   */
  private static boolean pickInLeastUsedZone(ZoneLayout layout, ReplicaSpread spread,
      ZoneTargetPicker picker, int maxNodesPerRack, ZoneTargetPicker sameRackOk, int share,
      Collection<StorageType> types) {
    List<ZoneLayout.Zone> order = new ArrayList<>(layout.zones().size());
    for (ZoneLayout.Zone z : layout.zones()) {
      if (z.canHold(types)) {
        order.add(z);
      }
    }
    Collections.shuffle(order, ThreadLocalRandom.current());
    order.sort(Comparator.comparingInt(z -> spread.inZone(z.name())));
    for (ZoneLayout.Zone zone : order) {
      List<ZoneLayout.Rack> racks = new ArrayList<>(zone.racks());
      Collections.shuffle(racks, ThreadLocalRandom.current());
      racks.sort(Comparator.comparingInt(r -> spread.inRack(r.name())));
      for (ZoneLayout.Rack rack : racks) {
        if (spread.inRack(rack.name()) < maxNodesPerRack
            && picker.pickIn(rack.nodes(), zone.name(), null)) {
          return true;
        }
      }
      if (spread.inZone(zone.name()) < share) {
        for (ZoneLayout.Rack rack : racks) {
          if (sameRackOk.pickIn(rack.nodes(), zone.name(), null)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- verifying placement

  /**
   * The stock rack rule, and no zone holding more than {@code ceil(n / min(zones, n))} of the
   * group's {@code n} internal blocks.
   */
  @Override
  public BlockPlacementStatus verifyBlockPlacement(DatanodeInfo[] locs, int numberOfReplicas) {
    BlockPlacementStatus rackStatus = super.verifyBlockPlacement(locs, numberOfReplicas);
    ZoneLayout layout = zones.current();
    if (!spreadsOverZones(layout)) {
      return rackStatus;
    }
    List<DatanodeInfo> nodes = locs == null ? Collections.emptyList() : Arrays.asList(locs);
    List<String> accepting = new ArrayList<>();
    for (ZoneLayout.Zone z : layout.zones()) {
      if (z.acceptsReplicas()) {
        accepting.add(z.name());
      }
    }
    if (!rackStatus.isPlacementPolicySatisfied()
        && distinctRacks(nodes) >= reachableRacks(layout, numberOfReplicas)) {
      // The stock rule wants min(blocks, racks of the cluster) racks; under the zone cap a
      // zone with fewer racks than its share must double up, so fewer racks is the best any
      // placement can do. Reporting it would keep the group in the redundancy queue forever.
      rackStatus = RACKS_AS_SPREAD_AS_ZONES_ALLOW;
    }
    BlockGroupStatusWithZones status = new BlockGroupStatusWithZones(rackStatus,
        ReplicaSpread.of(resolver, nodes), numberOfReplicas, accepting);
    if (!nodes.isEmpty() && !status.isZoneRuleSatisfied()) {
      metrics.incrZoneViolationsReported();
    }
    return status;
  }

  /** The rack rule when a group uses every rack the zone rule leaves reachable. */
  private static final BlockPlacementStatus RACKS_AS_SPREAD_AS_ZONES_ALLOW =
      new BlockPlacementStatus() {
        @Override
        public boolean isPlacementPolicySatisfied() {
          return true;
        }

        @Override
        public String getErrorDescription() {
          return null;
        }

        @Override
        public int getAdditionalReplicasRequired() {
          return 0;
        }
      };

  private static int distinctRacks(List<DatanodeInfo> nodes) {
    Set<String> racks = new HashSet<>();
    for (DatanodeInfo n : nodes) {
      racks.add(n.getNetworkLocation());
    }
    return racks.size();
  }

  /**
   * The most racks a group of {@code blocks} internal blocks can use while no zone holds more
   * than its even share: each accepting zone contributes at most min(share, its racks).
   */
  static int reachableRacks(ZoneLayout layout, int blocks) {
    int accepting = 0;
    for (ZoneLayout.Zone z : layout.zones()) {
      if (z.acceptsReplicas()) {
        accepting++;
      }
    }
    int share = BlockGroupStatusWithZones.shareOf(blocks, accepting);
    int racks = 0;
    for (ZoneLayout.Zone z : layout.zones()) {
      if (z.acceptsReplicas()) {
        racks += Math.min(share, z.racks().size());
      }
    }
    return Math.min(blocks, racks);
  }

  // ---------------------------------------------------------------- deleting excess copies

  /**
   * Among the candidates (for a block group: copies of one internal block), deletes the one in
   * the zone holding most of {@code availableReplicas}; the stock rack-based choice breaks
   * ties.
   */
  @Override
  public List<DatanodeStorageInfo> chooseReplicasToDelete(
      Collection<DatanodeStorageInfo> availableReplicas,
      Collection<DatanodeStorageInfo> delCandidates, int expectedNumOfReplicas,
      List<StorageType> excessTypes, DatanodeDescriptor addedNode,
      DatanodeDescriptor delNodeHint) {
    if (!spreadsOverZones(zones.current())) {
      return super.chooseReplicasToDelete(availableReplicas, delCandidates,
          expectedNumOfReplicas, excessTypes, addedNode, delNodeHint);
    }
    List<DatanodeStorageInfo> available = new ArrayList<>(availableReplicas);
    List<DatanodeStorageInfo> candidates = new ArrayList<>(delCandidates);
    ReplicaSpread spread = new ReplicaSpread(resolver);
    for (DatanodeStorageInfo s : available) {
      spread.add(s.getDatanodeDescriptor());
    }
    List<DatanodeStorageInfo> excess = new ArrayList<>();
    while (delCandidates.size() - expectedNumOfReplicas > excess.size()) {
      List<DatanodeStorageInfo> crowded = inMostCrowdedZone(candidates, spread, excessTypes);
      if (crowded.isEmpty()) {
        break;
      }
      // One of them, chosen as the stock policy would (it also consumes the excess type).
      List<DatanodeStorageInfo> one = super.chooseReplicasToDelete(available, crowded,
          crowded.size() - 1, excessTypes, addedNode, delNodeHint);
      if (one.isEmpty()) {
        break;
      }
      DatanodeStorageInfo cur = one.get(0);
      available.remove(cur);
      candidates.remove(cur);
      spread.remove(cur.getDatanodeDescriptor());
      excess.add(cur);
      metrics.incrExcessReplicasChosen();
    }
    return excess;
  }

  /** The candidates of an excess storage type in the zone holding most of the spread. */
  private static List<DatanodeStorageInfo> inMostCrowdedZone(
      List<DatanodeStorageInfo> candidates, ReplicaSpread spread,
      List<StorageType> excessTypes) {
    List<DatanodeStorageInfo> out = new ArrayList<>();
    int most = 0;
    for (DatanodeStorageInfo c : candidates) {
      if (!excessTypes.contains(c.getStorageType())) {
        continue;
      }
      int n = spread.inZone(spread.zoneOf(c.getDatanodeDescriptor()));
      if (n > most) {
        most = n;
        out.clear();
      }
      if (n == most) {
        out.add(c);
      }
    }
    return out;
  }
}
