package io.multizone.zone;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Names the zone of a network location: its first {@code depth} path components, after
 * {@link #normalize normalisation}. With depth 1, {@code /zone-a/rack-1} is in zone
 * {@code /zone-a}. A location with no more components than {@code depth} (a flat
 * {@code /rack-1}, or {@code /default-rack}) has no zone level: {@link #zoneOf} returns null
 * and callers fall back to stock behaviour.
 *
 * <p>This is the one rule every module uses (HDFS placement, YARN placement and requeue,
 * the tools), so the topology script or table that names racks names zones too and operators
 * configure zones once. Thread-safe; locations are few (one per rack), so answers are cached.
 */
public final class ZoneResolver {

  /** Cached answer for a location without a zone level. */
  private static final String NO_ZONE = "";

  private final int depth;
  private final ConcurrentMap<String, String> cache = new ConcurrentHashMap<>();

  /**
   * @param depth leading location components that name a zone, at least 1
   * @throws IllegalArgumentException naming {@link ZoneModelConfig#ZONE_DEPTH_KEY} if below 1
   */
  public ZoneResolver(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("Invalid value for " + ZoneModelConfig.ZONE_DEPTH_KEY
          + ": '" + depth + "' (expected a whole number >= 1)");
    }
    this.depth = depth;
  }

  /** Leading location components that name a zone. */
  public int depth() {
    return depth;
  }

  /**
   * Returns the zone of {@code networkLocation} ({@code /zone-a} for {@code /zone-a/rack-1}
   * at depth 1), or null when the location is null or has no zone level (at most
   * {@code depth} components).
   */
  public String zoneOf(String networkLocation) {
    if (networkLocation == null) {
      return null;
    }
    String zone = cache.get(networkLocation);
    if (zone == null) {
      zone = compute(networkLocation);
      cache.putIfAbsent(networkLocation, zone);
    }
    return zone.isEmpty() ? null : zone;
  }

  /** Whether {@code networkLocation} has a zone level above its rack. */
  public boolean hasZoneLevel(String networkLocation) {
    return zoneOf(networkLocation) != null;
  }

  private String compute(String location) {
    String normal = normalize(location);
    if (componentCount(normal) <= depth) {
      return NO_ZONE;
    }
    int seen = 0;
    for (int i = 1; i < normal.length(); i++) {
      if (normal.charAt(i) == '/' && ++seen == depth) {
        return normal.substring(0, i);
      }
    }
    return NO_ZONE;
  }

  /**
   * The canonical form of a location: one leading {@code /}, no empty components, no
   * trailing {@code /}, surrounding blanks removed. {@code //zone-a/rack-1/},
   * {@code zone-a/rack-1} and {@code /zone-a/rack-1} are all {@code /zone-a/rack-1}; an empty
   * or all-slash location is {@code /}. Hadoop's own {@code NodeBase.normalize} rejects a
   * location without a leading slash; YARN's resolver passes whatever the script printed, so
   * both are accepted here and read alike.
   */
  public static String normalize(String location) {
    String s = location.trim();
    StringBuilder out = new StringBuilder(s.length() + 1);
    boolean needSlash = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/') {
        needSlash = true;
      } else {
        if (needSlash) {
          out.append('/');
          needSlash = false;
        }
        out.append(c);
      }
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /** Number of path components of a location: {@code /a/b} has 2, {@code /} has 0. */
  public static int componentCount(String networkLocation) {
    int n = 0;
    boolean inName = false;
    for (int i = 0; i < networkLocation.length(); i++) {
      if (networkLocation.charAt(i) == '/') {
        inName = false;
      } else if (!inName) {
        inName = true;
        n++;
      }
    }
    return n;
  }
}
