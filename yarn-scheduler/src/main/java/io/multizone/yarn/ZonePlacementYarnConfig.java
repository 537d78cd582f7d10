package io.multizone.yarn;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.multizone.zone.ZoneModelConfig;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every configuration key of the YARN zone-placement module, its default, and tolerant
 * parsing.
 *
 * <p>All keys live under {@value #PREFIX} and are read from the ResourceManager's YARN
 * configuration: set them in yarn-site.xml. In capacity-scheduler.xml they are ignored, as is
 * YARN's own {@value #YARN_APP_PLACEMENT_ALLOCATOR_KEY}. A missing key takes its default; a
 * malformed or out-of-range value is logged at WARN naming the key and also takes the default,
 * so a typo never stops the ResourceManager.
 *
 * <p>Enabling (nothing else needed besides the JAR on the RM classpath):
 * <pre>
 *   yarn.scheduler.app-placement-allocator.class =
 *       io.multizone.yarn.placement.ZoneAwarePlacementAllocator
 *   # DataNode liveness + requeue (optional):
 *   yarn.resourcemanager.scheduler.monitor.enable = true
 *   yarn.resourcemanager.scheduler.monitor.policies =
 *       io.multizone.yarn.requeue.LostDataNodeRequeuePolicy
 * </pre>
 *
 * <p>Hadoop 3.3 has no cluster-wide allocator key: there the allocator is chosen per
 * application by the AM environment variable {@code APPLICATION_PLACEMENT_TYPE_CLASS}
 * (MapReduce: {@code yarn.app.mapreduce.am.env}); the keys of this class are read as on 3.4.
 */
public final class ZonePlacementYarnConfig {
  private static final Logger LOG = LoggerFactory.getLogger(ZonePlacementYarnConfig.class);

  /** Common prefix of every key of this module. */
  public static final String PREFIX = "yarn.scheduler.zone-placement.";

  /** YARN's own cluster-wide AppPlacementAllocator key (YARN-11026, Hadoop 3.4+). */
  public static final String YARN_APP_PLACEMENT_ALLOCATOR_KEY =
      "yarn.scheduler.app-placement-allocator.class";

  /**
   * Number of leading components of a rack path that name the zone: the shared key of
   * multizone-common, {@value ZoneModelConfig#ZONE_DEPTH_KEY}, best set in core-site.xml so
   * the NameNode and the ResourceManager read one value. Default 1: rack {@code /zone-a/rack-1}
   * is in zone {@code /zone-a}. A rack path with no more components than this has no zone
   * level; such nodes get stock (node/rack/any) behaviour. The module's old key
   * {@value ZoneModelConfig#YARN_ZONE_DEPTH_KEY} is a deprecated alias (one WARN).
   */
  public static final String ZONE_DEPTH = ZoneModelConfig.ZONE_DEPTH_KEY;
  /** Default of {@link #ZONE_DEPTH}. */
  public static final int DEFAULT_ZONE_DEPTH = ZoneModelConfig.ZONE_DEPTH_DEFAULT;

  /**
   * Minimum number of off-zone node offers a request skips before it accepts a node outside
   * every zone it asked for (the zone → anywhere step). Off-zone is refused anyway while a
   * node of a wanted zone has room for the request; this delay also holds when those zones
   * are full. The node → rack and rack → zone steps use the CapacityScheduler's own
   * {@code yarn.scheduler.capacity.node-locality-delay} and
   * {@code yarn.scheduler.capacity.rack-locality-additional-delay}. Default -1: the number of
   * nodes in the cluster, about one heartbeat round. 0 = no extra delay.
   */
  public static final String OFF_ZONE_DELAY = PREFIX + "off-zone.delay";
  /** Default of {@link #OFF_ZONE_DELAY}: -1 = number of cluster nodes. */
  public static final int DEFAULT_OFF_ZONE_DELAY = -1;

  /** Whether the zone tier is applied at all (false = stock node/rack/any). Default true. */
  public static final String ZONE_TIER_ENABLED = PREFIX + "zone-tier.enabled";
  /** Default of {@link #ZONE_TIER_ENABLED}. */
  public static final boolean DEFAULT_ZONE_TIER_ENABLED = true;

  /**
   * URI of the NameNode (or HA nameservice) whose DataNode report is followed. Default: the
   * configuration's {@code fs.defaultFS}. Must be an {@code hdfs://} URI; HA failover uses the
   * normal HDFS client configuration (dfs.nameservices etc.). With the default RPC source the
   * RM user must be allowed to read the DataNode report (HDFS superuser group); the JMX source
   * needs no such right.
   */
  public static final String DATANODE_NAMENODE_URI = PREFIX + "datanode.namenode-uri";

  /**
   * NameNode web server addresses ({@code host:port}, comma-separated) read by
   * {@code io.multizone.yarn.liveness.JmxDataNodeReportSource}. Default empty: derived from the
   * HDFS configuration of {@link #DATANODE_NAMENODE_URI} ({@code dfs.namenode.http-address},
   * or {@code https-address} under {@code dfs.http.policy=HTTPS_ONLY}, per NameNode of an HA
   * nameservice). Set it when the RM has no hdfs-site.xml with those keys; the RPC source
   * ignores it.
   */
  public static final String DATANODE_NAMENODE_HTTP_ADDRESSES =
      PREFIX + "datanode.namenode-http-addresses";

  /** Interval between two DataNode reports, ms. Default 1000. */
  public static final String DATANODE_POLL_INTERVAL_MS = PREFIX + "datanode.poll-interval-ms";
  /** Default of {@link #DATANODE_POLL_INTERVAL_MS}. */
  public static final long DEFAULT_DATANODE_POLL_INTERVAL_MS = 1000L;

  /**
   * A DataNode whose last contact with the NameNode is older than this (ms) is stale; it is
   * lost once stale in {@link #DATANODE_LOST_CONFIRM_POLLS} consecutive reports. Default
   * 12000: longer than HDFS's own slack (a heartbeat every 3 s; heartbeats wait behind full
   * block reports on the same thread, and the lifeline, when configured, answers every 9 s),
   * so a GC pause, a long block report or a NameNode that processes heartbeats late is not a
   * loss. With the 1 s poll a lost DataNode is noticed about 15 s after its last heartbeat,
   * well before the NameNode marks it stale (30 s) or dead (10.5 min). The age is taken
   * against the freshest contact in the report when that is older than the RM's clock (clock
   * skew, NameNode pause). Failed reports keep the last known state for this long before the
   * RM falls back to stock behaviour.
   */
  public static final String DATANODE_LOST_AFTER_MS = PREFIX + "datanode.lost-after-ms";
  /** Default of {@link #DATANODE_LOST_AFTER_MS}. */
  public static final long DEFAULT_DATANODE_LOST_AFTER_MS = 12_000L;

  /**
   * Consecutive DataNode reports in which a DataNode must be stale before it is lost; any
   * fresher contact starts the count again. Default 4: with the 1 s poll the staleness must
   * last 3 s, one HDFS heartbeat interval, so heartbeats a resumed NameNode processes late
   * do not count. At least 1.
   */
  public static final String DATANODE_LOST_CONFIRM_POLLS =
      PREFIX + "datanode.lost-confirm-polls";
  /** Default of {@link #DATANODE_LOST_CONFIRM_POLLS}. */
  public static final int DEFAULT_DATANODE_LOST_CONFIRM_POLLS = 4;

  /**
   * Class implementing {@code io.multizone.yarn.liveness.DataNodeReportSource}. Default: the
   * HDFS client RPC source (needs HDFS superuser rights);
   * {@code io.multizone.yarn.liveness.JmxDataNodeReportSource} reads the NameNode's web server
   * instead and needs none. Also lets a test plug a fake source.
   */
  public static final String DATANODE_REPORT_SOURCE_CLASS =
      PREFIX + "datanode.report-source.class";

  /** Whether containers placed for local data on a host whose DataNode is lost are
   * preempted (requeued). Default true. */
  public static final String REQUEUE_ENABLED = PREFIX + "requeue.enabled";
  /** Default of {@link #REQUEUE_ENABLED}. */
  public static final boolean DEFAULT_REQUEUE_ENABLED = true;

  /**
   * Grace period (ms) between noticing a lost DataNode and preempting the containers placed
   * there for its data; a DataNode back within it (a restart, a rolling upgrade) keeps its
   * host's containers. Default 30000 (HDFS clients wait 30 s for a restarting DataNode,
   * {@code dfs.client.datanode-restart.timeout}): the first preemption comes about 45 s after
   * the DataNode's last heartbeat. 0 = at once.
   */
  public static final String REQUEUE_GRACE_MS = PREFIX + "requeue.grace-ms";
  /** Default of {@link #REQUEUE_GRACE_MS}. */
  public static final long DEFAULT_REQUEUE_GRACE_MS = 30_000L;

  /**
   * Per-host rate limit (ms): after containers of a host were preempted, a new loss of that
   * host's DataNode within this time preempts nothing (the host is still masked for new
   * local work), so a flapping DataNode kills at most once per period. Default 600000
   * (10 min). 0 = no per-host limit.
   */
  public static final String REQUEUE_HOST_COOLDOWN_MS = PREFIX + "requeue.host-cooldown-ms";
  /** Default of {@link #REQUEUE_HOST_COOLDOWN_MS}. */
  public static final long DEFAULT_REQUEUE_HOST_COOLDOWN_MS = 600_000L;

  /**
   * Cluster-wide rate limit: at most this many containers preempted in any 60 s; the rest
   * wait for later passes (still only while their host stays lost). Default 100. At least 1.
   */
  public static final String REQUEUE_MAX_PER_MINUTE = PREFIX + "requeue.max-per-minute";
  /** Default of {@link #REQUEUE_MAX_PER_MINUTE}. */
  public static final int DEFAULT_REQUEUE_MAX_PER_MINUTE = 100;

  private final int zoneDepth;
  private final int offZoneDelay;
  private final boolean zoneTierEnabled;
  private final String nameNodeUri;
  private final List<String> nameNodeHttpAddresses;
  private final long pollIntervalMs;
  private final long lostAfterMs;
  private final int lostConfirmPolls;
  private final String reportSourceClass;
  private final boolean requeueEnabled;
  private final long requeueGraceMs;
  private final long requeueHostCooldownMs;
  private final int requeueMaxPerMinute;

  /**
   * Reads every key from {@code conf}; bad values are logged and replaced by defaults.
   *
   * @param conf the ResourceManager configuration
   */
  public ZonePlacementYarnConfig(Configuration conf) {
    this.zoneDepth = readZoneDepth(conf);
    this.offZoneDelay = (int) readLong(conf, OFF_ZONE_DELAY, DEFAULT_OFF_ZONE_DELAY, -1,
        Integer.MAX_VALUE);
    this.zoneTierEnabled = readBoolean(conf, ZONE_TIER_ENABLED, DEFAULT_ZONE_TIER_ENABLED);
    String uri = trimToNull(conf.get(DATANODE_NAMENODE_URI));
    this.nameNodeUri = uri != null ? uri : trimToNull(conf.get("fs.defaultFS"));
    this.nameNodeHttpAddresses = Collections.unmodifiableList(
        Arrays.asList(conf.getTrimmedStrings(DATANODE_NAMENODE_HTTP_ADDRESSES)));
    this.pollIntervalMs = readLong(conf, DATANODE_POLL_INTERVAL_MS,
        DEFAULT_DATANODE_POLL_INTERVAL_MS, 10, Long.MAX_VALUE);
    this.lostAfterMs = readLong(conf, DATANODE_LOST_AFTER_MS, DEFAULT_DATANODE_LOST_AFTER_MS,
        1, Long.MAX_VALUE);
    this.lostConfirmPolls = (int) readLong(conf, DATANODE_LOST_CONFIRM_POLLS,
        DEFAULT_DATANODE_LOST_CONFIRM_POLLS, 1, 1000);
    this.reportSourceClass = trimToNull(conf.get(DATANODE_REPORT_SOURCE_CLASS));
    this.requeueEnabled = readBoolean(conf, REQUEUE_ENABLED, DEFAULT_REQUEUE_ENABLED);
    this.requeueGraceMs = readLong(conf, REQUEUE_GRACE_MS, DEFAULT_REQUEUE_GRACE_MS, 0,
        Long.MAX_VALUE);
    this.requeueHostCooldownMs = readLong(conf, REQUEUE_HOST_COOLDOWN_MS,
        DEFAULT_REQUEUE_HOST_COOLDOWN_MS, 0, Long.MAX_VALUE);
    this.requeueMaxPerMinute = (int) readLong(conf, REQUEUE_MAX_PER_MINUTE,
        DEFAULT_REQUEUE_MAX_PER_MINUTE, 1, Integer.MAX_VALUE);
  }

  /** The shared zone depth; a malformed value is logged naming its key and the default used. */
  private static int readZoneDepth(Configuration conf) {
    try {
      return ZoneModelConfig.zoneDepth(conf);
    } catch (IllegalArgumentException e) {
      LOG.warn("{}; using the default {}", e.getMessage(), DEFAULT_ZONE_DEPTH);
      return DEFAULT_ZONE_DEPTH;
    }
  }

  /** @return leading rack-path components that form the zone ({@link #ZONE_DEPTH}) */
  public int getZoneDepth() {
    return zoneDepth;
  }

  /** @return configured off-zone delay, -1 meaning "number of cluster nodes" */
  public int getOffZoneDelay() {
    return offZoneDelay;
  }

  /** @return whether the zone tier is applied ({@link #ZONE_TIER_ENABLED}) */
  public boolean isZoneTierEnabled() {
    return zoneTierEnabled;
  }

  /** @return NameNode URI to poll, or null when neither the key nor fs.defaultFS is set */
  public String getNameNodeUri() {
    return nameNodeUri;
  }

  /**
   * @return NameNode web server addresses ({@link #DATANODE_NAMENODE_HTTP_ADDRESSES}); empty
   *     when they come from the HDFS configuration
   */
  public List<String> getNameNodeHttpAddresses() {
    return nameNodeHttpAddresses;
  }

  /** @return DataNode report interval in ms */
  public long getPollIntervalMs() {
    return pollIntervalMs;
  }

  /** @return last-contact age (ms) after which a DataNode is lost */
  public long getLostAfterMs() {
    return lostAfterMs;
  }

  /** @return consecutive stale reports before a DataNode is lost */
  public int getLostConfirmPolls() {
    return lostConfirmPolls;
  }

  /** @return report source class name, or null for the default HDFS RPC source */
  public String getReportSourceClass() {
    return reportSourceClass;
  }

  /** @return whether requeue (preemption) of local-data containers is enabled */
  public boolean isRequeueEnabled() {
    return requeueEnabled;
  }

  /** @return grace period in ms before requeue */
  public long getRequeueGraceMs() {
    return requeueGraceMs;
  }

  /** @return per-host requeue cooldown in ms, 0 = none */
  public long getRequeueHostCooldownMs() {
    return requeueHostCooldownMs;
  }

  /** @return maximum containers preempted in any 60 s */
  public int getRequeueMaxPerMinute() {
    return requeueMaxPerMinute;
  }

  @Override
  public String toString() {
    return ZONE_DEPTH + "=" + zoneDepth + ", " + OFF_ZONE_DELAY + "=" + offZoneDelay + ", "
        + ZONE_TIER_ENABLED + "=" + zoneTierEnabled + ", " + DATANODE_NAMENODE_URI + "="
        + nameNodeUri + ", " + DATANODE_NAMENODE_HTTP_ADDRESSES + "=" + nameNodeHttpAddresses
        + ", " + DATANODE_POLL_INTERVAL_MS + "=" + pollIntervalMs + ", "
        + DATANODE_LOST_AFTER_MS + "=" + lostAfterMs + ", " + DATANODE_LOST_CONFIRM_POLLS + "="
        + lostConfirmPolls + ", " + REQUEUE_ENABLED + "=" + requeueEnabled + ", "
        + REQUEUE_GRACE_MS + "=" + requeueGraceMs + ", " + REQUEUE_HOST_COOLDOWN_MS + "="
        + requeueHostCooldownMs + ", " + REQUEUE_MAX_PER_MINUTE + "=" + requeueMaxPerMinute;
  }

  static long readLong(Configuration conf, String key, long def, long min, long max) {
    String raw = trimToNull(conf.get(key));
    if (raw == null) {
      return def;
    }
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      LOG.warn("Malformed value '{}' for {}: not an integer; using the default {}", raw, key,
          def);
      return def;
    }
    if (value < min || value > max) {
      LOG.warn("Out-of-range value {} for {} (allowed {}..{}); using the default {}", value,
          key, min, max, def);
      return def;
    }
    return value;
  }

  static boolean readBoolean(Configuration conf, String key, boolean def) {
    String raw = trimToNull(conf.get(key));
    if (raw == null) {
      return def;
    }
    String v = raw.toLowerCase(Locale.ROOT);
    if ("true".equals(v)) {
      return true;
    }
    if ("false".equals(v)) {
      return false;
    }
    LOG.warn("Malformed value '{}' for {}: expected true or false; using the default {}", raw,
        key, def);
    return def;
  }

  private static String trimToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    return t.isEmpty() ? null : t;
  }
}
