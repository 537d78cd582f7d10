package io.multizone.yarn.placement;

import java.util.Set;

/** Hosts, racks and zones a request currently asks for (immutable snapshot). */
final class Locality {
  final Set<String> hosts;
  final Set<String> racks;
  final Set<String> zones;
  final boolean relaxToAny;
  /** The allocator's ask generation read before the asks were. */
  final int generation;
  /** Cluster node count when computed, if a named host had no rack then; else -1. */
  final int clusterNodes;

  Locality(Set<String> hosts, Set<String> racks, Set<String> zones, boolean relaxToAny,
      int generation, int clusterNodes) {
    this.hosts = hosts;
    this.racks = racks;
    this.zones = zones;
    this.relaxToAny = relaxToAny;
    this.generation = generation;
    this.clusterNodes = clusterNodes;
  }

  /** @return whether the request names any host or rack */
  boolean located() {
    return !hosts.isEmpty() || !racks.isEmpty();
  }

  /** @return whether {@code zone} is one the request wants */
  boolean wantsZone(String zone) {
    return zone != null && zones.contains(zone);
  }
}
