package io.multizone.hdfs.config;

import io.multizone.zone.ZoneModelConfig;
import org.apache.hadoop.conf.Configuration;

/**
 * Every configuration key of the zone-aware placement policy, with its default, and the
 * parsed, validated values. Keys live under {@value #PREFIX} in {@code hdfs-site.xml}.
 *
 * <p>Parsing fails fast with an {@link IllegalArgumentException} naming the key and the
 * offending value, so a NameNode with a bad setting stops at start with one clear message
 * instead of running with a placement it was not asked for.
 */
public final class ZonePlacementConfig {

  /** Common prefix of every key of this module. */
  public static final String PREFIX = "dfs.namenode.zone-placement.";

  /**
   * Minimum number of zones every block with replication n >= 2 must span (capped by n and
   * by the zones that can take a replica). Default {@value #MIN_ZONES_DEFAULT}; must be >= 1.
   */
  public static final String MIN_ZONES_KEY = PREFIX + "min-zones";
  public static final int MIN_ZONES_DEFAULT = 2;

  /**
   * How many leading components of a DataNode's network location name its zone: the shared
   * key {@value ZoneModelConfig#ZONE_DEPTH_KEY} of multizone-common, in {@code core-site.xml}
   * ({@code dfs.namenode.zone-placement.zone-depth} is its deprecated alias). A location with
   * no more components than this (a flat {@code /rack} topology) has no zone level, and the
   * policy then behaves exactly like BlockPlacementPolicyDefault.
   */
  public static final String ZONE_DEPTH_KEY = ZoneModelConfig.ZONE_DEPTH_KEY;

  /**
   * Minimum milliseconds between two WARN lines about blocks that could only be written to
   * fewer zones than required (the count is always kept in metrics).
   * Default {@value #WARN_INTERVAL_MS_DEFAULT}.
   */
  public static final String WARN_INTERVAL_MS_KEY = PREFIX + "warn-interval-ms";
  public static final long WARN_INTERVAL_MS_DEFAULT = 60_000L;

  /**
   * zone-audit (a client command, {@code io.multizone.hdfs.audit.ZoneAudit}): minimum
   * milliseconds between two progress lines on stderr when {@code --progress} is given; 0
   * prints one after every listing batch. Default {@value #AUDIT_PROGRESS_INTERVAL_MS_DEFAULT};
   * must be >= 0.
   */
  public static final String AUDIT_PROGRESS_INTERVAL_MS_KEY =
      PREFIX + "audit.progress-interval-ms";
  public static final long AUDIT_PROGRESS_INTERVAL_MS_DEFAULT = 2_000L;

  /**
   * zone-audit: directories listed at once (each by its own NameNode call); the NameNode
   * encodes one batch while the client decodes another. Default
   * {@value #AUDIT_THREADS_DEFAULT}; must be >= 1.
   */
  public static final String AUDIT_THREADS_KEY = PREFIX + "audit.threads";
  public static final int AUDIT_THREADS_DEFAULT = 4;

  /**
   * Whether the re-spread plugin ({@code io.multizone.hdfs.respread.ZoneRespreadPlugin}, when
   * listed in {@code dfs.namenode.plugins}) rescans blocks after a zone can take replicas
   * again. Default {@value #RESPREAD_ENABLED_DEFAULT}; {@code false} leaves the plugin idle.
   */
  public static final String RESPREAD_ENABLED_KEY = PREFIX + "respread.enabled";
  public static final boolean RESPREAD_ENABLED_DEFAULT = true;

  /**
   * Milliseconds between two looks at the zones of live, in-service DataNodes (one pass over
   * the DatanodeManager's node list). Default {@value #RESPREAD_POLL_INTERVAL_MS_DEFAULT}; >= 1.
   */
  public static final String RESPREAD_POLL_INTERVAL_MS_KEY = PREFIX + "respread.poll-interval-ms";
  public static final long RESPREAD_POLL_INTERVAL_MS_DEFAULT = 5_000L;

  /**
   * Milliseconds to wait after the last zone appeared before rescanning, so that the other
   * DataNodes of a returning zone register and send their block reports first.
   * Default {@value #RESPREAD_SETTLE_MS_DEFAULT}; >= 0.
   */
  public static final String RESPREAD_SETTLE_MS_KEY = PREFIX + "respread.settle-ms";
  public static final long RESPREAD_SETTLE_MS_DEFAULT = 30_000L;

  /**
   * Blocks checked per hold of the namesystem read lock during a rescan.
   * Default {@value #RESPREAD_BLOCKS_PER_CHUNK_DEFAULT}; >= 1.
   */
  public static final String RESPREAD_BLOCKS_PER_CHUNK_KEY = PREFIX + "respread.blocks-per-chunk";
  public static final int RESPREAD_BLOCKS_PER_CHUNK_DEFAULT = 5_000;

  /**
   * Milliseconds the rescan sleeps, holding no lock, between two chunks.
   * Default {@value #RESPREAD_CHUNK_PAUSE_MS_DEFAULT}; >= 0.
   */
  public static final String RESPREAD_CHUNK_PAUSE_MS_KEY = PREFIX + "respread.chunk-pause-ms";
  public static final long RESPREAD_CHUNK_PAUSE_MS_DEFAULT = 20L;

  private final int minZones;
  private final int zoneDepth;
  private final boolean zoneDepthExplicit;
  private final long warnIntervalMs;
  private final boolean respreadEnabled;
  private final long respreadPollIntervalMs;
  private final long respreadSettleMs;
  private final int respreadBlocksPerChunk;
  private final long respreadChunkPauseMs;

