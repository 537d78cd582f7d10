package io.multizone.yarn.liveness;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;

/**
 * Reads the DataNode report from the NameNode through the HDFS client
 * ({@link DistributedFileSystem#getDataNodeStats}), so HA nameservices fail over like any
 * client. IPC retries are kept short so an unreachable NameNode does not stall the monitor.
 * The RM user needs the right to read the DataNode report (HDFS superuser group).
 */
public class DfsDataNodeReportSource implements DataNodeReportSource {
  private DistributedFileSystem dfs;
  private String uri;

  @Override
  public void init(Configuration conf, ZonePlacementYarnConfig config) throws IOException {
    URI parsed = NameNodeUri.of(config);
    uri = parsed.toString();
    Configuration c = new Configuration(conf);
    c.setInt("ipc.client.connect.max.retries", 1);
    c.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
    c.setInt("ipc.client.connect.timeout", 2000);
    FileSystem fs = FileSystem.newInstance(parsed, c);
    if (!(fs instanceof DistributedFileSystem)) {
      fs.close();
      throw new IOException(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI + " '" + uri
          + "' is not served by DistributedFileSystem");
    }
    dfs = (DistributedFileSystem) fs;
  }

  @Override
  public List<DataNodeStatus> report() throws IOException {
    DatanodeInfo[] infos = dfs.getDataNodeStats(DatanodeReportType.ALL);
    List<DataNodeStatus> out = new ArrayList<>(infos.length);
    for (DatanodeInfo d : infos) {
      out.add(new DataNodeStatus(d.getHostName(), d.getIpAddr(), d.getXferPort(),
          d.getLastUpdate(), d.isDecommissionInProgress() || d.isDecommissioned()
              || d.isEnteringMaintenance() || d.isInMaintenance()));
    }
    return out;
  }

  @Override
  public String describe() {
    return uri;
  }

  @Override
  public void close() throws IOException {
    if (dfs != null) {
      dfs.close();
    }
  }
}
