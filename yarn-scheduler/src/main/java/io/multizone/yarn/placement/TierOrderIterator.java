package io.multizone.yarn.placement;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;

/**
 * Stable partition of a node iterator into the four tiers, in one lazy pass: nodes of the
 * best tier the request can have are handed out as they come, the others are buffered in
 * up to three lists and handed out once the source is exhausted.
 */
final class TierOrderIterator<N extends SchedulerNode>
    implements Iterator<N> {
  private static final int HOST = 0;
  private static final int RACK = 1;
  private static final int ZONE = 2;
  private static final int REST = 3;

  private final Iterator<N> source;
  private final Locality locality;
  private final Set<String> hidden;
  private final ZoneResolver zones;
  /** Tier handed out at once; HOST unless every named host is hidden. */
  private final int streamed;
  @SuppressWarnings("unchecked")
  private final List<N>[] buffered = new List[REST + 1];
  private int drainTier = -1;
  private int drainPos;
  private N next;

  TierOrderIterator(Iterator<N> source, Locality locality, Set<String> hidden,
      ZoneResolver zones) {
    this.source = source;
    this.locality = locality;
    this.hidden = hidden;
    this.zones = zones;
    this.streamed = hasLiveNamedHost(locality.hosts, hidden) ? HOST : RACK;
  }

  private static boolean hasLiveNamedHost(Set<String> hosts, Set<String> hidden) {
    if (hidden.isEmpty()) {
      return !hosts.isEmpty();
    }
    for (String h : hosts) {
      if (!hidden.contains(h)) {
        return true;
      }
    }
    return false;
  }

  private int tierOf(N node) {
    String name = node.getNodeName();
    if (locality.hosts.contains(name) && !hidden.contains(name)) {
      return HOST;
    }
    String rack = node.getRackName();
    if (locality.racks.contains(rack)) {
      return RACK;
    }
    if (!locality.zones.isEmpty()) {
      String zone = zones.zoneOf(rack);
      if (zone != null && locality.zones.contains(zone)) {
        return ZONE;
      }
    }
    return REST;
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (drainTier < 0) {
      while (source.hasNext()) {
        N node = source.next();
        int tier = tierOf(node);
        if (tier <= streamed) {
          next = node;
          return true;
        }
        List<N> bucket = buffered[tier];
        if (bucket == null) {
          bucket = new ArrayList<>();
          buffered[tier] = bucket;
        }
        bucket.add(node);
      }
      drainTier = streamed + 1;
    }
    for (; drainTier <= REST; drainTier++, drainPos = 0) {
      List<N> bucket = buffered[drainTier];
      if (bucket != null && drainPos < bucket.size()) {
        next = bucket.get(drainPos++);
        return true;
      }
    }
    return false;
  }

  @Override
  public N next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    N n = next;
    next = null;
    return n;
  }
}
