package io.multizone.yarn.liveness;

import java.io.IOException;
import java.util.List;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;

/**
 * Where the ResourceManager reads the NameNode's view of its DataNodes. The default,
 * {@link DfsDataNodeReportSource}, asks the NameNode over the normal HDFS client (HA
 * failover included); {@value ZonePlacementYarnConfig#DATANODE_REPORT_SOURCE_CLASS} plugs
 * another one. Implementations need a public no-argument constructor.
 */
public interface DataNodeReportSource extends java.io.Closeable {

  /**
   * @param conf the ResourceManager configuration
   * @param config the parsed zone-placement configuration
   * @throws IOException when the source cannot be set up (message names the key at fault)
   */
  void init(Configuration conf, ZonePlacementYarnConfig config) throws IOException;

  /**
   * @return every DataNode the NameNode knows, live or not
   * @throws IOException when the NameNode cannot be asked
   */
  List<DataNodeStatus> report() throws IOException;

  /** @return a short description (e.g. the NameNode URI) for log lines */
  String describe();
}
