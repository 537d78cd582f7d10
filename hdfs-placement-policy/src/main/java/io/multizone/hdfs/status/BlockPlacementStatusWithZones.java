package io.multizone.hdfs.status;

import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementStatus;

/**
 * Placement status of one block under the zone rule, on top of the rack rule of the default
 * policy: satisfied only when both are. {@code hdfs fsck} prints {@link #getErrorDescription()}
 * for a violating block, and the NameNode's redundancy monitor schedules
 * {@link #getAdditionalReplicasRequired()} new replicas to repair it.
 */
public final class BlockPlacementStatusWithZones implements BlockPlacementStatus {

  private final BlockPlacementStatus rackStatus;
  private final int zonesSpanned;
  private final int requiredZones;

  /**
   * @param rackStatus status of the default policy's rack rule for the same locations
   * @param zonesSpanned distinct zones holding a live replica
   * @param requiredZones min(min-zones, replication, zones that can take a replica)
   */
  public BlockPlacementStatusWithZones(BlockPlacementStatus rackStatus, int zonesSpanned,
      int requiredZones) {
    this.rackStatus = rackStatus;
    this.zonesSpanned = zonesSpanned;
    this.requiredZones = requiredZones;
  }

  public boolean isZoneRuleSatisfied() {
    return zonesSpanned >= requiredZones;
  }

  @Override
  public boolean isPlacementPolicySatisfied() {
    return isZoneRuleSatisfied() && rackStatus.isPlacementPolicySatisfied();
  }

  @Override
  public String getErrorDescription() {
    if (isPlacementPolicySatisfied()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    if (!isZoneRuleSatisfied()) {
      int missing = requiredZones - zonesSpanned;
      sb.append("Block spans ").append(zonesSpanned).append(" zone(s) but should span ")
          .append(requiredZones).append("; it should be additionally replicated on ")
          .append(missing).append(" more zone(s).");
    }
    if (!rackStatus.isPlacementPolicySatisfied()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(rackStatus.getErrorDescription());
    }
    return sb.toString();
  }

  @Override
  public int getAdditionalReplicasRequired() {
    // Every new replica can add one zone and one rack: the larger gap is what is needed.
    int zonesMissing = Math.max(0, requiredZones - zonesSpanned);
    return Math.max(zonesMissing, rackStatus.getAdditionalReplicasRequired());
  }

  public int zonesSpanned() {
    return zonesSpanned;
  }

  public int requiredZones() {
    return requiredZones;
  }

  @Override
  public String toString() {
    return "zones=" + zonesSpanned + "/" + requiredZones + ", racks=" + rackStatus;
  }
}
