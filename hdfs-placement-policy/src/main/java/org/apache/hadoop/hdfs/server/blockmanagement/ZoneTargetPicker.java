package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.multizone.hdfs.zone.ReplicaSpread;
import io.multizone.hdfs.zone.ZoneLayout;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.net.NodeBase;

/**
 * Adds one target at a time to a block's {@code results}, drawn from the nodes of one zone of
 * the zone layout snapshot, for the zone-aware policies. One instance per block.
 *
 * <p>Why not {@code chooseRandom} on a zone scope: that walks the topology and, when the scope
 * has no good node (a zone whose racks are full, busy or being decommissioned), throws and
 * logs an INFO line; the zone rule asks such questions of several zones per block exactly when
 * the cluster is degraded. Here the zone's nodes are visited in a random order (a random start
 * and a stride coprime to their number, so racks interleave and no allocation is needed) and
 * each is checked with the default policy's own hooks ({@code isGoodDatanode},
 * {@code chooseStorage4Block}), as {@code chooseRandom} checks the node it draws; nodes
 * checked and rejected join {@code excludedNodes}, as they do there. A zone with no good node
 * costs one pass over its nodes, no exception and no log line.
 *
 * <p>The snapshot may be older than the topology: a node whose location is no longer in the
 * zone it was drawn for is skipped and reported through {@code onMovedNode}, so a block is
 * never placed by a zone the node has left.
 */
final class ZoneTargetPicker {

  private final BlockPlacementPolicyDefault policy;
  private final ZoneResolver resolver;
  private final Runnable onMovedNode;
  private final Set<Node> excludedNodes;
  private final long blocksize;
  private final int maxNodesPerRack;
  private final List<DatanodeStorageInfo> results;
  private final boolean avoidStaleNodes;
  private final EnumMap<StorageType, Integer> storageTypes;

  ZoneTargetPicker(BlockPlacementPolicyDefault policy, ZoneResolver resolver,
      Runnable onMovedNode, Set<Node> excludedNodes, long blocksize, int maxNodesPerRack,
      List<DatanodeStorageInfo> results, boolean avoidStaleNodes,
      EnumMap<StorageType, Integer> storageTypes) {
    this.policy = policy;
    this.resolver = resolver;
    this.onMovedNode = onMovedNode;
    this.excludedNodes = excludedNodes;
    this.blocksize = blocksize;
    this.maxNodesPerRack = maxNodesPerRack;
    this.results = results;
    this.avoidStaleNodes = avoidStaleNodes;
    this.storageTypes = storageTypes;
  }

  /** The same picker with another per-rack limit. */
  ZoneTargetPicker withMaxNodesPerRack(int limit) {
    return new ZoneTargetPicker(policy, resolver, onMovedNode, excludedNodes, blocksize, limit,
        results, avoidStaleNodes, storageTypes);
  }

  /**
   * The first replica: on the writer's node (the default policy's own check), else on its
   * rack, else in its zone, else anywhere, as the default policy places it. The rack and zone
   * come from the snapshot with the quiet {@link #pickIn}, where the default policy searches
   * the topology and logs an INFO line whenever the writer's rack is full. Returns the node the
   * pipeline starts from.
   */
  Node pickWriterLocal(Node writer, ZoneLayout layout)
      throws BlockPlacementPolicy.NotEnoughReplicasException {
    DatanodeStorageInfo local = policy.chooseLocalStorage(writer, excludedNodes, blocksize,
        maxNodesPerRack, results, avoidStaleNodes, storageTypes, false);
    if (local != null) {
      return local.getDatanodeDescriptor();
    }
    if (writer instanceof DatanodeDescriptor) {
      String zone = resolver.zoneOf(writer.getNetworkLocation());
      ZoneLayout.Rack rack = layout.rack(writer.getNetworkLocation());
      ZoneLayout.Zone inZone = zone == null ? null : layout.zone(zone);
      if ((rack != null && pickIn(rack.nodes(), zone, null))
          || (inZone != null && pickIn(inZone.nodes(), zone, null))) {
        return results.get(results.size() - 1).getDatanodeDescriptor();
      }
    }
    int before = results.size();
    pickAnywhere();
    return results.size() > before ? results.get(results.size() - 1).getDatanodeDescriptor()
        : null;
  }

  /**
   * One target among {@code candidates}, the snapshot's nodes of {@code zone}. When
   * {@code preferNewRack} is given, nodes on racks holding none of its replicas are tried
   * first. Returns false, quietly, when no candidate fits.
   */
  boolean pickIn(Node[] candidates, String zone, ReplicaSpread preferNewRack) {
    int n = candidates.length;
    if (n == 0) {
      return false;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int start = random.nextInt(n);
    int stride = coprimeStride(n, random);
    if (preferNewRack != null) {
      for (int i = 0, k = start; i < n; i++, k = next(k, stride, n)) {
        Node node = candidates[k];
        if (preferNewRack.inRack(node.getNetworkLocation()) == 0 && tryNode(node, zone)) {
          return true;
        }
      }
    }
    for (int i = 0, k = start; i < n; i++, k = next(k, stride, n)) {
      if (tryNode(candidates[k], zone)) {
        return true;
      }
    }
    return false;
  }

  /**
   * One target anywhere, as the default policy's last resort ({@code chooseRandom} on the
   * whole topology); throws when no node is left at all.
   */
  void pickAnywhere() throws BlockPlacementPolicy.NotEnoughReplicasException {
    policy.chooseRandom(1, NodeBase.ROOT, excludedNodes, blocksize, maxNodesPerRack, results,
        avoidStaleNodes, storageTypes);
  }

  /**
   * Checks one candidate drawn for {@code zone} and, if it fits, adds a storage of a wanted
   * type to the results.
   */
  boolean tryNode(Node node, String zone) {
    if (!(node instanceof DatanodeDescriptor) || excludedNodes.contains(node)) {
      return false;
    }
    DatanodeDescriptor dn = (DatanodeDescriptor) node;
    if (zone != null && !zone.equals(resolver.zoneOf(dn.getNetworkLocation()))) {
      onMovedNode.run();
      return false;
    }
    if (!dn.isAlive()) {
      return false; // left the topology since the snapshot; the next snapshot drops it
    }
    excludedNodes.add(dn);
    if (!policy.isGoodDatanode(dn, maxNodesPerRack, policy.considerLoad, results,
        avoidStaleNodes)) {
      return false;
    }
    for (Iterator<Map.Entry<StorageType, Integer>> it = storageTypes.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<StorageType, Integer> entry = it.next();
      if (policy.chooseStorage4Block(dn, blocksize, results, entry.getKey()) != null) {
        policy.addToExcludedNodes(dn, excludedNodes);
        if (entry.getValue() == 1) {
          it.remove();
        } else {
          entry.setValue(entry.getValue() - 1);
        }
        return true;
      }
    }
    return false;
  }

  private static int next(int k, int stride, int n) {
    int j = k + stride;
    return j >= n ? j - n : j;
  }

  /** A stride in [1, n) sharing no factor with n, so stepping by it visits every index once. */
  private static int coprimeStride(int n, ThreadLocalRandom random) {
    if (n <= 2) {
      return 1;
    }
    while (true) {
      int s = 1 + random.nextInt(n - 1);
      if (gcd(s, n) == 1) {
        return s;
      }
    }
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
