package io.multizone.yarn.mapreduce;

import java.io.Closeable;
import java.io.File;
import java.io.InputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.multizone.yarn.HadoopLine;
import io.multizone.yarn.SharedTestFiles;
import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.placement.ZoneAwarePlacementAllocator;
import io.multizone.yarn.requeue.LostDataNodeRequeuePolicy;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.io.IOUtils;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.net.TableMapping;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.nodemanager.NodeManager;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler;

/**
 * A small multi-zone Hadoop cluster in one JVM, set up the way an operator would: six hosts,
 * each with its own loopback address (127.10.z.r, resolved by every JVM of the run through
 * the hosts file named by {@code -Djdk.net.hosts.file}), a DataNode and a stock NodeManager
 * per host, zones {@code zone-a..c} with two racks each, a topology table, and YARN keys set
 * in the configuration only. MiniYARNCluster would put every NodeManager on {@code localhost},
 * so the NodeManagers are started here on their own addresses.
 *
 * <p>DataNodes listen on 127.0.0.1 but register under their host's name
 * ({@code dfs.datanode.hostname}), so block locations name the same hosts as NodeManagers.
 *
 * <p>Shared by the real MapReduce jobs (this package) and the real Tez DAGs
 * ({@code io.multizone.yarn.tez}, which add Tez's keys to {@link #jobConf()}).
 */
public final class ZoneMapReduceCluster implements Closeable {
  public static final int MB_PER_CONTAINER = 512;
  /** Host name → rack, in zone/rack order. */
  public static final Map<String, String> TOPOLOGY = new LinkedHashMap<>();
  private static final Map<String, String> ADDRESS = new LinkedHashMap<>();

  static {
    String[] zones = {"a", "b", "c"};
    for (int z = 0; z < zones.length; z++) {
      for (int r = 1; r <= 2; r++) {
        String host = "h-" + zones[z] + r;
        TOPOLOGY.put(host, "/zone-" + zones[z] + "/rack-" + r);
        ADDRESS.put(host, "127.10." + (z + 1) + "." + r);
      }
    }
  }

  private final File dir;
  private final MiniDFSCluster dfs;
  private final MiniMRYarnCluster yarn;
  private final List<NodeManager> nodeManagers = new ArrayList<>();
  private final String jvmOpts;

  /**
   * @param name test name (directory under target/)
   * @param yarnKeys the YARN keys under test (allocator, monitor), applied to the RM's config
   * @param containersPerHost map containers each host's NodeManager can hold, by host
   */
  public ZoneMapReduceCluster(String name, Configuration yarnKeys, Map<String, Integer> containersPerHost)
      throws Exception {
    this.dir = new File("target/" + name).getAbsoluteFile();
    FileUtil.fullyDelete(dir);
    dir.mkdirs();
    File table = writeTopologyFiles(dir);
    DefaultMetricsSystem.setMiniClusterMode(true);

    Configuration hdfsConf = new Configuration();
    hdfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(dir, "dfs").getPath());
    hdfsConf.setLong(DFSConfigKeys.DFS_HEARTBEAT_INTERVAL_KEY, 1);
    hdfsConf.setInt(DFSConfigKeys.DFS_NAMENODE_HEARTBEAT_RECHECK_INTERVAL_KEY, 2000);
    dfs = new MiniDFSCluster.Builder(hdfsConf)
        .numDataNodes(TOPOLOGY.size())
        .hosts(TOPOLOGY.keySet().toArray(new String[0]))
        .racks(TOPOLOGY.values().toArray(new String[0]))
        .build();
    dfs.waitActive();

