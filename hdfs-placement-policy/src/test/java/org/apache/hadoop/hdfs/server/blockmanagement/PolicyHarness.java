package org.apache.hadoop.hdfs.server.blockmanagement;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.StorageType;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.protocol.BlockStoragePolicy;
import org.apache.hadoop.hdfs.server.common.HdfsServerConstants;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.Node;

/**
 * A real NameNode with a hand-built topology and no DataNode processes (the pattern of
 * Hadoop's BaseReplicationPolicyTest): DataNode descriptors are added straight into the
 * NameNode's topology and heartbeat manager, so {@code chooseTarget} runs exactly as in
 * production, thousands of times a second. Used by the unit tests and the benchmark.
 */
public final class PolicyHarness implements Closeable {

  public static final long BLOCK_SIZE = 1024;
  /** Every storage's capacity, all free at start. */
  public static final long CAPACITY = 2 * HdfsServerConstants.MIN_BLOCKS_FOR_WRITE * BLOCK_SIZE;
  /** Default storage policy (HOT). */
  public static final BlockStoragePolicy HOT =
      BlockStoragePolicySuite.createDefaultSuite().getDefaultPolicy();

  public final NameNode namenode;
  public final BlockPlacementPolicy policy;
  public final NetworkTopology topology;
  public final DatanodeManager dnManager;
  public final DatanodeDescriptor[] dataNodes;
  private final File baseDir;

  private PolicyHarness(NameNode nn, DatanodeDescriptor[] dns, File baseDir) {
    this.namenode = nn;
    this.baseDir = baseDir;
    BlockManager bm = nn.getNamesystem().getBlockManager();
    this.policy = bm.getBlockPlacementPolicy();
    this.dnManager = bm.getDatanodeManager();
    this.topology = dnManager.getNetworkTopology();
    this.dataNodes = dns;
  }

  /** One DataNode per location, all DISK. */
  public static PolicyHarness start(String policyClass, Configuration extra, String... racks)
      throws IOException {
    return start(policyClass, extra, racks, null);
  }

  /**
   * One DataNode per location; {@code types[i]} (if given) is the storage type of node i.
   */
  public static PolicyHarness start(String policyClass, Configuration extra, String[] racks,
      StorageType[] types) throws IOException {
    Configuration conf = new HdfsConfiguration();
    if (extra != null) {
      for (java.util.Map.Entry<String, String> e : extra) {
        conf.set(e.getKey(), e.getValue());
      }
    }
    String[] hosts = new String[racks.length];
    for (int i = 0; i < racks.length; i++) {
      hosts[i] = "host" + i;
    }
    DatanodeDescriptor[] dns = DFSTestUtil.toDatanodeDescriptor(
        DFSTestUtil.createDatanodeStorageInfos(racks.length, racks, hosts, types));
    File baseDir = new File(System.getProperty("test.build.data", "target/test-data"),
        "harness-" + System.nanoTime());
    FileSystem.setDefaultUri(conf, "hdfs://localhost:0");
    conf.set(DFSConfigKeys.DFS_NAMENODE_HTTP_ADDRESS_KEY, "0.0.0.0:0");
    conf.set(DFSConfigKeys.DFS_NAMENODE_NAME_DIR_KEY, new File(baseDir, "name").getPath());
    conf.set(DFSConfigKeys.DFS_BLOCK_REPLICATOR_CLASSNAME_KEY, policyClass);
    conf.setBoolean(DFSConfigKeys.DFS_NAMENODE_AVOID_STALE_DATANODE_FOR_WRITE_KEY, true);
    DFSTestUtil.formatNameNode(conf);
    NameNode nn = new NameNode(conf);
    PolicyHarness h = new PolicyHarness(nn, dns, baseDir);
    for (DatanodeDescriptor dn : dns) {
      h.topology.add(dn);
      h.dnManager.getHeartbeatManager().addDatanode(dn);
      h.dnManager.getHeartbeatManager().updateDnStat(dn);
    }
    for (DatanodeDescriptor dn : dns) {
      h.setSpace(dn, CAPACITY);
    }
    return h;
  }

  /** Sets a node's capacity and free space (all of it free) and sends a heartbeat. */
  public void setSpace(DatanodeDescriptor dn, long remaining) {
    long capacity = CAPACITY;
    for (DatanodeStorageInfo s : dn.getStorageInfos()) {
      s.setUtilizationForTesting(capacity, capacity - remaining, remaining, 0L);
    }
    dnManager.getHeartbeatManager().updateHeartbeat(dn,
        BlockManagerTestUtil.getStorageReportsForDatanode(dn), 0L, 0L, 0, 0, null);
  }

  /** Sends a heartbeat reporting {@code xceivers} active transfers (the considerLoad input). */
  public void setLoad(DatanodeDescriptor dn, int xceivers) {
    dnManager.getHeartbeatManager().updateHeartbeat(dn,
        BlockManagerTestUtil.getStorageReportsForDatanode(dn), 0L, 0L, xceivers, 0, null);
  }

  /**
   * A heartbeat with this free space and load: also keeps the node from turning stale (30 s
   * without heartbeat) during long runs.
   */
  public void heartbeat(DatanodeDescriptor dn, long remaining, int xceivers) {
    for (DatanodeStorageInfo s : dn.getStorageInfos()) {
      s.setUtilizationForTesting(CAPACITY, CAPACITY - remaining, remaining, 0L);
    }
    setLoad(dn, xceivers);
  }

  /** The DataNode dies: it leaves the topology and the heartbeat statistics. */
  public void removeNode(DatanodeDescriptor dn) {
    dnManager.getHeartbeatManager().removeDatanode(dn);
    topology.remove(dn);
  }

  /** A removed DataNode returns. */
  public void addNode(DatanodeDescriptor dn) {
    topology.add(dn);
    dnManager.getHeartbeatManager().addDatanode(dn);
    dnManager.getHeartbeatManager().updateDnStat(dn);
    setLoad(dn, 0);
  }

  /** Starts (or stops) decommissioning a DataNode, as the DatanodeAdminManager does. */
  public void setDecommissioning(DatanodeDescriptor dn, boolean on) {
    if (on) {
      dnManager.getHeartbeatManager().startDecommission(dn);
      topology.decommissionNode(dn);
    } else {
      dnManager.getHeartbeatManager().stopDecommission(dn);
      topology.recommissionNode(dn);
    }
  }

  public DatanodeStorageInfo[] chooseTarget(int n, Node writer) {
    return chooseTarget(n, writer, new ArrayList<>(), null, HOT);
  }

  public DatanodeStorageInfo[] chooseTarget(int n, Node writer,
      List<DatanodeStorageInfo> chosen, Set<Node> excluded, BlockStoragePolicy storagePolicy) {
    return policy.chooseTarget("/file", n, writer, chosen, false, excluded, BLOCK_SIZE,
        storagePolicy, EnumSet.noneOf(org.apache.hadoop.hdfs.AddBlockFlag.class));
  }

  /** Storage of a DataNode (its only one). */
  public static DatanodeStorageInfo storage(DatanodeDescriptor dn) {
    return dn.getStorageInfos()[0];
  }

  @Override
  public void close() {
    namenode.stop();
    namenode.join();
    FileUtil.fullyDelete(baseDir);
  }
}
