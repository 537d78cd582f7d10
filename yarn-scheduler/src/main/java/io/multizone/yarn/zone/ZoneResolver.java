package io.multizone.yarn.zone;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a rack path to its zone: the first {@code depth} components of the path, e.g.
 * {@code /zone-a/rack-1} → {@code /zone-a} with depth 1.
 *
 * <p>This is the convention shared with the HDFS placement policy, so one topology script or
 * table serves both. A rack path with no component left below the zone (for instance
 * {@code /default-rack}) has no zone level: {@link #zoneOf} returns null and the caller falls
 * back to stock behaviour; one WARN per such rack names {@value ZonePlacementYarnConfig#ZONE_DEPTH}.
 */
public final class ZoneResolver {
  private static final Logger LOG = LoggerFactory.getLogger(ZoneResolver.class);
  private static final String NO_ZONE = "\u0000no-zone";

  private final int depth;
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  /**
   * @param depth number of leading rack-path components forming the zone, at least 1
   */
  public ZoneResolver(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException(ZonePlacementYarnConfig.ZONE_DEPTH + " must be >= 1");
    }
    this.depth = depth;
  }

  /** @return the number of leading components forming the zone */
  public int getDepth() {
    return depth;
  }

  /**
   * @param rackPath a network location such as {@code /zone-a/rack-1}
   * @return the zone path ({@code /zone-a}), or null when the path has no zone level
   */
  public String zoneOf(String rackPath) {
    if (rackPath == null) {
      return null;
    }
    String z = cache.get(rackPath);
    if (z == null) {
      z = compute(rackPath);
      String prev = cache.putIfAbsent(rackPath, z == null ? NO_ZONE : z);
      if (prev == null && z == null) {
        LOG.warn("Rack '{}' has no zone level at {}={} (expected /zone/rack): its nodes get "
            + "stock node/rack/any placement", rackPath, ZonePlacementYarnConfig.ZONE_DEPTH,
            depth);
      }
      return z;
    }
    return z == NO_ZONE ? null : z;
  }

  private String compute(String rackPath) {
    String[] parts = rackPath.split("/");
    StringBuilder zone = new StringBuilder();
    int seen = 0;
    int total = 0;
    for (String p : parts) {
      if (!p.isEmpty()) {
        total++;
      }
    }
    // At least one component must remain below the zone (the rack itself).
    if (total <= depth) {
      return null;
    }
    for (String p : parts) {
      if (p.isEmpty()) {
        continue;
      }
      zone.append('/').append(p);
      if (++seen == depth) {
        break;
      }
    }
    return zone.toString();
  }
}
