package io.multizone.hdfs.zone;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.net.NodeBase;

/**
 * An immutable snapshot of a cluster's zones: the racks of each and the DataNodes in each
 * rack. Built from the topology's leaves.
 *
 * <p>The placement policy keeps one snapshot and rebuilds it when the topology's node, rack
 * or non-empty rack count changes (the last follows decommissioning). It uses the snapshot to decide where to look and to draw candidate nodes
 * without walking the topology; every candidate is still checked as the topology would.
 */
public final class ZoneLayout {

  /** One rack: its path and its nodes. */
  public static final class Rack {
    private final String name;
    private final Node[] nodes;

    Rack(String name, List<Node> nodes) {
      this.name = name;
      this.nodes = nodes.toArray(new Node[0]);
    }

    public String name() {
      return name;
    }

    /** The rack's nodes (do not modify). */
    public Node[] nodes() {
      return nodes;
    }
  }

  /** One zone: its path, its racks and all its nodes. */
  public static final class Zone {
    private final String name;
    private final List<Rack> racks;
    private final Node[] nodes;

    private final int inService;
    /** Storage types of the zone's in-service DataNodes; null = unknown (not DataNodes). */
    private final EnumSet<StorageType> storageTypes;

    Zone(String name, List<Rack> racks) {
      this.name = name;
      this.racks = Collections.unmodifiableList(racks);
      List<Node> all = new ArrayList<>();
      for (Rack r : racks) {
        Collections.addAll(all, r.nodes());
      }
      this.nodes = all.toArray(new Node[0]);
      int serving = 0;
      EnumSet<StorageType> types = EnumSet.noneOf(StorageType.class);
      boolean known = true;
      for (Node n : nodes) {
        if (!isRetiring(n)) {
          serving++;
          // A DataNode that registered but has not reported its storages yet could hold any
          // type: the zone's types stay unknown until the next rebuild rather than too few.
          if (n instanceof DatanodeDescriptor
              && ((DatanodeDescriptor) n).getStorageInfos().length > 0) {
            types.addAll(((DatanodeDescriptor) n).getStorageTypes());
          } else {
            known = false;
          }
        }
      }
      this.inService = serving;
      this.storageTypes = known ? types : null;
    }

    /** DataNodes of the zone that are neither decommissioning nor decommissioned. */
    public int inServiceNodes() {
      return inService;
    }

    /**
     * Whether an in-service DataNode of the zone has a storage of one of {@code types}
     * ({@code null} or empty = any type).
     */
    public boolean canHold(Collection<StorageType> types) {
      if (inService == 0) {
        return false;
      }
      if (types == null || types.isEmpty() || storageTypes == null) {
        return true;
      }
      for (StorageType t : types) {
        if (storageTypes.contains(t)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Whether some DataNode of the zone is neither decommissioning nor decommissioned: a zone
     * being retired stays in the topology (its racks only turn "empty") but can take no new
     * replica, so it must not count towards the zones a block is required to span.
     */
    public boolean acceptsReplicas() {
      return inService > 0;
    }

    public String name() {
      return name;
    }

    /** Racks of this zone, sorted by path. */
    public List<Rack> racks() {
      return racks;
    }

    /** Every node of the zone (do not modify). */
    public Node[] nodes() {
      return nodes;
    }

    @Override
    public String toString() {
      List<String> names = new ArrayList<>();
      for (Rack r : racks) {
        names.add(r.name());
      }
      return name + names + (inService > 0 ? "" : "(retiring)");
    }
  }

  /** A layout with no zone level: the policy then behaves like the default one. */
  public static final ZoneLayout FLAT = new ZoneLayout(false, Collections.<Zone>emptyList());

  private final boolean zoned;
  private final List<Zone> zones;
  private final Map<String, Zone> byName = new HashMap<>();
  private final Map<String, Rack> racksByName = new HashMap<>();
  private final int nodes;
  private final int acceptingZones;

  private ZoneLayout(boolean zoned, List<Zone> zones) {
    this.zoned = zoned;
    this.zones = Collections.unmodifiableList(zones);
    int n = 0;
    int accepting = 0;
    for (Zone z : zones) {
      byName.put(z.name(), z);
      for (Rack r : z.racks()) {
        racksByName.put(r.name(), r);
      }
      n += z.nodes().length;
      accepting += z.acceptsReplicas() ? 1 : 0;
    }
    this.nodes = n;
    this.acceptingZones = accepting;
  }

  /**
   * Builds the layout of the given leaves. If any has no zone level the whole cluster is
   * treated as flat, as a topology has one depth.
   */
  public static ZoneLayout of(Iterable<? extends Node> leaves, ZoneResolver resolver) {
    Map<String, Map<String, List<Node>>> byZone = new TreeMap<>();
    for (Node leaf : leaves) {
      String location = leaf.getNetworkLocation();
      String zone = resolver.zoneOf(location);
      if (zone == null) {
        return FLAT;
      }
      byZone.computeIfAbsent(zone, z -> new TreeMap<>())
          .computeIfAbsent(location, r -> new ArrayList<>()).add(leaf);
    }
    if (byZone.isEmpty()) {
      return FLAT;
    }
    List<Zone> zones = new ArrayList<>(byZone.size());
    for (Map.Entry<String, Map<String, List<Node>>> z : byZone.entrySet()) {
      List<Rack> racks = new ArrayList<>();
      for (Map.Entry<String, List<Node>> r : z.getValue().entrySet()) {
        racks.add(new Rack(r.getKey(), r.getValue()));
      }
      zones.add(new Zone(z.getKey(), racks));
    }
    return new ZoneLayout(true, zones);
  }

  /** A layout of placeholder nodes at the given locations (one per entry), for tests. */
  public static ZoneLayout ofLocations(Iterable<String> locations, ZoneResolver resolver) {
    List<Node> leaves = new ArrayList<>();
    int i = 0;
    for (String location : locations) {
      leaves.add(new NodeBase("node-" + i++, location));
    }
    return of(leaves, resolver);
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

  /** Zones with a DataNode that is not being retired: the zones a block can spread over. */
  public int acceptingZoneCount() {
    return acceptingZones;
  }

  private static boolean isRetiring(Node n) {
    return n instanceof DatanodeInfo && (((DatanodeInfo) n).isDecommissionInProgress()
        || ((DatanodeInfo) n).isDecommissioned());
  }

  /**
   * Zones with an in-service DataNode that has a storage of one of {@code types} ({@code null}
   * or empty = any): the zones a block of those storage types can spread over.
   */
  public int acceptingZoneCount(Collection<StorageType> types) {
    if (types == null || types.isEmpty()) {
      return acceptingZones;
    }
    int n = 0;
    for (Zone z : zones) {
      n += z.canHold(types) ? 1 : 0;
    }
    return n;
  }

  /** DataNodes in all zones. */
  public int nodeCount() {
    return nodes;
  }

  /** The rack of that name (a network location), or null when it holds no DataNode. */
  public Rack rack(String name) {
    return racksByName.get(name);
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
