package io.multizone.hdfs.demo;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.client.HdfsClientConfigKeys;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeManager;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.test.GenericTestUtils;
import org.junit.Assert;

/**
 * A real in-process HDFS cluster (MiniDFSCluster) laid out over zones, tuned so that
 * heartbeats, dead-node detection and re-replication take seconds, with helpers to inspect
 * where each block's replicas live.
 */
public final class MiniZonedCluster implements AutoCloseable {

  public static final int BLOCK_SIZE = 64 * 1024;

  /** The shared reference topology: 3 zones x 2 racks x 2 hosts, one entry per DataNode. */
  public static final String[] REFERENCE_RACKS = {
      "/zone-a/rack-1", "/zone-a/rack-1", "/zone-a/rack-2", "/zone-a/rack-2",
      "/zone-b/rack-1", "/zone-b/rack-1", "/zone-b/rack-2", "/zone-b/rack-2",
      "/zone-c/rack-1", "/zone-c/rack-1", "/zone-c/rack-2", "/zone-c/rack-2"};

  public final MiniDFSCluster cluster;
  public final DistributedFileSystem fs;

  private MiniZonedCluster(MiniDFSCluster cluster) throws IOException {
    this.cluster = cluster;
    this.fs = cluster.getFileSystem();
  }

  /** Settings for a fast-reacting test cluster using the given placement policy. */
  public static Configuration conf(String policyClass) {
    Configuration conf = new HdfsConfiguration();
    conf.set(DFSConfigKeys.DFS_BLOCK_REPLICATOR_CLASSNAME_KEY, policyClass);
    conf.setLong(DFSConfigKeys.DFS_BLOCK_SIZE_KEY, BLOCK_SIZE);
    conf.setLong(DFSConfigKeys.DFS_NAMENODE_MIN_BLOCK_SIZE_KEY, 0);
    conf.setInt(DFSConfigKeys.DFS_BYTES_PER_CHECKSUM_KEY, 512);
    conf.setLong(DFSConfigKeys.DFS_HEARTBEAT_INTERVAL_KEY, 1);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_HEARTBEAT_RECHECK_INTERVAL_KEY, 500);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_REDUNDANCY_INTERVAL_SECONDS_KEY, 1);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_REPLICATION_MAX_STREAMS_KEY, 20);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_REPLICATION_STREAMS_HARD_LIMIT_KEY, 40);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_REPLICATION_WORK_MULTIPLIER_PER_ITERATION, 20);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_DECOMMISSION_INTERVAL_KEY, 1);
    // A transfer to a node that died meanwhile is retried after 5 s instead of 5 minutes.
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_RECONSTRUCTION_PENDING_TIMEOUT_SEC_KEY, 5);
    conf.setLong(DFSConfigKeys.DFS_NAMENODE_STALE_DATANODE_INTERVAL_KEY, 3000);
    conf.setInt(HdfsClientConfigKeys.DFS_CLIENT_MAX_BLOCK_ACQUIRE_FAILURES_KEY, 0);
    conf.setInt(HdfsClientConfigKeys.Retry.WINDOW_BASE_KEY, 10);
    conf.setInt(DFSConfigKeys.DFS_CLIENT_SOCKET_TIMEOUT_KEY, 5000);
    conf.setBoolean(DFSConfigKeys.DFS_PERMISSIONS_ENABLED_KEY, false);
    return conf;
  }

  /** Starts one DataNode per location and waits until all have registered. */
  public static MiniZonedCluster start(Configuration conf, File baseDir, String[] racks)
      throws IOException {
    return start(conf, baseDir, racks, null);
  }

  /** As {@link #start(Configuration, File, String[])}, with simulated capacities if given. */
  public static MiniZonedCluster start(Configuration conf, File baseDir, String[] racks,
      long[] simulatedCapacities) throws IOException {
    MiniDFSCluster.Builder b = new MiniDFSCluster.Builder(conf, baseDir)
        .numDataNodes(racks.length).racks(racks);
    if (simulatedCapacities != null) {
      b.simulatedCapacities(simulatedCapacities);
    }
    MiniDFSCluster c = b.build();
    c.waitActive();
    awaitStorageReports(c, racks.length);
    return new MiniZonedCluster(c);
  }

  /**
   * Waits until the NameNode has every DataNode's storage report (waitActive only waits for
   * registration; a node with no reported space is passed over by every placement policy).
   */
  private static void awaitStorageReports(MiniDFSCluster c, int dataNodes) throws IOException {
    DatanodeManager dm = c.getNamesystem().getBlockManager().getDatanodeManager();
    try {
      GenericTestUtils.waitFor(() -> {
        List<DatanodeDescriptor> live = dm.getDatanodeListForReport(DatanodeReportType.LIVE);
        return live.size() == dataNodes
            && live.stream().allMatch(d -> d.getRemaining() > 0);
      }, 100, 30_000);
    } catch (TimeoutException | InterruptedException e) {
      throw new IOException("DataNodes did not report their storage in 30 s", e);
    }
  }

  /** The zone (first location component) of a network location. */
  public static String zoneOf(String location) {
    int i = location.indexOf('/', 1);
    return i < 0 ? location : location.substring(0, i);
  }

  /** Every block of the file with the zones of its live replicas. */
  public List<LocatedBlock> blocks(Path file) throws IOException {
    long len = fs.getFileStatus(file).getLen();
    return fs.getClient().getLocatedBlocks(file.toUri().getPath(), 0, len).getLocatedBlocks();
  }

  /** Distinct zones holding live replicas of a block. */
  public static Set<String> zones(LocatedBlock b) {
    Set<String> zones = new HashSet<>();
    for (DatanodeInfo d : b.getLocations()) {
      zones.add(zoneOf(d.getNetworkLocation()));
    }
    return zones;
  }

  /** Zone -> number of blocks (of these files) that live entirely in it. */
  public Map<String, Integer> singleZoneBlocks(List<Path> files) throws IOException {
    Map<String, Integer> out = new HashMap<>();
    for (Path f : files) {
      for (LocatedBlock b : blocks(f)) {
        Set<String> z = zones(b);
        if (z.size() == 1) {
          out.merge(z.iterator().next(), 1, Integer::sum);
        }
      }
    }
    return out;
  }

  /** DataNodes whose location is in the zone. */
  public List<DataNode> dataNodesIn(String zone) throws IOException {
    List<DataNode> out = new ArrayList<>();
    for (DataNode dn : cluster.getDataNodes()) {
      String loc = cluster.getNamesystem().getBlockManager().getDatanodeManager()
          .getDatanode(dn.getDatanodeId()).getNetworkLocation();
      if (zoneOf(loc).equals(zone)) {
        out.add(dn);
      }
    }
    return out;
  }

  /**
   * Stops every DataNode of the zone and makes the NameNode declare them dead at once,
   * as it would after its dead-node interval.
   *
   * @return how many DataNodes were stopped
   */
  public int loseZone(String zone) throws IOException {
    return stopZone(zone).size();
  }

  /**
   * As {@link #loseZone}, keeping what {@link #restoreZone} needs to bring the zone back.
   *
   * @return the stopped DataNodes
   */
  public List<MiniDFSCluster.DataNodeProperties> stopZone(String zone) throws IOException {
    List<DataNode> victims = dataNodesIn(zone);
    List<MiniDFSCluster.DataNodeProperties> stopped = new ArrayList<>();
    // Stop them all before the NameNode hears of any: otherwise it may re-replicate onto a
    // node of the zone that is about to stop, and wait for that transfer to time out.
    for (DataNode dn : victims) {
      stopped.add(cluster.stopDataNode(dn.getDatanodeId().getXferAddr()));
    }
    for (DataNode dn : victims) {
      cluster.setDataNodeDead(dn.getDatanodeId());
    }
    return stopped;
  }

  /**
   * Restarts DataNodes stopped by {@link #stopZone} on their old ports (so the same rack
   * mapping applies) with their old replicas, and waits until they have registered.
   */
  public void restoreZone(List<MiniDFSCluster.DataNodeProperties> stopped) throws IOException {
    for (MiniDFSCluster.DataNodeProperties dn : stopped) {
      if (!restart(dn)) {
        throw new IOException("DataNode " + dn + " did not restart");
      }
    }
    cluster.waitActive();
    awaitStorageReports(cluster, cluster.getDataNodes().size());
  }

  /**
   * Restarts a stopped DataNode on its old ports, or on new ones when one of them was taken
   * meanwhile (seen in CI: another socket of the test JVM got the old port as its ephemeral
   * local port, and the restart failed with "Address already in use"). The DataNode keeps
   * its storage, its host name and so its rack.
   */
  private boolean restart(MiniDFSCluster.DataNodeProperties dn) throws IOException {
    try {
      return cluster.restartDataNode(dn, true);
    } catch (IOException e) {
      if (!(e instanceof BindException) && !(e.getCause() instanceof BindException)) {
        throw e;
      }
      // The failed attempt wrote the old ports into the DataNode's configuration, which a
      // restart without keepPort reuses as they are (CI: the second try failed on the same
      // port): back to ephemeral ports, same host.
      Configuration conf = savedConf(dn);
      for (String key : new String[] {DFSConfigKeys.DFS_DATANODE_ADDRESS_KEY,
          DFSConfigKeys.DFS_DATANODE_IPC_ADDRESS_KEY}) {
        String address = conf.get(key, "127.0.0.1:0");
        conf.set(key, address.substring(0, address.lastIndexOf(':') + 1) + "0");
      }
      return cluster.restartDataNode(dn, false);
    }
  }

  /**
   * The configuration MiniDFSCluster restarts a DataNode with (a package-private field of
   * {@link MiniDFSCluster.DataNodeProperties}, no accessor).
   */
  private static Configuration savedConf(MiniDFSCluster.DataNodeProperties dn)
      throws IOException {
    try {
      java.lang.reflect.Field f = MiniDFSCluster.DataNodeProperties.class.getDeclaredField("conf");
      f.setAccessible(true);
      return (Configuration) f.get(dn);
    } catch (ReflectiveOperationException e) {
      throw new IOException("cannot reach the DataNode's saved configuration", e);
    }
  }

  /**
   * Writes n files {@code dir/f0..} of 1 to 3 blocks (just under whole blocks) of random bytes
   * seeded by the directory name, adding each path and its bytes to the lists.
   */
  public void write(String dir, int n, short replication, List<Path> files, List<byte[]> data)
      throws IOException {
    Random random = new Random(dir.hashCode());
    for (int i = 0; i < n; i++) {
      byte[] bytes = new byte[BLOCK_SIZE * (1 + i % 3) - 100];
      random.nextBytes(bytes);
      Path p = new Path(dir + "/f" + i);
      try (FSDataOutputStream out = fs.create(p, replication)) {
        out.write(bytes);
      }
      files.add(p);
      data.add(bytes);
    }
  }

  /** Reads every file back and asserts its bytes are the ones written. */
  public void assertReadBack(List<Path> files, List<byte[]> data) throws IOException {
    for (int i = 0; i < files.size(); i++) {
      byte[] back = new byte[data.get(i).length];
      try (FSDataInputStream in = fs.open(files.get(i))) {
        in.readFully(0, back);
      }
      Assert.assertArrayEquals(files.get(i).toString(), data.get(i), back);
    }
  }

  @Override
  public void close() {
    cluster.shutdown(true);
  }
}
