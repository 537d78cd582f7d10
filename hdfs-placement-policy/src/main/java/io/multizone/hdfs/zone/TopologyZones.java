package io.multizone.hdfs.zone;

import java.util.ArrayList;
import java.util.List;

import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.net.NodeBase;
import org.apache.hadoop.util.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ZoneLayout} of a live {@link NetworkTopology} current. The layout is rebuilt
 * when the topology's node or rack count changes, and at least every {@code maxAgeMs}, so the
 * hot path (one check of two counters) costs nothing while DataNodes come and go rarely.
 */
public final class TopologyZones {

  private static final Logger LOG = LoggerFactory.getLogger(TopologyZones.class);

  private final NetworkTopology topology;
  private final ZoneResolver resolver;
  private final long maxAgeMs;
  private final String flatWarning;

  private volatile ZoneLayout layout = ZoneLayout.FLAT;
  private volatile long key = -1;
  private volatile long builtAt;
  private volatile boolean warnedFlat;

  /**
   * @param flatWarning if not null, logged once at ERROR when the topology turns out to have
   *     no zone level (the operator asked for one explicitly)
   */
  public TopologyZones(NetworkTopology topology, ZoneResolver resolver, long maxAgeMs,
      String flatWarning) {
    this.topology = topology;
    this.resolver = resolver;
    this.maxAgeMs = maxAgeMs;
    this.flatWarning = flatWarning;
  }

  /**
   * Makes the next {@link #current()} rebuild the layout: a caller saw a node whose location
   * no longer matches the snapshot (a DataNode re-registered elsewhere with the counts
   * unchanged).
   */
  public void invalidate() {
    key = -1;
  }

  /** The current layout; {@link ZoneLayout#FLAT} for an empty or flat topology. */
  public ZoneLayout current() {
    if (topology == null) {
      return ZoneLayout.FLAT;
    }
    // Leaves, racks and non-empty racks (a rack turns empty when all its nodes are being
    // decommissioned), 21 bits each: any change rebuilds the layout.
    long k = ((topology.getNumOfLeaves() & 0x1fffffL) << 42)
        | ((topology.getNumOfRacks() & 0x1fffffL) << 21)
        | (topology.getNumOfNonEmptyRacks() & 0x1fffffL);
    long now = Time.monotonicNow();
    if (k != key || now - builtAt > maxAgeMs) {
      rebuild(k, now);
    }
    return layout;
  }

  private synchronized void rebuild(long k, long now) {
    if (k == key && now - builtAt <= maxAgeMs) {
      return; // another thread rebuilt it
    }
    List<Node> leaves = new ArrayList<>();
    try {
      for (Node leaf : topology.getLeaves(NodeBase.ROOT)) {
        if (leaf != null) {
          leaves.add(leaf);
        }
      }
    } catch (RuntimeException e) {
      // getLeaves walks the tree without the topology lock; a concurrent change can trip it.
      LOG.debug("Topology changed while reading it; keeping the previous zone layout", e);
      return;
    }
    ZoneLayout next = ZoneLayout.of(leaves, resolver);
    if (!next.toString().equals(layout.toString())) {
      LOG.info("Zone layout: {}", describe(next, leaves.size()));
    }
    if (!next.isZoned() && !leaves.isEmpty() && flatWarning != null && !warnedFlat) {
      warnedFlat = true;
      LOG.error("{} (a DataNode location: {})", flatWarning,
          leaves.get(0).getNetworkLocation());
    }
    layout = next;
    key = k;
    builtAt = now;
  }

  private static String describe(ZoneLayout l, int nodes) {
    if (!l.isZoned()) {
      return nodes + " DataNodes, no zone level: placing like BlockPlacementPolicyDefault";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(nodes).append(" DataNodes in ").append(l.zoneCount()).append(" zone(s) (")
        .append(l.acceptingZoneCount()).append(" taking replicas):");
    for (ZoneLayout.Zone z : l.zones()) {
      sb.append(' ').append(z.name()).append('=').append(z.nodes().length).append(" nodes/")
          .append(z.racks().size()).append(" racks");
    }
    return sb.toString();
  }
}