  private ZonePlacementConfig(int minZones, int zoneDepth, boolean zoneDepthExplicit,
      long warnIntervalMs, boolean respreadEnabled, long respreadPollIntervalMs,
      long respreadSettleMs, int respreadBlocksPerChunk, long respreadChunkPauseMs) {
    this.minZones = minZones;
    this.zoneDepth = zoneDepth;
    this.zoneDepthExplicit = zoneDepthExplicit;
    this.warnIntervalMs = warnIntervalMs;
    this.respreadEnabled = respreadEnabled;
    this.respreadPollIntervalMs = respreadPollIntervalMs;
    this.respreadSettleMs = respreadSettleMs;
    this.respreadBlocksPerChunk = respreadBlocksPerChunk;
    this.respreadChunkPauseMs = respreadChunkPauseMs;
  }

  /**
   * Reads and validates the keys.
   *
   * @throws IllegalArgumentException naming the key and value when a value is malformed
   */
  public static ZonePlacementConfig from(Configuration conf) {
    int minZones = positiveInt(conf, MIN_ZONES_KEY, MIN_ZONES_DEFAULT, 1);
    int zoneDepth = ZoneModelConfig.zoneDepth(conf);
    long warnInterval = positiveLong(conf, WARN_INTERVAL_MS_KEY, WARN_INTERVAL_MS_DEFAULT, 0);
    boolean respread = bool(conf, RESPREAD_ENABLED_KEY, RESPREAD_ENABLED_DEFAULT);
    long poll = positiveLong(conf, RESPREAD_POLL_INTERVAL_MS_KEY,
        RESPREAD_POLL_INTERVAL_MS_DEFAULT, 1);
    long settle = positiveLong(conf, RESPREAD_SETTLE_MS_KEY, RESPREAD_SETTLE_MS_DEFAULT, 0);
    int chunk = positiveInt(conf, RESPREAD_BLOCKS_PER_CHUNK_KEY,
        RESPREAD_BLOCKS_PER_CHUNK_DEFAULT, 1);
    long pause = positiveLong(conf, RESPREAD_CHUNK_PAUSE_MS_KEY,
        RESPREAD_CHUNK_PAUSE_MS_DEFAULT, 0);
    return new ZonePlacementConfig(minZones, zoneDepth, ZoneModelConfig.isZoneDepthSet(conf),
        warnInterval, respread, poll, settle, chunk, pause);
  }

  private static boolean bool(Configuration conf, String key, boolean dflt) {
    String raw = conf.getTrimmed(key);
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    if ("true".equalsIgnoreCase(raw)) {
      return true;
    }
    if ("false".equalsIgnoreCase(raw)) {
      return false;
    }
    throw invalid(key, raw, "true or false");
  }

  /**
   * The zone-audit progress interval ({@link #AUDIT_PROGRESS_INTERVAL_MS_KEY}).
   *
   * @throws IllegalArgumentException naming the key and value when malformed
   */
  public static long auditProgressIntervalMs(Configuration conf) {
    return positiveLong(conf, AUDIT_PROGRESS_INTERVAL_MS_KEY, AUDIT_PROGRESS_INTERVAL_MS_DEFAULT,
        0);
  }

  /**
   * The zone-audit lister thread count ({@link #AUDIT_THREADS_KEY}).
   *
   * @throws IllegalArgumentException naming the key and value when malformed
   */
  public static int auditThreads(Configuration conf) {
    return positiveInt(conf, AUDIT_THREADS_KEY, AUDIT_THREADS_DEFAULT, 1);
  }

  private static int positiveInt(Configuration conf, String key, int dflt, int min) {
    long v = positiveLong(conf, key, dflt, min);
    if (v > Integer.MAX_VALUE) {
      throw invalid(key, conf.get(key), "a whole number <= " + Integer.MAX_VALUE);
    }
    return (int) v;
  }

  private static long positiveLong(Configuration conf, String key, long dflt, long min) {
    String raw = conf.getTrimmed(key);
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    long v;
    try {
      v = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "a whole number >= " + min);
    }
    if (v < min) {
      throw invalid(key, raw, "a whole number >= " + min);
    }
    return v;
  }

  private static IllegalArgumentException invalid(String key, String value, String expected) {
    return new IllegalArgumentException("Invalid value for " + key + ": '" + value
        + "' (expected " + expected + ")");
  }

  /** Zones a block should span at least, before capping by replication and cluster. */
  public int minZones() {
    return minZones;
  }

  /** Leading network-location components that name a zone. */
  public int zoneDepth() {
    return zoneDepth;
  }

  /** Whether the operator set {@link #ZONE_DEPTH_KEY} rather than relying on the default. */
  public boolean zoneDepthExplicit() {
    return zoneDepthExplicit;
  }

  /** Minimum interval between two WARN lines about single-zone placements. */
  public long warnIntervalMs() {
    return warnIntervalMs;
  }

  /** Whether the re-spread plugin rescans after a zone can take replicas again. */
  public boolean respreadEnabled() {
    return respreadEnabled;
  }

  /** Interval between two looks at the zones of live in-service DataNodes. */
  public long respreadPollIntervalMs() {
    return respreadPollIntervalMs;
  }

  /** Quiet time after the last zone appeared before a rescan starts. */
  public long respreadSettleMs() {
    return respreadSettleMs;
  }

  /** Blocks checked per hold of the namesystem read lock. */
  public int respreadBlocksPerChunk() {
    return respreadBlocksPerChunk;
  }

  /** Lock-free sleep between two chunks of a rescan. */
  public long respreadChunkPauseMs() {
    return respreadChunkPauseMs;
  }

  @Override
  public String toString() {
    return MIN_ZONES_KEY + "=" + minZones + ", " + ZONE_DEPTH_KEY + "=" + zoneDepth;
  }
}
