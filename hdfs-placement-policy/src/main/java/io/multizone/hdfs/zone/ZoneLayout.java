package io.multizone.hdfs.zone;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of which zones a cluster has, the racks in each and how many
 * DataNodes each holds. Built from the network locations of the topology's leaves.
 *
 * <p>The placement policy keeps one snapshot and rebuilds it when the topology's node or rack
 * count changes; it only advises where to look, the topology itself still picks the node.
 */
public final class ZoneLayout {

  /** One zone: its path, its racks and their node counts. */
  public static final class Zone {
    private final String name;
    private final List<String> racks;
    private final int[] rackNodes;
    private final int nodes;

    Zone(String name, Map<String, Integer> rackCounts) {
      this.name = name;
      this.racks = Collections.unmodifiableList(new ArrayList<>(rackCounts.keySet()));
      this.rackNodes = new int[racks.size()];
      int total = 0;
      for (int i = 0; i < racks.size(); i++) {
        rackNodes[i] = rackCounts.get(racks.get(i));
        total += rackNodes[i];
      }
      this.nodes = total;
    }

    public String name() {
      return name;
    }

    /** Rack paths of this zone, in sorted order. */
    public List<String> racks() {
      return racks;
    }

    /** DataNodes in the i-th rack of {@link #racks()}. */
    public int nodesInRack(int i) {
      return rackNodes[i];
    }

    /** DataNodes in this zone. */
    public int nodes() {
      return nodes;
    }

    @Override
    public String toString() {
      return name + racks;
    }
  }

  /** A layout with no zone level: the policy then behaves like the default one. */
  public static final ZoneLayout FLAT = new ZoneLayout(false, Collections.<Zone>emptyList());

  private final boolean zoned;
  private final List<Zone> zones;
  private final Map<String, Zone> byName;

  private ZoneLayout(boolean zoned, List<Zone> zones) {
    this.zoned = zoned;
    this.zones = Collections.unmodifiableList(zones);
    this.byName = new LinkedHashMap<>();
    for (Zone z : zones) {
      byName.put(z.name(), z);
    }
  }

  /**
   * Builds the layout of the given leaf locations (one entry per DataNode). If any location
   * has no zone level the whole cluster is treated as flat, as a topology has one depth.
   */
  public static ZoneLayout of(Iterable<String> leafLocations, ZoneResolver resolver) {
    Map<String, Map<String, Integer>> racksByZone = new TreeMap<>();
    for (String location : leafLocations) {
      String zone = resolver.zoneOf(location);
      if (zone == null) {
        return FLAT;
      }
      racksByZone.computeIfAbsent(zone, z -> new TreeMap<>()).merge(location, 1, Integer::sum);
    }
    if (racksByZone.isEmpty()) {
      return FLAT;
    }
    List<Zone> zones = new ArrayList<>(racksByZone.size());
    for (Map.Entry<String, Map<String, Integer>> e : racksByZone.entrySet()) {
      zones.add(new Zone(e.getKey(), e.getValue()));
    }
    return new ZoneLayout(true, zones);
  }

  /** Whether the topology has a zone level above its racks. */
  public boolean isZoned() {
    return zoned;
  }

  /** Zones that hold at least one DataNode, sorted by name. */
  public List<Zone> zones() {
    return zones;
  }

  public int zoneCount() {
    return zones.size();
  }

  /** The zone of that name, or null when it holds no DataNode. */
  public Zone zone(String name) {
    return byName.get(name);
  }

  @Override
  public String toString() {
    return zoned ? "ZoneLayout" + zones : "ZoneLayout[flat]";
  }
}
