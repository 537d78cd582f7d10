package io.multizone.yarn.placement;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.multizone.zone.ZoneResolver;

/**
 * Hosts, racks and zones a request currently asks for. Built from all the asks once; after
 * that, an allocation that takes a host or rack ask to zero, or an ask update naming a few
 * hosts or racks, changes it in place ({@link #addHost}, {@link #dropHost},
 * {@link #addRackAsk}, {@link #dropRackAsk}; each is idempotent) instead of re-reading every
 * ask and resolving every host again, which cost most of an allocation on requests naming
 * ~1000 hosts.
 *
 * <p>Readers (proposal threads under asynchronous scheduling) may see it between two
 * changes: the sets are concurrent and every state they pass through is one the asks were
 * in. Changes are made by one thread at a time (the allocator's lock).
 */
final class Locality {
  final Set<String> hosts = ConcurrentHashMap.newKeySet();
  final Set<String> racks = ConcurrentHashMap.newKeySet();
  final Set<String> zones = ConcurrentHashMap.newKeySet();
  final boolean relaxToAny;
  /** Cluster node count when computed, if a named host had no rack then; else -1. */
  private volatile int clusterNodes;
  /** The allocator's ask generation this snapshot matches. */
  private volatile int generation;

  /** Rack of each named host that has one. */
  private final Map<String, String> rackOfHost = new ConcurrentHashMap<>();
  /** Racks with an ask of their own. */
  private final Set<String> askedRacks = ConcurrentHashMap.newKeySet();
  /** For each rack in {@link #racks}: named hosts in it, plus one if it has its own ask. */
  private final Map<String, Integer> rackUses = new ConcurrentHashMap<>();
  /** For each zone in {@link #zones}: racks of {@link #racks} in it. */
  private final Map<String, Integer> zoneRacks = new ConcurrentHashMap<>();
  private final ZoneResolver zoneResolver;

  private Locality(boolean relaxToAny, int generation, int clusterNodes,
      ZoneResolver zoneResolver) {
    this.relaxToAny = relaxToAny;
    this.generation = generation;
    this.clusterNodes = clusterNodes;
    this.zoneResolver = zoneResolver;
  }

  /** @return an empty locality (ANY-only request) of the given generation */
  static Locality none(int generation) {
    return new Locality(true, generation, -1, null);
  }

  /** Collects a request's asks into a {@link Locality}. */
  static final class Builder {
    private final Locality l;
    private boolean unresolvedHost;

    Builder(ZoneResolver zones, boolean relaxToAny, int generation) {
      this.l = new Locality(relaxToAny, generation, -1, zones);
    }

    Builder rackAsk(String rack) {
      l.addRackAsk(rack);
      return this;
    }

    /** @param rack the host's rack, or null when the RM does not know it (yet) */
    Builder host(String host, String rack) {
      if (!l.hosts.contains(host) && rack == null) {
        unresolvedHost = true;
      }
      l.addHost(host, rack);
      return this;
    }

    /**
     * @param clusterNodes the cluster's node count read before the hosts were resolved
     * @return the locality; it records the count only if some named host had no rack
     */
    Locality build(int clusterNodes) {
      l.clusterNodes = unresolvedHost ? clusterNodes : -1;
      return l;
    }
  }

  int generation() {
    return generation;
  }

  /** @return the cluster's node count when computed if a named host had no rack, else -1 */
  int clusterNodes() {
    return clusterNodes;
  }

  /** Marks this snapshot as matching the asks of {@code newGeneration}. */
  void advanceTo(int newGeneration) {
    generation = newGeneration;
  }

  /** @return whether the request names any host or rack */
  boolean located() {
    return !hosts.isEmpty() || !racks.isEmpty();
  }

  /** @return whether {@code zone} is one the request wants */
  boolean wantsZone(String zone) {
    return zone != null && zones.contains(zone);
  }

  /** @return whether {@code rack} has an ask of its own */
  boolean hasRackAsk(String rack) {
    return askedRacks.contains(rack);
  }

  /**
   * A host ask appeared. A host the RM knows no rack of (yet) is named without one: the
   * caller records the cluster size ({@link #pinClusterNodes}) so it is resolved again.
   *
   * @param rack the host's rack, or null
   */
  void addHost(String host, String rack) {
    if (hosts.add(host) && rack != null) {
      rackOfHost.put(host, rack);
      useRack(rack);
    }
  }

  /** A rack ask of its own appeared. */
  void addRackAsk(String rack) {
    if (askedRacks.add(rack)) {
      useRack(rack);
    }
  }

  /** A named host had no rack: valid only while the cluster has {@code nodes} nodes. */
  void pinClusterNodes(int nodes) {
    clusterNodes = nodes;
  }

  /** The host's ask reached zero: it, and its rack and zone if nothing else wants them, go. */
  void dropHost(String host) {
    if (hosts.remove(host)) {
      String rack = rackOfHost.remove(host);
      if (rack != null) {
        releaseRack(rack);
      }
    }
  }

  /** The rack's own ask reached zero; it stays wanted while a named host is in it. */
  void dropRackAsk(String rack) {
    if (askedRacks.remove(rack)) {
      releaseRack(rack);
    }
  }

  private void useRack(String rack) {
    if (rackUses.merge(rack, 1, Integer::sum) == 1) {
      racks.add(rack);
      String zone = zoneResolver == null ? null : zoneResolver.zoneOf(rack);
      if (zone != null && zoneRacks.merge(zone, 1, Integer::sum) == 1) {
        zones.add(zone);
      }
    }
  }

  private void releaseRack(String rack) {
    Integer left = rackUses.computeIfPresent(rack, (r, n) -> n > 1 ? n - 1 : null);
    if (left != null) {
      return;
    }
    racks.remove(rack);
    String zone = zoneResolver == null ? null : zoneResolver.zoneOf(rack);
    if (zone != null
        && zoneRacks.computeIfPresent(zone, (z, n) -> n > 1 ? n - 1 : null) == null) {
      zones.remove(zone);
    }
  }

  @Override
  public String toString() {
    return "Locality{hosts=" + hosts.size() + ", racks=" + Collections.unmodifiableSet(racks)
        + ", zones=" + Collections.unmodifiableSet(zones) + ", gen=" + generation + "}";
  }
}
