package io.multizone.yarn.liveness;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.client.HdfsClientConfigKeys;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;

/**
 * Reads the DataNode report from the NameNode through the HDFS client
 * ({@link DistributedFileSystem#getDataNodeStats}), so HA nameservices fail over like any
 * client. IPC and failover retries are bounded so an unreachable NameNode or a failover in
 * progress does not stall the monitor: a report fails after at most
 * {@value #FAILOVER_ATTEMPTS} failovers (3 attempts, each at most {@value #CONNECT_TIMEOUT_MS}
 * ms to connect twice and {@value #RPC_TIMEOUT_MS} ms for an answer, sleeps under 1 s).
 *
 * <p>Cost on the NameNode: each report is one {@code getDatanodeReport(ALL)} call, which
 * checks superuser rights, takes the namesystem read lock while it lists the DataNodes and
 * writes one audit line ({@code cmd=datanodeReport}) — at the default 1 s poll, 86,400 lines
 * a day; list {@code datanodeReport} in {@code dfs.namenode.audit.log.debug.cmdlist} to keep
 * them out of the audit log, or use {@link JmxDataNodeReportSource}. The RM user needs the
 * right to read the DataNode report (HDFS superuser group).
 */
public class DfsDataNodeReportSource implements DataNodeReportSource {
  /** Connect timeout of one attempt, ms. */
  static final int CONNECT_TIMEOUT_MS = 2000;
  /** A call a NameNode accepted but did not answer fails after this long, ms. */
  static final int RPC_TIMEOUT_MS = 5000;
  /** Failovers per report (HA): every NameNode of a pair or a trio is tried once. */
  static final int FAILOVER_ATTEMPTS = 2;

  private DistributedFileSystem dfs;
  private String uri;

  @Override
  public void init(Configuration conf, ZonePlacementYarnConfig config) throws IOException {
    URI parsed = NameNodeUri.of(config);
    uri = parsed.toString();
    Configuration c = new Configuration(conf);
    c.setInt("ipc.client.connect.max.retries", 1);
    c.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
    c.setInt("ipc.client.connect.timeout", CONNECT_TIMEOUT_MS);
    // A NameNode that accepts but does not answer (paused, overloaded) fails the call.
    c.setInt("ipc.client.rpc-timeout.ms", RPC_TIMEOUT_MS);
    // HA: at most FAILOVER_ATTEMPTS failovers with short sleeps instead of the client's 15
    // (up to 15 s apart): a failover in progress fails a poll or two (the last known state
    // is kept meanwhile) instead of stalling the monitor thread for minutes.
    c.setInt(HdfsClientConfigKeys.Failover.MAX_ATTEMPTS_KEY, FAILOVER_ATTEMPTS);
    c.setInt(HdfsClientConfigKeys.Failover.SLEEPTIME_BASE_KEY, 100);
    c.setInt(HdfsClientConfigKeys.Failover.SLEEPTIME_MAX_KEY, 1000);
    c.setInt(HdfsClientConfigKeys.Failover.CONNECTION_RETRIES_KEY, 0);
    c.setInt(HdfsClientConfigKeys.Failover.CONNECTION_RETRIES_ON_SOCKET_TIMEOUTS_KEY, 0);
    c.setBoolean(HdfsClientConfigKeys.Retry.POLICY_ENABLED_KEY, false);
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
