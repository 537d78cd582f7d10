package io.multizone.hdfs.audit;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.hadoop.hdfs.DFSClient;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.DirectoryListing;
import org.apache.hadoop.hdfs.protocol.ErasureCodingPolicy;
import org.apache.hadoop.hdfs.protocol.HdfsFileStatus;
import org.apache.hadoop.hdfs.protocol.HdfsLocatedFileStatus;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.protocol.LocatedBlocks;
import org.apache.hadoop.hdfs.protocol.LocatedStripedBlock;
import org.apache.hadoop.security.AccessControlException;

/**
 * Walks a namespace tree with the client listing that carries block locations
 * ({@link DFSClient#listPaths(String, byte[], boolean)} with {@code needLocation}): one RPC
 * returns a batch of files with every block's DataNodes and their network locations, so no
 * per-file {@code getBlockLocations} call and no conversion to {@code BlockLocation} strings
 * are needed. Any user who can list the tree can run it (no superuser call).
 *
 * <p>Measured (see the module README), the cost is the protobuf encoding of every replica's
 * DataNode on the NameNode and its decoding in the client, not the tally: so directories are
 * listed by a few threads at once (each directory's batches in order by one thread), which
 * overlaps the NameNode's encoding with the client's decoding, and one thread tallies.
 */
final class ZoneAuditScanner {

  /** Called now and then during a scan. */
  interface Progress {
    void update(ZoneTally tally);
  }

  /** One listing batch of one directory, or how listing it ended. */
  private static final class Batch {
    final String dir;
    final HdfsFileStatus[] entries;
    final boolean last;
    final String skipped;
    final IOException error;

    Batch(String dir, HdfsFileStatus[] entries, boolean last, String skipped,
        IOException error) {
      this.dir = dir;
      this.entries = entries;
      this.last = last;
      this.skipped = skipped;
      this.error = error;
    }
  }

  private static final HdfsFileStatus[] NONE = new HdfsFileStatus[0];

  private final DFSClient client;
  private final ZoneTally tally;
  private final Progress progress;
  private final int threads;
  private int[] zoneBuf = new int[16];
  private byte[] indexBuf = new byte[16];

  /**
   * @param threads directories listed at once (the NameNode serves them in parallel)
   */
  ZoneAuditScanner(DFSClient client, ZoneTally tally, Progress progress, int threads) {
    this.client = client;
    this.tally = tally;
    this.progress = progress;
    this.threads = threads;
  }

  /**
   * Scans {@code root} (a directory, recursively, or one file), whose status was already
   * fetched. Directories that vanish or cannot be read during the scan are counted as
   * skipped; other errors propagate.
   */
  void scan(String root, HdfsFileStatus rootStatus) throws IOException {
    if (!rootStatus.isDirectory()) {
      if (!rootStatus.isSymlink()) {
        // Re-read the one file with its locations.
        DirectoryListing l = client.listPaths(root, HdfsFileStatus.EMPTY_NAME, true);
        if (l != null && l.getPartialListing().length == 1) {
          file(root, null, l.getPartialListing()[0]);
        }
      }
      return;
    }
    BlockingQueue<Batch> results = new ArrayBlockingQueue<>(16 * threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "zone-audit lister");
      t.setDaemon(true);
      return t;
    });
    try {
      long pending = 1;
      tally.directory();
      pool.execute(() -> list(root, results));
      while (pending > 0) {
        Batch b;
        try {
          b = results.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("zone-audit interrupted");
        }
        if (b.error != null) {
          throw b.error;
        }
        if (b.skipped != null) {
          tally.skipped(b.dir, b.skipped);
        }
        for (HdfsFileStatus st : b.entries) {
          if (st.isDirectory()) {
            String sub = st.getFullName(b.dir);
            pending++;
            tally.directory();
            pool.execute(() -> list(sub, results));
          } else if (!st.isSymlink()) {
            file(null, b.dir, st);
          }
        }
        if (b.last) {
          pending--;
        }
        progress.update(tally);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Lists one directory, batch by batch, into {@code results} (runs on a lister thread). */
  private void list(String dir, BlockingQueue<Batch> results) {
    byte[] after = HdfsFileStatus.EMPTY_NAME;
    try {
      while (true) {
        Batch b;
        try {
          DirectoryListing listing = client.listPaths(dir, after, true);
          if (listing == null) {
            b = new Batch(dir, NONE, true, "deleted during the scan", null);
          } else {
            boolean last = !listing.hasMore();
            b = new Batch(dir, listing.getPartialListing(), last, null, null);
            after = listing.getLastName();
          }
        } catch (FileNotFoundException e) {
          b = new Batch(dir, NONE, true, "deleted during the scan", null);
        } catch (AccessControlException e) {
          b = new Batch(dir, NONE, true, "permission denied", null);
        } catch (IOException e) {
          b = new Batch(dir, NONE, true, null, e);
        }
        results.put(b);
        if (b.last) {
          return;
        }
      }
    } catch (InterruptedException e) {
      // The scan ended (an error elsewhere): stop quietly.
      Thread.currentThread().interrupt();
    }
  }

  private void file(String fullPath, String parent, HdfsFileStatus st) {
    tally.beginFile();
    LocatedBlocks lbs = st instanceof HdfsLocatedFileStatus
        ? ((HdfsLocatedFileStatus) st).getLocatedBlocks() : null;
    if (lbs != null) {
      ErasureCodingPolicy ec = st.getErasureCodingPolicy();
      List<LocatedBlock> list = lbs.getLocatedBlocks();
      for (int b = 0, nb = list.size(); b < nb; b++) {
        block(list.get(b), ec);
      }
    }
    tally.endFile(() -> fullPath != null ? fullPath : st.getFullName(parent));
  }

  private void block(LocatedBlock lb, ErasureCodingPolicy ec) {
    DatanodeInfo[] locs = lb.getLocations();
    int n = locs.length;
    if (zoneBuf.length < n) {
      zoneBuf = new int[n * 2];
      indexBuf = new byte[n * 2];
    }
    for (int i = 0; i < n; i++) {
      zoneBuf[i] = tally.zoneOf(locs[i].getNetworkLocation());
    }
    if (lb.isStriped() && ec != null) {
      byte[] idx = ((LocatedStripedBlock) lb).getBlockIndices();
      System.arraycopy(idx, 0, indexBuf, 0, Math.min(n, idx.length));
      tally.stripedGroup(zoneBuf, indexBuf, Math.min(n, idx.length), required(lb, ec));
    } else {
      tally.replicatedBlock(zoneBuf, n);
    }
  }

  /**
   * Internal blocks needed to read a group: its data blocks that hold data (a group shorter
   * than one full stripe has fewer than the policy's data units; the missing ones are zeros).
   */
  static int required(LocatedBlock group, ErasureCodingPolicy ec) {
    long bytes = group.getBlockSize();
    int cell = ec.getCellSize();
    int data = ec.getNumDataUnits();
    if (bytes <= 0 || cell <= 0) {
      return data;
    }
    return (int) Math.min(data, (bytes - 1) / cell + 1);
  }
}
