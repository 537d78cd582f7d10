package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.net.NodeBase;

/**
 * Adds one target at a time to a block's {@code results} from a given set of candidate nodes
 * (a zone or a rack of the zone layout snapshot), for the zone-aware policies.
 *
 * <p>It first draws a few random candidates and checks each exactly as the default policy's
 * {@code chooseRandom} would (not excluded, alive, {@code isGoodDatanode}, a storage of a
 * wanted type with room); only if none fits does it call {@code chooseRandom} on the
 * topology, which is complete but walks the tree. A rejected node is excluded from later
 * draws, as {@code chooseRandom} excludes every node it tried. One instance per block.
 */
final class ZoneTargetPicker {

  /** Random draws from the snapshot before asking the topology to search. */
  private static final int FAST_TRIES = 3;

  private final BlockPlacementPolicyDefault policy;
  private final Set<Node> excludedNodes;
  private final long blocksize;
  private final int maxNodesPerRack;
  private final List<DatanodeStorageInfo> results;
  private final boolean avoidStaleNodes;
  private final EnumMap<StorageType, Integer> storageTypes;

  ZoneTargetPicker(BlockPlacementPolicyDefault policy, Set<Node> excludedNodes,
      long blocksize, int maxNodesPerRack, List<DatanodeStorageInfo> results,
      boolean avoidStaleNodes, EnumMap<StorageType, Integer> storageTypes) {
    this.policy = policy;
    this.excludedNodes = excludedNodes;
    this.blocksize = blocksize;
    this.maxNodesPerRack = maxNodesPerRack;
    this.results = results;
    this.avoidStaleNodes = avoidStaleNodes;
    this.storageTypes = storageTypes;
  }

  /**
   * The first replica, writer-local as in the default policy (else the writer's rack, else
   * anywhere). Returns the node the pipeline starts from, or null.
   */
  Node pickWriterLocal(Node writer) throws BlockPlacementPolicy.NotEnoughReplicasException {
    DatanodeStorageInfo local = policy.chooseLocalStorage(writer, excludedNodes, blocksize,
        maxNodesPerRack, results, avoidStaleNodes, storageTypes, true);
    return local != null ? local.getDatanodeDescriptor() : null;
  }

  /** One target among {@code candidates}, which are the nodes of topology {@code scope}. */
  boolean pickIn(Node[] candidates, String scope) {
    for (int i = 0; i < FAST_TRIES && candidates.length > 0; i++) {
      if (tryNode(candidates[ThreadLocalRandom.current().nextInt(candidates.length)])) {
        return true;
      }
    }
    return pickInScope(scope);
  }

  /** One target in a topology scope ({@code /zone}, {@code /zone/rack}, {@code ~/zone}). */
  boolean pickInScope(String scope) {
    try {
      policy.chooseRandom(1, scope, excludedNodes, blocksize, maxNodesPerRack, results,
          avoidStaleNodes, storageTypes);
      return true;
    } catch (BlockPlacementPolicy.NotEnoughReplicasException e) {
      BlockPlacementPolicy.LOG.debug("No target in scope {}", scope, e);
      return false;
    }
  }

  /** One target anywhere, with {@code maxPerRack}; throws when none is left at all. */
  void pickAnywhere(int maxPerRack) throws BlockPlacementPolicy.NotEnoughReplicasException {
    policy.chooseRandom(1, NodeBase.ROOT, excludedNodes, blocksize, maxPerRack, results,
        avoidStaleNodes, storageTypes);
  }

  /** Checks one candidate and, if it fits, adds a storage of a wanted type to the results. */
  boolean tryNode(Node node) {
    if (!(node instanceof DatanodeDescriptor) || excludedNodes.contains(node)) {
      return false;
    }
    DatanodeDescriptor dn = (DatanodeDescriptor) node;
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
}
