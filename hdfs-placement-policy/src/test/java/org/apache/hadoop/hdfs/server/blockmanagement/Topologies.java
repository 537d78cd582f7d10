package org.apache.hadoop.hdfs.server.blockmanagement;

import java.util.ArrayList;
import java.util.List;

/** Network locations for test clusters: one entry per DataNode. */
public final class Topologies {

  private Topologies() {
  }

  /** {@code zones} zones named zone-a, zone-b, ... each with racks of hosts. */
  public static String[] zoned(int zones, int racksPerZone, int hostsPerRack) {
    List<String> out = new ArrayList<>();
    for (int z = 0; z < zones; z++) {
      for (int r = 1; r <= racksPerZone; r++) {
        for (int h = 0; h < hostsPerRack; h++) {
          out.add("/" + zoneName(z) + "/rack-" + r);
        }
      }
    }
    return out.toArray(new String[0]);
  }

  /** The shared reference topology: 3 zones x 2 racks x 2 hosts. */
  public static String[] reference() {
    return zoned(3, 2, 2);
  }

  /** A flat topology without zone level: {@code racks} racks of hosts. */
  public static String[] flat(int racks, int hostsPerRack) {
    List<String> out = new ArrayList<>();
    for (int r = 1; r <= racks; r++) {
      for (int h = 0; h < hostsPerRack; h++) {
        out.add("/rack-" + r);
      }
    }
    return out.toArray(new String[0]);
  }

  /** Concatenation of several location lists. */
  public static String[] concat(String[]... parts) {
    List<String> out = new ArrayList<>();
    for (String[] p : parts) {
      java.util.Collections.addAll(out, p);
    }
    return out.toArray(new String[0]);
  }

  /** Locations of one zone: {@code racks} racks of {@code hostsPerRack} hosts. */
  public static String[] zone(String name, int racks, int hostsPerRack) {
    List<String> out = new ArrayList<>();
    for (int r = 1; r <= racks; r++) {
      for (int h = 0; h < hostsPerRack; h++) {
        out.add("/" + name + "/rack-" + r);
      }
    }
    return out.toArray(new String[0]);
  }

  public static String zoneName(int i) {
    return "zone-" + (char) ('a' + i);
  }

  /** Zone of a location in these topologies (first component). */
  public static String zoneOf(String location) {
    int i = location.indexOf('/', 1);
    return i < 0 ? location : location.substring(0, i);
  }
}
