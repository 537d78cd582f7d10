package io.multizone.hdfs.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;

/**
 * Checks, at NameNode start, that an explicitly configured zone depth exists in the topology
 * when the topology comes from a table file ({@code TableMapping}). With a topology script
 * the locations are only known as DataNodes register; the policy then logs the mismatch once
 * and places like the default policy.
 */
public final class TopologyTableCheck {

  private TopologyTableCheck() {
  }

  /**
   * @throws IllegalArgumentException naming {@link ZonePlacementConfig#ZONE_DEPTH_KEY}, its
   *     value and the first table location that has no level below the zone
   */
  public static void verify(Configuration conf, ZonePlacementConfig config) {
    if (!config.zoneDepthExplicit()) {
      return;
    }
    String mapping = conf.get(CommonConfigurationKeysPublic.NET_TOPOLOGY_NODE_SWITCH_MAPPING_IMPL_KEY, "");
    String table = conf.getTrimmed(CommonConfigurationKeysPublic.NET_TOPOLOGY_TABLE_MAPPING_FILE_KEY, "");
    if (!mapping.endsWith("TableMapping") || table.isEmpty()) {
      return;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(Paths.get(table), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return; // TableMapping itself reports an unreadable table
    }
    for (String line : lines) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length < 2 || cols[0].startsWith("#")) {
        continue;
      }
      String location = cols[1];
      if (ZoneResolver.componentCount(location) <= config.zoneDepth()) {
        throw new IllegalArgumentException("Invalid value for "
            + ZonePlacementConfig.ZONE_DEPTH_KEY + ": '" + config.zoneDepth()
            + "' (the topology table " + table + " maps " + cols[0] + " to " + location
            + ", which has no rack level below a zone of depth " + config.zoneDepth() + ")");
      }
    }
  }
}
