package io.multizone.hdfs.bench;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.sun.management.OperatingSystemMXBean;
import io.multizone.hdfs.audit.ZoneAudit;
import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.demo.MiniZonedCluster;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.CryptoProtocolVersion;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.BlockListAsLongs;
import org.apache.hadoop.hdfs.protocol.DatanodeID;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.ExtendedBlock;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.security.token.block.ExportedBlockKeys;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.datanode.DataStorage;
import org.apache.hadoop.hdfs.server.namenode.FSNamesystem;
import org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException;
import org.apache.hadoop.hdfs.server.protocol.BlockReportContext;
import org.apache.hadoop.hdfs.server.protocol.DatanodeRegistration;
import org.apache.hadoop.hdfs.server.protocol.DatanodeStorage;
import org.apache.hadoop.hdfs.server.protocol.NamenodeProtocols;
import org.apache.hadoop.hdfs.server.protocol.NamespaceInfo;
import org.apache.hadoop.hdfs.server.protocol.ReceivedDeletedBlockInfo;
import org.apache.hadoop.hdfs.server.protocol.SlowDiskReports;
import org.apache.hadoop.hdfs.server.protocol.SlowPeerReports;
import org.apache.hadoop.hdfs.server.protocol.StorageBlockReport;
import org.apache.hadoop.hdfs.server.protocol.StorageReceivedDeletedBlocks;
import org.apache.hadoop.hdfs.server.protocol.StorageReport;
import org.apache.hadoop.io.EnumSetWritable;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.net.DNSToSwitchMapping;
import org.apache.hadoop.net.StaticMapping;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.util.VersionInfo;

/**
 * zone-audit speed on a NameNode holding many blocks. The namespace is built cheaply: a real
 * in-process NameNode (MiniDFSCluster without DataNode processes), 12 registered stand-in
 * DataNodes on the reference topology (3 zones x 2 racks x 2) that heartbeat and report the
 * blocks the NameNode's placement policy gave them, and files of 1 to 4 blocks at replication
 * 3 created through the NameNode's own create/addBlock/complete calls (the pattern of Hadoop's
 * NNThroughputBenchmark). The audit then reads everything back through the real client RPC,
 * as it would from another host.
 *
 * <p>After two warm-up passes, each round runs, in rotating order: the audit
 * ({@link ZoneAudit}: listings with locations through {@code DFSClient#listPaths}) with one
 * lister thread and with the default count, and for comparison the public
 * {@code FileSystem#listFiles(path, true)} iterator, which also carries locations (one
 * {@code BlockLocation} with topology path strings per block), only touching the topology
 * paths. Prints blocks per second, median and range over the rounds.
 *
 * <p>Usage: {@code ZoneAuditBenchmark [blocks] [rounds] [dir]} (defaults 200000, 5,
 * target/zone-audit-benchmark).
 */
public final class ZoneAuditBenchmark {

  private static final int FILES_PER_DIR = 500;
  private static final long CAPACITY = 1L << 50;

  private ZoneAuditBenchmark() {
  }

  /** A registered stand-in DataNode. */
  static final class FakeDataNode {
    final DatanodeRegistration reg;
    final DatanodeStorage storage;

    FakeDataNode(DatanodeRegistration reg, DatanodeStorage storage) {
      this.reg = reg;
      this.storage = storage;
    }
  }

  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    File dir = new File(args.length > 2 ? args[2] : "target/zone-audit-benchmark");

