package io.multizone.hdfs.zone;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.net.Node;

/**
 * How the replicas of one block are spread: how many sit in each zone and in each rack.
 * Counting is what every decision of the zone rule rests on (where to add, what to delete,
 * which move to refuse, whether a block is mis-placed), so it lives here, once.
 *
 * <p>A location without a zone level counts as its own zone, so on a flat topology the
 * spread degenerates to racks. Not thread-safe; build one per decision.
 */
public final class ReplicaSpread {

  private final ZoneResolver resolver;
  /** zone -> replicas in it, in the order zones were first seen. */
  private final Map<String, Integer> zoneCounts = new LinkedHashMap<>();
  /** rack -> replicas in it. */
  private final Map<String, Integer> rackCounts = new HashMap<>();
  private String lastZone;

  public ReplicaSpread(ZoneResolver resolver) {
    this.resolver = resolver;
  }

  /** A spread of the given nodes. */
  public static ReplicaSpread of(ZoneResolver resolver, Iterable<? extends Node> nodes) {
    ReplicaSpread s = new ReplicaSpread(resolver);
    for (Node n : nodes) {
      s.add(n);
    }
    return s;
  }

  /** The zone of a node (its own location when the topology has no zone level). */
  public String zoneOf(Node node) {
    String location = node.getNetworkLocation();
    String zone = resolver.zoneOf(location);
    return zone != null ? zone : location;
  }

  public void add(Node node) {
    lastZone = zoneOf(node);
    zoneCounts.merge(lastZone, 1, Integer::sum);
    rackCounts.merge(node.getNetworkLocation(), 1, Integer::sum);
  }

  public void remove(Node node) {
    decrement(zoneCounts, zoneOf(node));
    decrement(rackCounts, node.getNetworkLocation());
  }

  private static void decrement(Map<String, Integer> counts, String key) {
    Integer c = counts.get(key);
    if (c == null) {
      return;
    }
    if (c <= 1) {
      counts.remove(key);
    } else {
      counts.put(key, c - 1);
    }
  }

  /** Distinct zones holding a replica. */
  public int zoneCount() {
    return zoneCounts.size();
  }

  /** Replicas counted. */
  public int size() {
    int n = 0;
    for (int c : zoneCounts.values()) {
      n += c;
    }
    return n;
  }

  /** Replicas in the most crowded zone (0 when empty). */
  public int maxPerZone() {
    int max = 0;
    for (int c : zoneCounts.values()) {
      max = Math.max(max, c);
    }
    return max;
  }

  /** Replicas in that zone. */
  public int inZone(String zone) {
    Integer c = zoneCounts.get(zone);
    return c == null ? 0 : c;
  }

  /** Replicas in that rack. */
  public int inRack(String rack) {
    Integer c = rackCounts.get(rack);
    return c == null ? 0 : c;
  }

  /** Whether some replica is in that zone. */
  public boolean holdsZone(String zone) {
    return zoneCounts.containsKey(zone);
  }

  /** Zones holding replicas, in the order they were first added. */
  public List<String> zones() {
    return new ArrayList<>(zoneCounts.keySet());
  }

  /** Zone of the node added last, or null if none was. */
  public String lastZone() {
    return lastZone;
  }

  /** Whether removing this node would leave its zone without a replica. */
  public boolean isLastInZone(Node node) {
    return inZone(zoneOf(node)) <= 1;
  }


  @Override
  public String toString() {
    return "zones" + zoneCounts + " racks" + rackCounts;
  }
}
