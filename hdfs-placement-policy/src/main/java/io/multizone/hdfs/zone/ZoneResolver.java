package io.multizone.hdfs.zone;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.apache.hadoop.net.Node;

/**
 * Names the zone of a network location: its first {@code depth} path components. With depth
 * 1, {@code /zone-a/rack-1} is in zone {@code /zone-a}. A location with no more components
 * than {@code depth} (for example {@code /rack-1} on a flat topology) has no zone level.
 *
 * <p>This is the single rule shared with the YARN module, so the topology script that names
 * racks also names zones and operators configure zones once.
 */
public final class ZoneResolver {

  private final int depth;
  /** Locations are few (one per rack): cache their zones. Absent zone = {@link #NO_ZONE}. */
  private final ConcurrentMap<String, String> cache = new ConcurrentHashMap<>();
  private static final String NO_ZONE = "";

  public ZoneResolver(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("zone depth must be >= 1, got " + depth);
    }
    this.depth = depth;
  }

  /** Leading components that name a zone. */
  public int depth() {
    return depth;
  }

  /**
   * Returns the zone of {@code networkLocation}, or {@code null} when the location has no
   * zone level (it has at most {@code depth} components).
   */
  public String zoneOf(String networkLocation) {
    if (networkLocation == null) {
      return null;
    }
    String zone = cache.get(networkLocation);
    if (zone == null) {
      zone = compute(networkLocation);
      cache.putIfAbsent(networkLocation, zone);
    }
    return zone.isEmpty() ? null : zone;
  }

  /** Whether a location of this form has a zone level above its rack. */
  public boolean hasZoneLevel(String networkLocation) {
    return zoneOf(networkLocation) != null;
  }

  /**
   * Number of distinct zones the nodes are in. Nodes without a zone level count as one
   * zone each by their own location, so a flat topology counts racks.
   */
  public int countZones(Iterable<? extends Node> nodes) {
    Set<String> zones = new HashSet<>();
    for (Node n : nodes) {
      String zone = zoneOf(n.getNetworkLocation());
      zones.add(zone != null ? zone : n.getNetworkLocation());
    }
    return zones.size();
  }

  /** Number of path components of a location: {@code /a/b} has 2, {@code /} has 0. */
  public static int componentCount(String networkLocation) {
    int n = 0;
    boolean inName = false;
    for (int i = 0; i < networkLocation.length(); i++) {
      if (networkLocation.charAt(i) == '/') {
        inName = false;
      } else if (!inName) {
        inName = true;
        n++;
      }
    }
    return n;
  }

  private String compute(String location) {
    if (componentCount(location) <= depth) {
      return NO_ZONE;
    }
    int seen = 0;
    for (int i = 1; i < location.length(); i++) {
      if (location.charAt(i) == '/' && ++seen == depth) {
        return location.substring(0, i);
      }
    }
    return NO_ZONE;
  }
}
