package io.multizone.zone;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one key of the shared zone model, read the same way by the NameNode, the
 * Balancer/Mover and the ResourceManager. It belongs in {@code core-site.xml}, which every
 * Hadoop daemon loads, so one setting serves HDFS and YARN alike.
 *
 * <p>The per-module keys of earlier releases ({@value #HDFS_ZONE_DEPTH_KEY} and
 * {@value #YARN_ZONE_DEPTH_KEY}) are deprecated aliases: read when the shared key is absent,
 * with one WARN per alias and JVM; set to a value that contradicts the shared key, they are an
 * error naming both keys.
 */
public final class ZoneModelConfig {
  private static final Logger LOG = LoggerFactory.getLogger(ZoneModelConfig.class);

  /**
   * Leading network-location components that name a zone ({@code /zone/rack} → 1,
   * {@code /region/zone/rack} → 2). Default {@value #ZONE_DEPTH_DEFAULT}; at least 1.
   */
  public static final String ZONE_DEPTH_KEY = "multizone.zone.depth";
  /** Default of {@link #ZONE_DEPTH_KEY}. */
  public static final int ZONE_DEPTH_DEFAULT = 1;

  /** Deprecated alias of {@link #ZONE_DEPTH_KEY} (hdfs-placement-policy 0.1). */
  public static final String HDFS_ZONE_DEPTH_KEY = "dfs.namenode.zone-placement.zone-depth";
  /** Deprecated alias of {@link #ZONE_DEPTH_KEY} (yarn-scheduler 0.1). */
  public static final String YARN_ZONE_DEPTH_KEY = "yarn.scheduler.zone-placement.zone.depth";

  private static final String[] ALIASES = {HDFS_ZONE_DEPTH_KEY, YARN_ZONE_DEPTH_KEY};
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private ZoneModelConfig() {
  }

  /**
   * The zone depth {@code conf} asks for.
   *
   * @throws IllegalArgumentException naming the key and value when the value is not a whole
   *     number >= 1, or when an alias contradicts the shared key or the other alias
   */
  public static int zoneDepth(Configuration conf) {
    String chosenKey = null;
    String chosen = null;
    String shared = conf.getTrimmed(ZONE_DEPTH_KEY);
    if (shared != null && !shared.isEmpty()) {
      chosenKey = ZONE_DEPTH_KEY;
      chosen = shared;
    }
    for (String alias : ALIASES) {
      String v = conf.getTrimmed(alias);
      if (v == null || v.isEmpty()) {
        continue;
      }
      if (WARNED.add(alias)) {
        LOG.warn("{} is deprecated: set {} in core-site.xml instead (the same value serves"
            + " HDFS and YARN)", alias, ZONE_DEPTH_KEY);
      }
      if (chosen == null) {
        chosenKey = alias;
        chosen = v;
      } else if (!chosen.equals(v)) {
        throw new IllegalArgumentException("Conflicting zone depths: " + chosenKey + "='"
            + chosen + "' but " + alias + "='" + v + "'; set only " + ZONE_DEPTH_KEY);
      }
    }
    if (chosen == null) {
      return ZONE_DEPTH_DEFAULT;
    }
    int depth;
    try {
      depth = Integer.parseInt(chosen);
    } catch (NumberFormatException e) {
      depth = 0;
    }
    if (depth < 1) {
      throw new IllegalArgumentException("Invalid value for " + chosenKey + ": '" + chosen
          + "' (expected a whole number >= 1)");
    }
    return depth;
  }

  /** Whether {@code conf} sets the zone depth (the shared key or an alias). */
  public static boolean isZoneDepthSet(Configuration conf) {
    if (conf.getTrimmed(ZONE_DEPTH_KEY, "").length() > 0) {
      return true;
    }
    for (String alias : ALIASES) {
      if (conf.getTrimmed(alias, "").length() > 0) {
        return true;
      }
    }
    return false;
  }

  /** A resolver for the zone depth {@code conf} asks for. */
  public static ZoneResolver resolver(Configuration conf) {
    return new ZoneResolver(zoneDepth(conf));
  }
}
