package io.multizone.hdfs.respread;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.demo.MiniZonedCluster;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.ExtendedBlock;
import org.apache.hadoop.hdfs.protocol.HdfsFileStatus;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.datanode.SimulatedFSDataset;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.server.namenode.FSNamesystem;
import org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException;
import org.apache.hadoop.hdfs.server.protocol.DatanodeRegistration;
import org.apache.hadoop.hdfs.server.protocol.DatanodeStorage;
import org.apache.hadoop.hdfs.server.protocol.NamenodeProtocols;
import org.apache.hadoop.hdfs.server.protocol.ReceivedDeletedBlockInfo;
import org.apache.hadoop.hdfs.server.protocol.StorageReceivedDeletedBlocks;
import org.apache.hadoop.io.EnumSetWritable;

/**
 * NameNode RPC latency while the re-spread plugin rescans every block, against the same
 * NameNode with no rescan, in one run. A MiniDFSCluster (6 simulated DataNodes over 3 zones,
 * our policy) is filled with {@code blocks} blocks of 1 KB in 100-block files, replication 3
 * (see {@link #build} for how).
 * Two client threads probe the NameNode without pause: {@code getFileInfo} of a random file
 * (read lock) and create + close of an empty file (two write-lock RPCs). For each setting of
 * (blocks per chunk, pause) a plugin is started on the NameNode and each round measures a
 * window without a scan, then a window during one full rescan (started with
 * {@link ZoneRespreadPlugin#requestScan}, the same scan a returning zone starts); round 0 is a
 * warm-up. Prints median and p99 of each probe in both windows and the scan time.
 *
 * <p>Usage: {@code RespreadBenchmark [blocks] [rounds] [chunk:pauseMs,...] [idleMs]}
 * (defaults 100000, 5, {@code 1000:5,5000:20,20000:0,100000000:0}, 3000).
 */
public final class RespreadBenchmark {

  private static final String[] RACKS = {
      "/zone-a/rack-1", "/zone-a/rack-2", "/zone-b/rack-1", "/zone-b/rack-2",
      "/zone-c/rack-1", "/zone-c/rack-2"};
  private static final int BLOCK = 1024;
  private static final int BLOCKS_PER_FILE = 100;
  private static final int WRITERS = 4;

  /** Latency samples of one probe: (end time, latency) in nanoseconds. */
  private static final class Samples {
    private long[] at = new long[1 << 16];
    private long[] lat = new long[1 << 16];
    private int n;

    synchronized void add(long end, long latency) {
      if (n == at.length) {
        at = Arrays.copyOf(at, n * 2);
        lat = Arrays.copyOf(lat, n * 2);
      }
      at[n] = end;
      lat[n] = latency;
      n++;
    }