    Configuration conf = new YarnConfiguration();
    conf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
    conf.set("net.topology.node.switch.mapping.impl", TableMapping.class.getName());
    conf.set("net.topology.table.file.name", table.getPath());
    conf.set(YarnConfiguration.RM_SCHEDULER, CapacityScheduler.class.getName());
    // hadoop-yarn-server-tests ships a capacity-scheduler.xml with delay scheduling off; an
    // operator's cluster has it on (stock default 40): one round of the six nodes here, and
    // one more before off-switch (else, for a one-map request, YARN's L*C/N formula allows
    // off-switch after a single missed opportunity).
    conf.setInt("yarn.scheduler.capacity.node-locality-delay", TOPOLOGY.size());
    conf.setInt("yarn.scheduler.capacity.rack-locality-additional-delay", TOPOLOGY.size());
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    conf.setInt(MRJobConfig.MR_AM_VMEM_MB, MB_PER_CONTAINER);
    conf.setInt(MRJobConfig.MAP_MEMORY_MB, MB_PER_CONTAINER);
    conf.setInt(MRJobConfig.REDUCE_MEMORY_MB, MB_PER_CONTAINER);
    String jvm = "-Xmx200m -Djdk.net.hosts.file=" + hostsFile(dir).getPath() + " " + addOpens();
    this.jvmOpts = jvm;
    conf.set(MRJobConfig.MR_AM_COMMAND_OPTS, jvm);
    conf.set(MRJobConfig.MAP_JAVA_OPTS, jvm);
    conf.set(MRJobConfig.REDUCE_JAVA_OPTS, jvm);
    conf.setInt(MRJobConfig.MAP_MAX_ATTEMPTS, 4);
    for (Map.Entry<String, String> e : yarnKeys) {
      conf.set(e.getKey(), e.getValue());
    }
    String allocator = yarnKeys.get(ZonePlacementYarnConfig.YARN_APP_PLACEMENT_ALLOCATOR_KEY);
    if (allocator != null && HadoopLine.perApplicationAllocatorOnly()) {
      // Hadoop 3.3: no cluster-wide key; each job names the allocator in its AM's environment
      // (what an operator puts in mapred-site.xml on 3.3).
      conf.set(MRJobConfig.MR_AM_ENV,
          HadoopLine.ENV_APPLICATION_PLACEMENT_TYPE_CLASS + "=" + allocator);
    }
    yarn = new MiniMRYarnCluster(name, 0);
    yarn.init(conf);
    yarn.start();
    for (String host : TOPOLOGY.keySet()) {
      nodeManagers.add(startNodeManager(host, containersPerHost.getOrDefault(host, 4)));
    }
    waitForNodeManagers();
  }

  private NodeManager startNodeManager(String host, int containers) {
    YarnConfiguration c = new YarnConfiguration(yarn.getConfig());
    File nmDir = new File(dir, "nm-" + host);
    new File(nmDir, "local").mkdirs();
    new File(nmDir, "log").mkdirs();
    c.set(YarnConfiguration.NM_ADDRESS, host + ":0");
    c.set(YarnConfiguration.NM_BIND_HOST, "0.0.0.0");
    c.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, host + ":0");
    c.set(YarnConfiguration.NM_WEBAPP_ADDRESS, host + ":0");
    c.set(YarnConfiguration.NM_LOCAL_DIRS, new File(nmDir, "local").getPath());
    c.set(YarnConfiguration.NM_LOG_DIRS, new File(nmDir, "log").getPath());
    c.setInt(YarnConfiguration.NM_PMEM_MB, containers * MB_PER_CONTAINER);
    c.setInt(YarnConfiguration.NM_VCORES, 8);
    c.setBoolean(YarnConfiguration.NM_ENABLE_HARDWARE_CAPABILITY_DETECTION, false);
    c.setBoolean(YarnConfiguration.NM_CONTAINER_MONITOR_ENABLED, false);
    c.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
    // A NodeManager that ran containers of an application waits ~17 s in stop() for its
    // scheduled log deletions unless they are due at once; -Dmultizone.keep-container-logs=true
    // keeps the logs of finished applications for reading (slower teardown).
    if (!Boolean.getBoolean("multizone.keep-container-logs")) {
      c.setLong(YarnConfiguration.NM_LOG_RETAIN_SECONDS, 1);
    }
    NodeManager nm = new NodeManager();
    nm.init(c);
    nm.start();
    return nm;
  }

  private void waitForNodeManagers() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 120_000;
    while (yarn.getResourceManager().getRMContext().getRMNodes().size() < TOPOLOGY.size()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("NodeManagers registered: "
            + yarn.getResourceManager().getRMContext().getRMNodes().keySet());
      }
      Thread.sleep(200);
    }
  }

  /** The hosts file every JVM of the run reads; it must be the one named at JVM start. */
  static File hostsFile(File dir) {
    String named = System.getProperty("jdk.net.hosts.file");
    if (named == null) {
      throw new IllegalStateException("run with -Djdk.net.hosts.file=<file> (the surefire "
          + "execution 'real-jobs' sets it): the hosts need their own addresses");
    }
    return new File(named).getAbsoluteFile();
  }

  private static File writeTopologyFiles(File dir) throws IOException {
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    String self = selfName();
    if (self != null) {
      hosts.append("127.0.0.1 ").append(self).append('\n');
    }
    StringBuilder table = new StringBuilder();
    for (Map.Entry<String, String> e : TOPOLOGY.entrySet()) {
      String ip = ADDRESS.get(e.getKey());
      hosts.append(ip).append(' ').append(e.getKey()).append('\n');
      table.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
      table.append(ip).append(' ').append(e.getValue()).append('\n');
    }
    File hostsFile = hostsFile(dir);
    hostsFile.getParentFile().mkdirs();
    SharedTestFiles.write(hostsFile.toPath(), hosts.toString().getBytes(StandardCharsets.UTF_8));
    File tableFile = new File(dir, "topology.table");
    Files.write(tableFile.toPath(), table.toString().getBytes(StandardCharsets.UTF_8));
    return tableFile;
  }

  private static String selfName() {
    String name = System.getenv("HOSTNAME");
    File etc = new File("/etc/hostname");
    if ((name == null || name.isEmpty()) && etc.canRead()) {
      try {
        name = new String(Files.readAllBytes(etc.toPath()), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        name = null;
      }
    }
    return name == null || name.isEmpty() || "localhost".equals(name) ? null : name;
  }

  /** Java 17 needs these opened for Hadoop in the AM and task JVMs as in the test JVM. */
  private static String addOpens() {
    String[] packages = {"java.lang", "java.util", "java.net", "java.io", "java.nio",
        "sun.nio.ch", "java.lang.reflect", "java.util.concurrent",
        "java.util.concurrent.atomic", "java.security", "sun.security.util", "java.text"};
    StringBuilder sb = new StringBuilder();
    if (!System.getProperty("java.specification.version").startsWith("1.")) {
      for (String p : packages) {
        sb.append(" --add-opens=java.base/").append(p).append("=ALL-UNNAMED");
      }
    }
    return sb.toString().trim();
  }

  /**
   * The java options every JVM of the run needs (heap, the hosts file, the add-opens of Java
   * 17): set on the MapReduce AM and tasks here, on Tez's through its own keys.
   */
  public String jvmOpts() {
    return jvmOpts;
  }

  /** A job configuration for this cluster. */
  public Configuration jobConf() {
    return new Configuration(yarn.getConfig());
  }

  public DistributedFileSystem fs() throws IOException {
    return dfs.getFileSystem();
  }

  public MiniDFSCluster dfs() {
    return dfs;
  }

  public MiniMRYarnCluster yarn() {
    return yarn;
  }

  /** Writes a one-block file whose replicas are on exactly {@code hosts}. */
  public void writeOn(Path file, byte[] data, String... hosts) throws IOException {
    InetSocketAddress[] favored = new InetSocketAddress[hosts.length];
    for (int i = 0; i < hosts.length; i++) {
      favored[i] = dataNode(hosts[i]).getXferAddress();
    }
    try (FSDataOutputStream out = fs().create(file, FsPermission.getFileDefault(), true, 4096,
        (short) hosts.length, 1024 * 1024, null, favored)) {
      out.write(data);
    }
  }

  /** @return the hosts holding the first block of {@code file}, as HDFS reports them */
  public List<String> hostsOf(Path file) throws IOException {
    BlockLocation[] b = fs().getFileBlockLocations(file, 0, 1);
    return b.length == 0 ? Collections.<String>emptyList() : Arrays.asList(b[0].getHosts());
  }

  /** @return the DataNode registered under {@code host} */
  public DataNode dataNode(String host) {
    for (DataNode dn : dfs.getDataNodes()) {
      if (host.equals(dn.getDatanodeId().getHostName())) {
        return dn;
      }
    }
    throw new IllegalArgumentException("no DataNode on " + host);
  }

  /**
   * The YARN keys of the lost-DataNode tests, as an operator sets them: our allocator, the
   * requeue monitor, detection and grace shortened (4 s stale in 2 polls, 1 s grace).
   *
   * @param requeue whether requeue is on (off for the control)
   */
  public static Configuration requeueKeys(boolean requeue) {
    Configuration keys = new Configuration(false);
    keys.set(ZonePlacementYarnConfig.YARN_APP_PLACEMENT_ALLOCATOR_KEY,
        ZoneAwarePlacementAllocator.class.getName());
    keys.set(YarnConfiguration.RM_SCHEDULER_ENABLE_MONITORS, "true");
    keys.set(YarnConfiguration.RM_SCHEDULER_MONITOR_POLICIES,
        LostDataNodeRequeuePolicy.class.getName());
    keys.set(ZonePlacementYarnConfig.DATANODE_POLL_INTERVAL_MS, "500");
    keys.set(ZonePlacementYarnConfig.DATANODE_LOST_AFTER_MS, "4000");
    keys.set(ZonePlacementYarnConfig.DATANODE_LOST_CONFIRM_POLLS, "2");
    keys.set(ZonePlacementYarnConfig.REQUEUE_GRACE_MS, "1000");
    keys.set(ZonePlacementYarnConfig.REQUEUE_ENABLED, String.valueOf(requeue));
    return keys;
  }

  /** @return {@code size} bytes of 64-byte lines of {@code c} (each ending in a newline) */
  public static byte[] lines(int size, char c) {
    byte[] data = new byte[size];
    Arrays.fill(data, (byte) c);
    for (int i = 63; i < data.length; i += 64) {
      data[i] = '\n';
    }
    return data;
  }

  /**
   * @return the complete probe files (their one line ends in a newline) in {@code dir} whose
   *     names start with {@code prefix}: name -> line
   */
  public static Map<String, String> readProbes(FileSystem fs, Path dir, String prefix)
      throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (!name.startsWith(prefix) || st.getLen() == 0) {
        continue;
      }
      try (InputStream in = fs.open(st.getPath())) {
        String line = new String(IOUtils.readFullyToByteArray(new DataInputStream(in)),
            StandardCharsets.UTF_8);
        if (line.endsWith("\n")) {
          out.put(name, line);
        }
      }
    }
    return out;
  }

  /** Stops the DataNode of {@code host} (its NodeManager keeps running). */
  public void stopDataNode(String host) {
    DataNode dn = dataNode(host);
    dfs.stopDataNode(dn.getDatanodeId().getXferAddr());
  }

  public static String zoneOf(String host) {
    String rack = TOPOLOGY.get(host);
    return rack == null ? null : rack.substring(0, rack.indexOf('/', 1));
  }

  /** 0 node, 1 rack, 2 zone, 3 off-zone: where {@code ranOn} is from {@code dataHost}. */
  public static int tierOf(String ranOn, String dataHost) {
    if (ranOn.equals(dataHost)) {
      return 0;
    }
    if (TOPOLOGY.get(ranOn).equals(TOPOLOGY.get(dataHost))) {
      return 1;
    }
    return zoneOf(ranOn).equals(zoneOf(dataHost)) ? 2 : 3;
  }

  @Override
  public void close() throws IOException {
    for (NodeManager nm : nodeManagers) {
      nm.stop();
    }
    if (yarn != null) {
      yarn.stop();
    }
    if (dfs != null) {
      dfs.shutdown();
    }
  }
}
