package io.multizone.hdfs.demo;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.io.IOUtils;
import org.apache.hadoop.util.Time;

/**
 * Writes a dataset on a 3-zone MiniDFSCluster with a given placement policy, loses one
 * whole zone, reads every file back byte-for-byte and times re-replication. The zone lost is
 * the one holding every replica of the most blocks (zone-a when none does), the worst case
 * for the policy under test.
 */
public final class ZoneLossExperiment {

  /** What one run measured. */
  public static final class Result {
    public String policy;
    public int files;
    public int blocks;
    public int blocksInOneZone;
    public String zoneLost;
    public int dataNodesLost;
    public int unreadableFiles;
    /** Millis from the zone loss until every surviving block had full replication; -1 if not. */
    public long msToFullReplication = -1;
    /** Blocks spanning fewer than 2 zones once re-replication finished. */
    public int blocksInOneZoneAfter;
  }

  private final String[] racks;
  private final int files;
  private final int maxBlocksPerFile;
  private final long seed;
  private final long replicationTimeoutMs;

  public ZoneLossExperiment(String[] racks, int files, int maxBlocksPerFile, long seed,
      long replicationTimeoutMs) {
    this.racks = racks;
    this.files = files;
    this.maxBlocksPerFile = maxBlocksPerFile;
    this.seed = seed;
    this.replicationTimeoutMs = replicationTimeoutMs;
  }

  /** Runs the experiment on a fresh cluster under {@code baseDir} and shuts it down. */
  public Result run(String policyClass, File baseDir) throws Exception {
    Result r = new Result();
    r.policy = policyClass.substring(policyClass.lastIndexOf('.') + 1);
    r.files = files;
    try (MiniZonedCluster c = MiniZonedCluster.start(MiniZonedCluster.conf(policyClass),
        baseDir, racks)) {
      Random random = new Random(seed);
      List<Path> paths = new ArrayList<>();
      List<byte[]> contents = new ArrayList<>();
      for (int i = 0; i < files; i++) {
        int len = MiniZonedCluster.BLOCK_SIZE * (1 + random.nextInt(maxBlocksPerFile))
            - random.nextInt(MiniZonedCluster.BLOCK_SIZE / 2);
        byte[] data = new byte[len];
        random.nextBytes(data);
        Path p = new Path("/dataset/file-" + i);
        try (FSDataOutputStream out = c.fs.create(p, (short) 3)) {
          out.write(data);
        }
        paths.add(p);
        contents.add(data);
      }
      for (Path p : paths) {
        r.blocks += c.blocks(p).size();
      }
      Map<String, Integer> single = c.singleZoneBlocks(paths);
      for (int n : single.values()) {
        r.blocksInOneZone += n;
      }
      r.zoneLost = "/zone-a";
      int worst = 0;
      for (Map.Entry<String, Integer> e : single.entrySet()) {
        if (e.getValue() > worst) {
          worst = e.getValue();
          r.zoneLost = e.getKey();
        }
      }

      r.dataNodesLost = c.loseZone(r.zoneLost);
      long lostAt = Time.monotonicNow();

      for (int i = 0; i < paths.size(); i++) {
        if (!readsBack(c, paths.get(i), contents.get(i))) {
          r.unreadableFiles++;
        }
      }

      long deadline = lostAt + replicationTimeoutMs;
      while (Time.monotonicNow() < deadline) {
        if (fullyReplicated(c, paths)) {
          r.msToFullReplication = Time.monotonicNow() - lostAt;
          break;
        }
        Thread.sleep(200);
      }
      for (Path p : paths) {
        for (LocatedBlock b : c.blocks(p)) {
          if (b.getLocations().length > 0 && MiniZonedCluster.zones(b).size() < 2) {
            r.blocksInOneZoneAfter++;
          }
        }
      }
    }
    return r;
  }

  private static boolean readsBack(MiniZonedCluster c, Path p, byte[] expected) {
    byte[] actual = new byte[expected.length];
    try (FSDataInputStream in = c.fs.open(p)) {
      IOUtils.readFully(in, actual, 0, actual.length);
      return in.read() == -1 && Arrays.equals(expected, actual);
    } catch (IOException | RuntimeException e) {
      // Hadoop 3.5.0's striped reader throws a NullPointerException, not an IOException,
      // when a group cannot be decoded: either way the file is unreadable.
      return false;
    }
  }

  /** Every block that still has a live replica has all three again. */
  private static boolean fullyReplicated(MiniZonedCluster c, List<Path> paths)
      throws IOException {
    for (Path p : paths) {
      for (LocatedBlock b : c.blocks(p)) {
        int live = b.getLocations().length;
        if (live > 0 && live < 3) {
          return false;
        }
      }
    }
    return true;
  }
}
