package io.multizone.hdfs.audit;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

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
 */
final class ZoneAuditScanner {

  /** Called now and then during a scan. */
  interface Progress {
    void update(ZoneTally tally);
  }

  private final DFSClient client;
  private final ZoneTally tally;
  private final Progress progress;
  private int[] zoneBuf = new int[16];
  private byte[] indexBuf = new byte[16];

  ZoneAuditScanner(DFSClient client, ZoneTally tally, Progress progress) {
    this.client = client;
    this.tally = tally;
    this.progress = progress;
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
    Deque<String> dirs = new ArrayDeque<>();
    dirs.push(root);
    while (!dirs.isEmpty()) {
      String dir = dirs.pop();
      tally.directory();
      byte[] after = HdfsFileStatus.EMPTY_NAME;
      while (true) {
        DirectoryListing listing;
        try {
          listing = client.listPaths(dir, after, true);
        } catch (FileNotFoundException e) {
          tally.skipped(dir, "deleted during the scan");
          break;
        } catch (AccessControlException e) {
          tally.skipped(dir, "permission denied");
          break;
        }
        if (listing == null) {
          tally.skipped(dir, "deleted during the scan");
          break;
        }
        for (HdfsFileStatus st : listing.getPartialListing()) {
          if (st.isDirectory()) {
            dirs.push(st.getFullName(dir));
          } else if (!st.isSymlink()) {
            file(null, dir, st);
          }
        }
        progress.update(tally);
        if (!listing.hasMore()) {
          break;
        }
        after = listing.getLastName();
      }
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
