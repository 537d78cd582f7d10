package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.multizone.hdfs.zone.ReplicaSpread;
import io.multizone.hdfs.zone.ZoneLayout;
import org.apache.hadoop.fs.StorageType;

/**
 * Picks the zone of each new replica of one block, then a node there through a
 * {@link ZoneTargetPicker}. One instance per block.
 *
 * <p>The rule, for a block of {@code total} replicas that must span {@code required} zones:
 * <ol>
 *   <li>while it spans fewer than {@code required} zones, a zone holding none of it;</li>
 *   <li>else a zone it uses, below the even share {@code ceil(total / zones used)}: the zone
 *       used last first (the write pipeline crosses a zone boundary once), then the least
 *       crowded; but when the zones it uses cannot take all replicas still to place within
 *       that share (a small zone, a zone found full), a new zone now, so that no zone ends
 *       above {@code ceil(total / zones spanned)} when the topology allows it;</li>
 *   <li>then a new zone, then a used zone above its share, then, as the default policy's last
 *       resort, anywhere: a write the default policy accepts never fails here.</li>
 * </ol>
 * Inside a zone, a rack holding none of the block comes first. A zone that has no node for
 * this block (none in service, none with the storage type, all full or busy) is closed for
 * the rest of the block after one quiet pass over its nodes.
 */
final class ZoneReplicaChooser {

  /** Uniform draws over the nodes outside the only used zone, before trying zone by zone. */
  private static final int NEW_ZONE_DRAWS = 3;

  private final ZoneLayout layout;
  private final ReplicaSpread spread;
  private final int total;
  private final int required;
  private final int maxNodesPerRack;
  private final List<DatanodeStorageInfo> results;
  private final ZoneTargetPicker picker;
  private final Collection<StorageType> wantedTypes;
  private final Set<String> closed = new HashSet<>();
  private EnumSet<StorageType> typesWhenClosed;

  /**
   * @param spread the block's replicas so far (results and favored targets); updated here
   * @param wantedTypes storage types still wanted; a zone with none of them is not tried
   */
  ZoneReplicaChooser(ZoneLayout layout, ReplicaSpread spread, int total, int required,
      int maxNodesPerRack, List<DatanodeStorageInfo> results, ZoneTargetPicker picker,
      Collection<StorageType> wantedTypes) {
    this.layout = layout;
    this.spread = spread;
    this.total = total;
    this.required = required;
    this.maxNodesPerRack = maxNodesPerRack;
    this.results = results;
    this.picker = picker;
    this.wantedTypes = wantedTypes;
  }

  /** Adds one replica to the results (and to the spread). */
  void chooseOne() throws BlockPlacementPolicy.NotEnoughReplicasException {
    reopenIfTypesChanged();
    int before = results.size();
    chooseOneInto();
    for (int i = before; i < results.size(); i++) {
      spread.add(results.get(i).getDatanodeDescriptor());
    }
  }

  private void chooseOneInto() throws BlockPlacementPolicy.NotEnoughReplicasException {
    boolean triedNew = false;
    if (spread.zoneCount() < required) {
      if (tryNewZone()) {
        return;
      }
      triedNew = true;
    }
    int share = ceilDiv(total, Math.max(1, spread.zoneCount()));
    int toPlace = total - spread.size();
    if (!triedNew && spread.zoneCount() > 0 && roomInUsedZones(share) < toPlace) {
      if (tryNewZone()) {
        return;
      }
      triedNew = true;
    }
    List<String> used = usedZonesInOrder();
    for (String z : used) {
      if (spread.inZone(z) < share && tryZone(z)) {
        return;
      }
    }
    if (!triedNew && tryNewZone()) {
      return;
    }
    for (String z : used) {
      if (tryZone(z)) {
        return;
      }
    }
    picker.pickAnywhere();
  }

  /** Replicas the used zones can still take within {@code share} each, as far as known. */
  private int roomInUsedZones(int share) {
    int room = 0;
    for (String z : spread.zones()) {
      ZoneLayout.Zone zone = layout.zone(z);
      if (zone != null && isOpen(zone)) {
        room += Math.max(0, Math.min(share, capacity(zone)) - spread.inZone(z));
      }
    }
    return room;
  }

  /** At most one replica per node, and the default policy's per-rack limit. */
  private int capacity(ZoneLayout.Zone zone) {
    return (int) Math.min(zone.inServiceNodes(), (long) zone.racks().size() * maxNodesPerRack);
  }

  /** The zone used last, then the other used zones from the least crowded. */
  private List<String> usedZonesInOrder() {
    List<String> zones = spread.zones();
    final String last = spread.lastZone();
    zones.sort(Comparator.comparingInt((String z) -> z.equals(last) ? -1 : spread.inZone(z)));
    return zones;
  }

  /** A replica in a zone holding none yet; zones weigh by their number of nodes. */
  private boolean tryNewZone() {
    List<ZoneLayout.Zone> all = layout.zones();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (spread.zoneCount() == 1) {
      ZoneLayout.Zone usedZone = layout.zone(spread.zones().get(0));
      int outside = layout.nodeCount() - (usedZone == null ? 0 : usedZone.nodes().length);
      for (int i = 0; i < NEW_ZONE_DRAWS && outside > 0; i++) {
        int k = random.nextInt(outside);
        for (ZoneLayout.Zone z : all) {
          if (z == usedZone) {
            continue;
          }
          if (k < z.nodes().length) {
            if (isOpen(z) && picker.tryNode(z.nodes()[k], z.name())) {
              return true;
            }
            break;
          }
          k -= z.nodes().length;
        }
      }
    }
    int start = all.isEmpty() ? 0 : random.nextInt(all.size());
    for (int i = 0; i < all.size(); i++) {
      ZoneLayout.Zone z = all.get((start + i) % all.size());
      if (!spread.holdsZone(z.name()) && tryZone(z.name())) {
        return true;
      }
    }
    return false;
  }

  /** A replica in {@code name}, on a rack of it holding none yet where possible. */
  private boolean tryZone(String name) {
    ZoneLayout.Zone zone = layout.zone(name);
    if (zone == null || !isOpen(zone)) {
      return false;
    }
    if (picker.pickIn(zone.nodes(), name, spread.holdsZone(name) ? spread : null)) {
      return true;
    }
    if (closed.isEmpty()) {
      typesWhenClosed = currentTypes();
    }
    closed.add(name);
    return false;
  }

  private boolean isOpen(ZoneLayout.Zone zone) {
    return !closed.contains(zone.name()) && zone.canHold(wantedTypes)
        && spread.inZone(zone.name()) < capacity(zone);
  }

  /** A zone closed for one storage type may fit the next one (ONE_SSD: SSD, then DISK). */
  private void reopenIfTypesChanged() {
    if (!closed.isEmpty() && !currentTypes().equals(typesWhenClosed)) {
      closed.clear();
    }
  }

  private EnumSet<StorageType> currentTypes() {
    return wantedTypes.isEmpty()
        ? EnumSet.noneOf(StorageType.class) : EnumSet.copyOf(wantedTypes);
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** For log lines: the storage types a block wanted. */
  static String describe(Collection<StorageType> types) {
    return types == null || types.isEmpty() ? "any" : new ArrayList<>(types).toString();
  }
}