    synchronized long[] between(long from, long to) {
      long[] out = new long[n];
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (at[i] >= from && at[i] < to) {
          out[k++] = lat[i];
        }
      }
      return Arrays.copyOf(out, k);
    }
  }

  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String settings = args.length > 2 ? args[2] : "1000:5,5000:20,20000:0,100000000:0";
    long idleMs = args.length > 3 ? Long.parseLong(args[3]) : 3000;
    File dir = new File("target/respread-benchmark");
    FileUtil.fullyDelete(dir);

    Configuration conf = MiniZonedCluster.conf(BlockPlacementPolicyWithZones.CLASS_NAME);
    conf.setLong(DFSConfigKeys.DFS_BLOCK_SIZE_KEY, BLOCK);
    // Building the namespace: addBlock moves on while the previous blocks' reports are still
    // queued for the NameNode's block-report thread.
    conf.setInt(DFSConfigKeys.DFS_NAMENODE_FILE_CLOSE_NUM_COMMITTED_ALLOWED_KEY, 20);
    SimulatedFSDataset.setFactory(conf);
    try (MiniZonedCluster c = MiniZonedCluster.start(conf, dir, RACKS)) {
      FSNamesystem fsn = c.cluster.getNamesystem();
      List<Path> files = build(c, blocks);
      long t = System.nanoTime();
      while (fsn.getUnderReplicatedBlocks() > 0 || fsn.getPendingReplicationBlocks() > 0) {
        Thread.sleep(200);
      }
      System.out.printf(Locale.ROOT, "namespace: %d files, %d blocks, replication 3;"
          + " redundancy settled %.1f s later%n", files.size(), fsn.getBlocksTotal(),
          (System.nanoTime() - t) / 1e9);

      Samples info = new Samples();
      Samples create = new Samples();
      List<Thread> probes = startProbes(c, files, info, create);
      ZonePlacementMetrics m = ZonePlacementMetrics.get();
      System.out.println("setting (blocks per chunk : pause ms) | scan ms (median, min-max)"
          + " | getFileInfo ms median / p99 idle -> scan | create+close ms median / p99"
          + " idle -> scan");
      for (String s : settings.split(",")) {
        String[] kv = s.split(":");
        Configuration pc = new Configuration(conf);
        pc.set(ZonePlacementConfig.RESPREAD_BLOCKS_PER_CHUNK_KEY, kv[0]);
        pc.set(ZonePlacementConfig.RESPREAD_CHUNK_PAUSE_MS_KEY, kv[1]);
        pc.setLong(ZonePlacementConfig.RESPREAD_POLL_INTERVAL_MS_KEY, 20);
        pc.setLong(ZonePlacementConfig.RESPREAD_SETTLE_MS_KEY, 0);
        ZoneRespreadPlugin plugin = new ZoneRespreadPlugin();
        plugin.setConf(pc);
        plugin.start(c.cluster.getNameNode());
        List<long[]> idleWindows = new ArrayList<>();
        List<long[]> scanWindows = new ArrayList<>();
        List<Long> scanMs = new ArrayList<>();
        long checked0 = 0;
        for (int r = 0; r <= rounds; r++) {
          if (r == 1) {
            checked0 = m.respreadBlocksChecked();
          }
          long i0 = System.nanoTime();
          Thread.sleep(idleMs);
          long i1 = System.nanoTime();
          long started = m.respreadScansStarted();
          long done = m.respreadScansCompleted();
          plugin.requestScan();
          while (m.respreadScansStarted() == started) {
            Thread.sleep(1);
          }
          long s0 = System.nanoTime();
          while (m.respreadScansCompleted() == done) {
            Thread.sleep(1);
          }
          long s1 = System.nanoTime();
          if (r > 0) {
            idleWindows.add(new long[] {i0, i1});
            scanWindows.add(new long[] {s0, s1});
            scanMs.add((s1 - s0) / 1_000_000);
          }
        }
        plugin.stop();
        List<Long> sorted = new ArrayList<>(scanMs);
        sorted.sort(null);
        System.out.printf(Locale.ROOT, "%s | %d (%d-%d), %d blocks/scan | %s -> %s | %s -> %s%n",
            s, sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1),
            (m.respreadBlocksChecked() - checked0) / rounds,
            stats(info, idleWindows), stats(info, scanWindows),
            stats(create, idleWindows), stats(create, scanWindows));
      }
      for (Thread p : probes) {
        p.interrupt();
      }
      for (Thread p : probes) {
        p.join(5000);
      }
    }
  }

  private static String stats(Samples s, List<long[]> windows) {
    long[] all = new long[0];
    for (long[] w : windows) {
      long[] part = s.between(w[0], w[1]);
      long[] merged = Arrays.copyOf(all, all.length + part.length);
      System.arraycopy(part, 0, merged, all.length, part.length);
      all = merged;
    }
    if (all.length == 0) {
      return "n/a";
    }
    Arrays.sort(all);
    long median = all[all.length / 2];
    long p99 = all[Math.max(0, (int) Math.ceil(all.length * 0.99) - 1)];
    return String.format(Locale.ROOT, "%.3f / %.3f (n=%d)", median / 1e6, p99 / 1e6,
        all.length);
  }

  /**
   * Files of 100 one-KB blocks until {@code blocks} are written, built the way Hadoop's
   * NNThroughputBenchmark builds its block-report namespace: the NameNode's own RPC methods
   * called in-process ({@code create}, {@code addBlock}, {@code complete}), each block's
   * replicas reported by the DataNodes the policy chose ({@code blockReceivedAndDeleted} with
   * their registrations), no data written. Writing 100,000 blocks through real pipelines ran
   * at 40-60 blocks/s on this shared 2-core machine (load 7-36), too slow to be practical.
   * The simulated DataNodes never hold these blocks: their next full block report (6 h by
   * default) would drop them, far beyond the run.
   */
  private static List<Path> build(MiniZonedCluster c, int blocks) throws Exception {
    int nFiles = (blocks + BLOCKS_PER_FILE - 1) / BLOCKS_PER_FILE;
    NamenodeProtocols rpc = c.cluster.getNameNodeRpc();
    String bpid = c.cluster.getNamesystem().getBlockPoolId();
    Map<String, DatanodeRegistration> regs = new HashMap<>();
    for (DataNode dn : c.cluster.getDataNodes()) {
      DatanodeRegistration reg = dn.getDNRegistrationForBP(bpid);
      regs.put(reg.getDatanodeUuid(), reg);
    }
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < nFiles; i++) {
      files.add(new Path("/data/d" + (i % 100) + "/f" + i));
    }
    AtomicLong next = new AtomicLong();
    long t0 = System.nanoTime();
    List<Thread> writers = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      final String client = "respread-benchmark-" + w;
      Thread t = new Thread(() -> {
        try {
          for (long i = next.getAndIncrement(); i < nFiles; i = next.getAndIncrement()) {
            String src = files.get((int) i).toUri().getPath();
            HdfsFileStatus st = rpc.create(src, FsPermission.getFileDefault(), client,
                new EnumSetWritable<>(EnumSet.of(CreateFlag.CREATE)), true, (short) 3, BLOCK,
                null, null, null);
            ExtendedBlock previous = null;
            for (int b = 0; b < BLOCKS_PER_FILE; b++) {
              LocatedBlock lb = addBlock(rpc, src, client, previous, st.getFileId());
              ExtendedBlock eb = lb.getBlock();
              eb.setNumBytes(BLOCK);
              DatanodeInfo[] locs = lb.getLocations();
              String[] storages = lb.getStorageIDs();
              for (int k = 0; k < locs.length; k++) {
                rpc.blockReceivedAndDeleted(regs.get(locs[k].getDatanodeUuid()), bpid,
                    new StorageReceivedDeletedBlocks[] {new StorageReceivedDeletedBlocks(
                        new DatanodeStorage(storages[k]), new ReceivedDeletedBlockInfo[] {
                            new ReceivedDeletedBlockInfo(eb.getLocalBlock(),
                                ReceivedDeletedBlockInfo.BlockStatus.RECEIVED_BLOCK, null)})});
              }
              previous = eb;
            }
            while (!rpc.complete(src, client, previous, st.getFileId())) {
              Thread.sleep(2);
            }
            if (i % 100 == 0) {
              System.out.printf(Locale.ROOT, "  %d blocks written, %.0f blocks/s%n",
                  i * BLOCKS_PER_FILE, i * BLOCKS_PER_FILE / ((System.nanoTime() - t0) / 1e9));
            }
          }
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      t.start();
      writers.add(t);
    }
    for (Thread t : writers) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    System.out.printf(Locale.ROOT, "built %d blocks in %.1f s%n",
        (long) nFiles * BLOCKS_PER_FILE, (System.nanoTime() - t0) / 1e9);
    return files;
  }

  /** addBlock, retried while the NameNode's block-report thread catches up (as a client). */
  private static LocatedBlock addBlock(NamenodeProtocols rpc, String src, String client,
      ExtendedBlock previous, long fileId) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        return rpc.addBlock(src, client, previous, null, fileId, null, null);
      } catch (NotReplicatedYetException e) {
        if (attempt > 1000) {
          throw e;
        }
        Thread.sleep(5);
      }
    }
  }

  private static List<Thread> startProbes(MiniZonedCluster c, List<Path> files, Samples info,
      Samples create) {
    List<Thread> out = new ArrayList<>();
    out.add(new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        Path p = files.get(ThreadLocalRandom.current().nextInt(files.size()));
        long t = System.nanoTime();
        try {
          c.fs.getFileStatus(p);
        } catch (Exception e) {
          return;
        }
        long e = System.nanoTime();
        info.add(e, e - t);
      }
    }, "probe-getFileInfo"));
    out.add(new Thread(() -> {
      long i = 0;
      while (!Thread.currentThread().isInterrupted()) {
        Path p = new Path("/probe/d" + (i % 100) + "/e" + i);
        i++;
        long t = System.nanoTime();
        try {
          c.fs.create(p, (short) 3).close();
        } catch (Exception e) {
          return;
        }
        long e = System.nanoTime();
        create.add(e, e - t);
      }
    }, "probe-create"));
    for (Thread t : out) {
      t.setDaemon(true);
      t.start();
    }
    return out;
  }
}
