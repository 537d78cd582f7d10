package io.multizone.yarn;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;

import io.multizone.yarn.metrics.ZonePlacementMetrics;
import io.multizone.yarn.requeue.LocalPlacementLedger;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.Node;
import org.apache.hadoop.yarn.util.RackResolver;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AbstractYarnScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.ResourceScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State shared, within one ResourceManager, by the placement allocators (one per
 * application and scheduler key, created by YARN through reflection) and the
 * liveness/requeue scheduler monitor: configuration, zone resolver, metrics, the set of
 * nodes whose DataNode is lost, and the ledger of local-data placements.
 *
 * <p>YARN gives both sides the scheduler object, so the runtime is keyed by it (weakly: a
 * stopped RM's runtime is collected).
 */
public final class ZonePlacementRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(ZonePlacementRuntime.class);
  private static final Map<Object, ZonePlacementRuntime> RUNTIMES = new WeakHashMap<>();

  private final ZonePlacementYarnConfig config;
  private final ZoneResolver zoneResolver;
  private final ZonePlacementMetrics metrics;
  private final LocalPlacementLedger ledger;
  private volatile Set<String> lostNodeNames = Collections.emptySet();
  private volatile Map<String, String> hostToRack = Collections.emptyMap();
  private volatile long hostToRackBuiltMs;
  private volatile int hostToRackNodes = -1;
  private final Configuration conf;
  /** A resolved rack is resolved again after this long (topology tables change). */
  static final long RESOLVED_RACK_TTL_MS = 10 * 60_000L;
  /** A host that did not resolve to a rack is retried after this long. */
  static final long UNRESOLVED_RACK_TTL_MS = 30_000L;
  /** Clock of the rack cache; tests move it. */
  static volatile LongSupplier clock = System::currentTimeMillis;
  /** Racks of hosts without a NodeManager, from the RM's topology resolution. */
  private final ExpiringLookup resolvedRacks = new ExpiringLookup(this::resolveRack,
      RESOLVED_RACK_TTL_MS, UNRESOLVED_RACK_TTL_MS, () -> clock.getAsLong());

  private ZonePlacementRuntime(Configuration conf) {
    this.conf = conf;
    this.config = new ZonePlacementYarnConfig(conf);
    this.zoneResolver = new ZoneResolver(config.getZoneDepth());
    this.metrics = ZonePlacementMetrics.get();
    // Records settle within two monitor passes; recording starts with a working monitor.
    this.ledger = new LocalPlacementLedger(2 * config.getPollIntervalMs());
    LOG.info("Zone placement active: {}", config);
  }

  /**
   * @param scheduler the RM's scheduler, the key shared by allocators and the monitor
   * @param conf configuration read when the runtime is first created
   * @return the runtime of that scheduler, created on first use
   */
  public static ZonePlacementRuntime forScheduler(Object scheduler, Configuration conf) {
    synchronized (RUNTIMES) {
      ZonePlacementRuntime r = RUNTIMES.get(scheduler);
      if (r == null) {
        r = new ZonePlacementRuntime(conf == null ? new Configuration(false) : conf);
        RUNTIMES.put(scheduler, r);
      }
      return r;
    }
  }

  /** @return the parsed configuration */
  public ZonePlacementYarnConfig getConfig() {
    return config;
  }

  /** @return the zone resolver */
  public ZoneResolver getZoneResolver() {
    return zoneResolver;
  }

  /** @return the metrics */
  public ZonePlacementMetrics getMetrics() {
    return metrics;
  }

  /**
   * @return the local-data placement ledger; it keeps records only while a liveness monitor
   *     with a working report source drains it (see {@link LocalPlacementLedger#setRecording})
   */
  public LocalPlacementLedger getLedger() {
    return ledger;
  }

  /**
   * Rack of a host the scheduler knows, from its node list (no DNS, unlike RackResolver on
   * unknown names). The map is rebuilt on a miss at most once a second, or when the node
   * count changed.
   *
   * @param host node name or host of a NodeManager
   * @param scheduler the scheduler
   * @return its rack, or null when no NodeManager has that name
   */
  public String rackOfHost(String host, ResourceScheduler scheduler) {
    String rack = hostToRack.get(host);
    if (rack != null || !(scheduler instanceof AbstractYarnScheduler)) {
      return rack;
    }
    long now = System.currentTimeMillis();
    int nodes = scheduler.getNumClusterNodes();
    if (nodes != hostToRackNodes || now - hostToRackBuiltMs > 1000) {
      synchronized (this) {
        Map<String, String> m = new HashMap<>();
        for (SchedulerNode n
            : ((AbstractYarnScheduler<?, ?>) scheduler).getNodeTracker().getAllNodes()) {
          m.put(n.getNodeName(), n.getRackName());
          m.put(n.getNodeID().getHost(), n.getRackName());
        }
        hostToRack = m;
        hostToRackBuiltMs = now;
        hostToRackNodes = nodes;
      }
      return hostToRack.get(host);
    }
    return null;
  }

  /**
   * Rack of any host an application names: from the scheduler's node list when a NodeManager
   * runs there, else through the RM's own topology resolution ({@link RackResolver}, the
   * same script or table that places NodeManagers), so a DataNode-only host has its zone
   * whatever rack the AM sent. Answers are cached per host for
   * {@value #RESOLVED_RACK_TTL_MS} ms; a host that resolves to no rack (or the default rack)
   * for {@value #UNRESOLVED_RACK_TTL_MS} ms.
   *
   * @param host a host name from a resource request
   * @param scheduler the scheduler
   * @return its rack, or null when neither the scheduler nor the topology knows it
   */
  public String rackOfAnyHost(String host, ResourceScheduler scheduler) {
    String rack = rackOfHost(host, scheduler);
    if (rack != null) {
      return rack;
    }
    return resolvedRacks.get(host);
  }

  private String resolveRack(String host) {
    try {
      Node n;
      try {
        n = RackResolver.resolve(host);
      } catch (IllegalStateException notInitialized) {
        n = RackResolver.resolve(conf, host);
      }
      String rack = n == null ? null : n.getNetworkLocation();
      return rack == null || rack.isEmpty() || NetworkTopology.DEFAULT_RACK.equals(rack)
          ? null : rack;
    } catch (RuntimeException e) {
      LOG.debug("Could not resolve the rack of {}: {}", host, e.toString());
      return null;
    }
  }

  /** @return scheduler node names whose DataNode is currently lost (immutable) */
  public Set<String> getLostNodeNames() {
    return lostNodeNames;
  }

  /** @param names scheduler node names whose DataNode is lost (copied) */
  public void setLostNodeNames(Set<String> names) {
    this.lostNodeNames = names.isEmpty() ? Collections.<String>emptySet()
        : Collections.unmodifiableSet(new java.util.HashSet<>(names));
  }
}
