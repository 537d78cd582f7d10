package io.multizone.hdfs.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.multizone.hdfs.zone.ReplicaSpread;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementStatus;

/**
 * Placement status of one erasure-coded block group under the zone rule, on top of the rack
 * rule of the stock EC policy: satisfied only when both are. The zone rule: no zone holds
 * more than the even share {@code ceil(blocks / min(zones, blocks))} of the group's internal
 * blocks, the best any spread can do (RS-6-3 on 3 zones: 3, the parity count, so losing a
 * zone loses no data).
 *
 * <p>While the zone rule is violated, {@link #getAdditionalReplicasRequired()} is the number
 * of internal blocks to copy into zones below their share ({@code min(over, room)}). It drops
 * by one with each such copy, which is what makes the NameNode's redundancy monitor accept
 * the copy it schedules; the copy left in the crowded zone is then deleted as excess. While
 * mis-placed it is 0 only when a copy cannot help, e.g. while such an excess copy still awaits
 * deletion (the monitor then schedules nothing).
 */
public final class BlockGroupStatusWithZones implements BlockPlacementStatus {

  private final BlockPlacementStatus rackStatus;
  private final int blocks;
  private final int share;
  /** zone -> internal blocks above the share. */
  private final Map<String, Integer> over;
  /** accepting zone -> internal blocks it lacks to reach the share. */
  private final Map<String, Integer> room;
  private final int maxPerZone;

  /**
   * @param rackStatus status of the stock EC policy's rack rule for the same locations
   * @param spread the group's live internal blocks per zone
   * @param blocks internal blocks of the group (data + parity)
   * @param acceptingZones zones of the cluster that can take an internal block
   */
  public BlockGroupStatusWithZones(BlockPlacementStatus rackStatus, ReplicaSpread spread,
      int blocks, List<String> acceptingZones) {
    this.rackStatus = rackStatus;
    this.blocks = blocks;
    this.share = shareOf(blocks, acceptingZones.size());
    this.over = new TreeMap<>();
    for (String z : spread.zones()) {
      if (spread.inZone(z) > share) {
        over.put(z, spread.inZone(z) - share);
      }
    }
    this.room = new TreeMap<>();
    for (String z : acceptingZones) {
      if (spread.inZone(z) < share) {
        room.put(z, share - spread.inZone(z));
      }
    }
    this.maxPerZone = spread.maxPerZone();
  }

  /**
   * @return the even share: the most internal blocks of a group of {@code blocks} one zone
   *     should hold when {@code acceptingZones} zones can take them
   */
  public static int shareOf(int blocks, int acceptingZones) {
    int zones = Math.max(1, Math.min(acceptingZones, blocks));
    return (blocks + zones - 1) / zones;
  }

  /** Whether no zone holds more than its even share of the group. */
  public boolean isZoneRuleSatisfied() {
    return over.isEmpty();
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
      List<String> crowded = new ArrayList<>();
      over.forEach((z, n) -> crowded.add((share + n)
          + (crowded.isEmpty() ? " of " + blocks + " internal blocks" : "") + " in " + z));
      sb.append("Block group has ").append(String.join(" and ", crowded))
          .append("; at most ").append(share).append(" per zone");
      if (!room.isEmpty()) {
        sb.append("; ").append(getAdditionalReplicasRequired())
            .append(" should move to ").append(String.join(", ", room.keySet()));
      }
      sb.append('.');
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
    if (isZoneRuleSatisfied()) {
      return rackStatus.getAdditionalReplicasRequired();
    }
    // Copies into the zones below their share also add the racks the rack rule misses there
    // (the policy fills the emptiest rack of the emptiest zone); asking for more would send
    // the extra targets into zones at their share already.
    int overTotal = over.values().stream().mapToInt(Integer::intValue).sum();
    int roomTotal = room.values().stream().mapToInt(Integer::intValue).sum();
    return Math.min(overTotal, roomTotal);
  }

  /** Internal blocks in the most crowded zone. */
  public int maxPerZone() {
    return maxPerZone;
  }

  /** The most internal blocks one zone should hold. */
  public int share() {
    return share;
  }

  @Override
  public String toString() {
    return "maxPerZone=" + maxPerZone + "/" + share + ", racks=" + rackStatus;
  }
}
