package io.multizone.yarn.liveness;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;

import io.multizone.yarn.ZonePlacementYarnConfig;

/**
 * The NameNode (or HA nameservice) a report source follows, from
 * {@value ZonePlacementYarnConfig#DATANODE_NAMENODE_URI} or {@code fs.defaultFS}; shared by the
 * RPC and JMX sources so both reject the same bad values with the same messages.
 */
final class NameNodeUri {
  private NameNodeUri() {
  }

  /**
   * @param config the parsed zone-placement configuration
   * @return the configured {@code hdfs://} URI
   * @throws IOException naming the key when it is unset, malformed or not {@code hdfs://}
   */
  static URI of(ZonePlacementYarnConfig config) throws IOException {
    String uri = config.getNameNodeUri();
    if (uri == null) {
      throw new IOException("No NameNode to follow: set "
          + ZonePlacementYarnConfig.DATANODE_NAMENODE_URI + " or fs.defaultFS to an hdfs:// URI");
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IOException("Malformed " + ZonePlacementYarnConfig.DATANODE_NAMENODE_URI
          + " '" + uri + "': " + e.getMessage(), e);
    }
    if (!"hdfs".equalsIgnoreCase(parsed.getScheme())) {
      throw new IOException(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI
          + " (or fs.defaultFS) must be an hdfs:// URI, got '" + uri + "'");
    }
    return parsed;
  }
}
