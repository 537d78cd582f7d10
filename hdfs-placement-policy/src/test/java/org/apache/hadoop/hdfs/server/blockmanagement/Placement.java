package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.net.Node;

/** Facts about one chosen set of targets, for assertions. */
final class Placement {
  final Map<String, Integer> perZone = new HashMap<>();
  final Map<String, Integer> perRack = new HashMap<>();
  final Map<String, Set<String>> racksPerZone = new HashMap<>();
  final Set<String> nodes = new HashSet<>();
  final DatanodeStorageInfo[] targets;

  Placement(DatanodeStorageInfo[] targets) {
    this.targets = targets;
    for (DatanodeStorageInfo t : targets) {
      DatanodeDescriptor dn = t.getDatanodeDescriptor();
      String rack = dn.getNetworkLocation();
      String zone = Topologies.zoneOf(rack);
      perZone.merge(zone, 1, Integer::sum);
      perRack.merge(rack, 1, Integer::sum);
      racksPerZone.computeIfAbsent(zone, z -> new HashSet<>()).add(rack);
      nodes.add(dn.getDatanodeUuid());
    }
  }

  int zones() {
    return perZone.size();
  }

  int maxPerZone() {
    return perZone.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  int inZone(String zone) {
    return perZone.getOrDefault(zone, 0);
  }

  /** Zone boundaries crossed by the write pipeline writer -> t0 -> t1 -> ... */
  int crossZoneHops(Node writer) {
    int hops = 0;
    String prev = writer == null ? null : Topologies.zoneOf(writer.getNetworkLocation());
    for (DatanodeStorageInfo t : targets) {
      String z = Topologies.zoneOf(t.getDatanodeDescriptor().getNetworkLocation());
      if (prev != null && !prev.equals(z)) {
        hops++;
      }
      prev = z;
    }
    return hops;
  }

  @Override
  public String toString() {
    return "zones=" + perZone + " racks=" + perRack;
  }
}
