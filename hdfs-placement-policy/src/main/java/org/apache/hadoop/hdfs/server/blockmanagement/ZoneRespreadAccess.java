package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.Iterator;

/**
 * The package-private BlockManager and DatanodeManager members the zone re-spread scan
 * ({@code io.multizone.hdfs.respread.ZoneRespreadPlugin}) needs, exposed without copying
 * their code (this class lives in Hadoop's package for that reason only, as the policy does
 * for its hooks).
 *
 * <ul>
 *   <li>{@link #blockIterator}: the blocks map's own iterator, the one Hadoop's startup scan
 *       ({@code BlockManager.processMisReplicatesAsync}) walks in chunks across lock
 *       releases. It does not track modifications: blocks added during a scan may be missed
 *       (they were checked when they were added), and, as for Hadoop's scan, a block whose
 *       hash-bucket neighbour is removed while the scan stands on it may be skipped. Call it
 *       and advance it under the namesystem lock.</li>
 *   <li>{@link #isPlacementPolicySatisfied}: the BlockManager's own check (live replicas,
 *       minus decommissioning and corrupt ones, against the block's placement policy), the
 *       same one its redundancy monitor uses.</li>
 *   <li>{@link #staleIntervalMs}: the stale-DataNode interval the NameNode applies.</li>
 * </ul>
 */
public final class ZoneRespreadAccess {

  private ZoneRespreadAccess() {
  }

  /** Iterator over every block the NameNode knows; advance it under the namesystem lock. */
  public static Iterator<BlockInfo> blockIterator(BlockManager bm) {
    return bm.blocksMap.getBlocks().iterator();
  }

  /** The NameNode's stale-DataNode interval, as the DatanodeManager computed it. */
  public static long staleIntervalMs(DatanodeManager dm) {
    return dm.getStaleInterval();
  }

  /** Whether the block's live replicas satisfy its placement policy (call under the lock). */
  public static boolean isPlacementPolicySatisfied(BlockManager bm, BlockInfo block) {
    return bm.isPlacementPolicySatisfied(block);
  }
}