    Configuration conf = new HdfsConfiguration();
    conf.set(DFSConfigKeys.DFS_BLOCK_REPLICATOR_CLASSNAME_KEY,
        BlockPlacementPolicyDefault.class.getName());
    conf.setLong(DFSConfigKeys.DFS_NAMENODE_MIN_BLOCK_SIZE_KEY, 0);
    conf.setBoolean(DFSConfigKeys.DFS_PERMISSIONS_ENABLED_KEY, false);
    conf.setClass(CommonConfigurationKeysPublic.NET_TOPOLOGY_NODE_SWITCH_MAPPING_IMPL_KEY,
        StaticMapping.class, DNSToSwitchMapping.class);
    // The stand-ins never copy a block: keep the NameNode from asking.
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_REDUNDANCY_INTERVAL_SECONDS_KEY, 3600);
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_SAFEMODE_EXTENSION_KEY, 0);

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, dir).numDataNodes(0).build();
    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "stand-in heartbeats");
      t.setDaemon(true);
      return t;
    });
    try {
      cluster.waitActive();
      NamenodeProtocols nn = cluster.getNameNodeRpc();
      String bpid = cluster.getNamesystem().getBlockPoolId();
      List<FakeDataNode> dns = register(nn, bpid);
      heartbeats.scheduleWithFixedDelay(() -> {
        for (FakeDataNode d : dns) {
          try {
            heartbeat(nn, d);
          } catch (IOException e) {
            System.err.println("heartbeat: " + e);
          }
        }
      }, 2, 2, TimeUnit.SECONDS);

      long t0 = System.nanoTime();
      int[] made = create(nn, cluster.getNamesystem(), dns, blocks);
      double createSec = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "namespace: %,d files, %,d blocks (replication 3) in %,d"
          + " directories, created in %.1f s (%,.0f blocks/s)%n", made[0], made[1], made[2],
          createSec, made[1] / createSec);

      Configuration client = new Configuration(cluster.getConfiguration(0));
      DistributedFileSystem fs = cluster.getFileSystem();
      awaitAllReplicas(client, made[1]);
      String[] names = {"zone-audit, 1 lister thread",
          "zone-audit, " + ZonePlacementConfig.AUDIT_THREADS_DEFAULT + " lister threads (default)",
          "FileSystem.listFiles with locations only (no tally)"};
      Configuration one = new Configuration(client);
      one.setInt(ZonePlacementConfig.AUDIT_THREADS_KEY, 1);
      for (int i = 0; i < 2; i++) {
        audit(one);
        audit(client);
        listFiles(fs);
      }
      double[][] rates = new double[3][rounds];
      double[][] perCpu = new double[3][rounds];
      double[][] perClientCpu = new double[3][rounds];
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      for (int r = 0; r < rounds; r++) {
        // Rotate the order, so none always runs first (or right after a GC-heavy one).
        for (int k = 0; k < 3; k++) {
          int m = (r + k) % 3;
          long cpu0 = os.getProcessCpuTime();
          long nn0 = nameNodeRpcCpu();
          double sec = m == 0 ? audit(one) : m == 1 ? audit(client) : listFiles(fs);
          double nnCpu = (nameNodeRpcCpu() - nn0) / 1e9;
          double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
          rates[m][r] = made[1] / sec;
          perCpu[m][r] = made[1] / cpu;
          perClientCpu[m][r] = made[1] / (cpu - nnCpu);
        }
        System.out.printf(Locale.ROOT, "round %d: %,.0f / %,.0f / %,.0f blocks/s%n", r + 1,
            rates[0][r], rates[1][r], rates[2][r]);
      }
      System.out.printf(Locale.ROOT, "%,d blocks, %d rounds after 2 warm-up passes, %d CPUs,"
          + " load average %.1f at the end; median (range):%n", made[1], rounds,
          os.getAvailableProcessors(), os.getSystemLoadAverage());
      System.out.printf(Locale.ROOT, "  %-55s %9s  %-21s %s%n", "", "blocks/s", "",
          "blocks per CPU-second: whole JVM / all but the NameNode's RPC threads");
      for (int m = 0; m < 3; m++) {
        System.out.printf(Locale.ROOT, "  %-55s %,9.0f  %-21s %,9.0f / %,9.0f%n", names[m],
            median(rates[m]), String.format(Locale.ROOT, "(%,.0f .. %,.0f)", min(rates[m]),
                max(rates[m])), median(perCpu[m]), median(perClientCpu[m]));
      }
    } finally {
      heartbeats.shutdownNow();
      cluster.shutdown(true);
    }
  }

  private static List<FakeDataNode> register(NamenodeProtocols nn, String bpid)
      throws IOException {
    NamespaceInfo ns = nn.versionRequest();
    List<FakeDataNode> out = new ArrayList<>();
    String[] racks = MiniZonedCluster.REFERENCE_RACKS;
    for (int i = 0; i < racks.length; i++) {
      String host = "standin-" + i;
      String ip = "127.0.10." + (i + 1);
      StaticMapping.addNodeToRack(host, racks[i]);
      StaticMapping.addNodeToRack(ip, racks[i]);
      DatanodeRegistration reg = new DatanodeRegistration(
          new DatanodeID(ip, host, "standin-uuid-" + i, 9866, 9864, 9865, 9867),
          new DataStorage(ns), new ExportedBlockKeys(), VersionInfo.getVersion());
      reg = nn.registerDatanode(reg);
      reg.setNamespaceInfo(ns);
      DatanodeStorage storage = new DatanodeStorage("standin-storage-" + i);
      FakeDataNode d = new FakeDataNode(reg, storage);
      heartbeat(nn, d);
      nn.blockReport(reg, bpid, new StorageBlockReport[] {
          new StorageBlockReport(storage, BlockListAsLongs.EMPTY)},
          new BlockReportContext(1, 0, System.nanoTime(), 0L));
      out.add(d);
    }
    return out;
  }

  private static void heartbeat(NamenodeProtocols nn, FakeDataNode d) throws IOException {
    nn.sendHeartbeat(d.reg, new StorageReport[] {
        new StorageReport(d.storage, false, CAPACITY, 0, CAPACITY, 0, 0)},
        0L, 0L, 0, 0, 0, null, true, SlowPeerReports.EMPTY_REPORT,
        SlowDiskReports.EMPTY_REPORT);
  }

  /** Returns {files, blocks, directories}. */
  private static int[] create(NamenodeProtocols nn, FSNamesystem fsn, List<FakeDataNode> dns,
      int blocks) throws Exception {
    String client = "zone-audit-benchmark";
    Map<String, FakeDataNode> byUuid = new HashMap<>();
    for (FakeDataNode d : dns) {
      byUuid.put(d.reg.getDatanodeUuid(), d);
    }
    int files = 0;
    int made = 0;
    int dirs = 0;
    String dir = null;
    while (made < blocks) {
      if (files % FILES_PER_DIR == 0) {
        dir = String.format(Locale.ROOT, "/bench/d%04d", dirs++);
        nn.mkdirs(dir, FsPermission.getDirDefault(), true);
      }
      String src = dir + "/f" + files;
      int n = Math.min(1 + files % 4, blocks - made);
      long fileId = nn.create(src, FsPermission.getFileDefault(), client,
          new EnumSetWritable<>(EnumSet.of(CreateFlag.CREATE)), true, (short) 3, 1024 * 1024,
          CryptoProtocolVersion.supported(), null, null).getFileId();
      ExtendedBlock prev = null;
      for (int b = 0; b < n; b++) {
        LocatedBlock lb = addBlock(nn, src, client, prev, fileId);
        ExtendedBlock blk = lb.getBlock();
        blk.setNumBytes(1024);
        for (DatanodeInfo target : lb.getLocations()) {
          FakeDataNode d = byUuid.get(target.getDatanodeUuid());
          // What the NameNode's block-op thread does with an incremental report, done at
          // once, so complete() and the next addBlock() never wait for it.
          fsn.processIncrementalBlockReport(d.reg,
              new StorageReceivedDeletedBlocks(d.storage, new ReceivedDeletedBlockInfo[] {
                  new ReceivedDeletedBlockInfo(blk.getLocalBlock(),
                      ReceivedDeletedBlockInfo.BlockStatus.RECEIVED_BLOCK, null)}));
        }
        prev = blk;
        made++;
      }
      for (int i = 0; !nn.complete(src, client, prev, fileId); i++) {
        if (i > 300) {
          throw new IOException("could not complete " + src);
        }
        Thread.sleep(10);
      }
      files++;
    }
    return new int[] {files, made, dirs};
  }

  private static LocatedBlock addBlock(NamenodeProtocols nn, String src, String client,
      ExtendedBlock prev, long fileId) throws Exception {
    for (int i = 0;; i++) {
      try {
        return nn.addBlock(src, client, prev, null, fileId, null, null);
      } catch (NotReplicatedYetException | RemoteException e) {
        if (e instanceof RemoteException && !((RemoteException) e).getClassName()
            .equals(NotReplicatedYetException.class.getName())) {
          throw e;
        }
        if (i > 300) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  private static void awaitAllReplicas(Configuration conf, int blocks) throws Exception {
    for (int i = 0; i < 600; i++) {
      long replicas = replicasSeen(conf);
      if (replicas == 3L * blocks) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("the NameNode did not record every replica");
  }

  private static long replicasSeen(Configuration conf) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ToolRunner.run(new Configuration(conf), new ZoneAudit(new PrintStream(out, true, "UTF-8"),
        System.err), new String[] {"--json", "--list", "0", "/bench"});
    String json = out.toString("UTF-8");
    int i = json.indexOf("\"replicas\":") + "\"replicas\":".length();
    int j = i;
    while (Character.isDigit(json.charAt(j))) {
      j++;
    }
    return Long.parseLong(json.substring(i, j));
  }

  /** Seconds for one audit of /bench (table output, discarded). */
  private static double audit(Configuration conf) throws Exception {
    PrintStream sink = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
      }

      @Override
      public void write(byte[] b, int off, int len) {
      }
    });
    long t = System.nanoTime();
    int rc = ToolRunner.run(new Configuration(conf), new ZoneAudit(sink, System.err),
        new String[] {"/bench"});
    if (rc == ZoneAudit.BAD_INPUT) {
      throw new IOException("audit failed");
    }
    return (System.nanoTime() - t) / 1e9;
  }

  /** Seconds for FileSystem.listFiles(/bench, recursive) touching every topology path. */
  private static double listFiles(DistributedFileSystem fs) throws IOException {
    long t = System.nanoTime();
    long paths = 0;
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(new Path("/bench"), true);
    while (it.hasNext()) {
      for (BlockLocation b : it.next().getBlockLocations()) {
        paths += b.getTopologyPaths().length;
      }
    }
    if (paths == 0) {
      throw new IOException("no locations");
    }
    return (System.nanoTime() - t) / 1e9;
  }

  /**
   * CPU nanoseconds used so far by the NameNode's RPC server threads (handlers, readers,
   * responder, listener), which live for the whole run; the rest of the JVM's CPU during an
   * audit is the client's (its lister threads die with each audit, so they cannot be read
   * one by one) and the garbage collector's.
   */
  private static long nameNodeRpcCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (ti == null) {
        continue;
      }
      String n = ti.getThreadName();
      if (n.startsWith("IPC Server handler") || n.startsWith("Socket Reader")
          || n.startsWith("IPC Server Responder") || n.startsWith("IPC Server listener")) {
        long t = mx.getThreadCpuTime(ti.getThreadId());
        if (t > 0) {
          sum += t;
        }
      }
    }
    return sum;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(0);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }
}
