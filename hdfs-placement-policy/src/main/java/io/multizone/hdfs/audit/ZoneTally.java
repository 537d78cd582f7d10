package io.multizone.hdfs.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.multizone.zone.ZoneResolver;

/**
 * Per-zone counts of one audit, fed block by block by the scanner: where replicas live, which
 * blocks and files span one zone, and what the loss of each zone would do (files unreadable,
 * blocks left with one replica, erasure-coded groups left below their data-unit count).
 *
 * <p>Zones are numbered as first seen; a location is mapped to its zone once. The per-block work
 * is a few array updates, so the scan is bounded by the listing RPCs, not by this class.
 * Not thread-safe.
 */
final class ZoneTally {

  private final ZoneResolver resolver;
  private final int listLimit;

  private final Map<String, Integer> zoneIdByLocation = new HashMap<>();
  private final Map<String, Integer> zoneIdByName = new HashMap<>();
  private final List<String> zoneNames = new ArrayList<>();
  private final List<Boolean> zoneLevel = new ArrayList<>();

  // Per zone, indexed by zone id.
  private long[] replicas = new long[4];
  private long[] blocksOnlyHere = new long[4];
  private long[] filesOnlyHere = new long[4];
  private long[] filesUnreadable = new long[4];
  private long[] leftWithOneReplica = new long[4];
  private long[] singleReplicaBlocksHere = new long[4];
  private long[] ecGroupsBelowData = new long[4];
  private long[] fileMark = new long[4];
  private List<List<String>> unreadablePaths = new ArrayList<>();

  // Totals.
  private long files;
  private long directories;
  private long blocks;
  private long ecGroups;
  private long totalReplicas;
  private long blocksInOneZone;
  private long filesInOneZone;
  private long blocksWithoutReplicas;
  private long ecGroupsBelowDataNow;
  private long filesWithLostBlocks;
  private final List<String> filesWithLostBlocksPaths = new ArrayList<>();
  private long singleReplicaBlocks;
  private long directoriesSkipped;
  private final List<String> skippedPaths = new ArrayList<>();

  // State of the file being tallied.
  private long fileSeq;
  private int fileZone;
  private boolean fileMultiZone;
  private boolean fileLost;
  private int[] marked = new int[4];
  private int markedCount;

  /**
   * @param resolver the shared zone model
   * @param listLimit paths kept per list (counts are always exact)
   */
  ZoneTally(ZoneResolver resolver, int listLimit) {
    this.resolver = resolver;
    this.listLimit = listLimit;
  }

  /**
   * The zone id of a DataNode's network location ({@code /zone-a/rack-1}). A location with no
   * zone level (a flat {@code /rack-1}, {@code /default-rack}) counts as a zone of its own,
   * named by the location, and is flagged in the report.
   */
  int zoneOf(String networkLocation) {
    Integer id = zoneIdByLocation.get(networkLocation);
    if (id != null) {
      return id;
    }
    String zone = resolver.zoneOf(networkLocation);
    boolean level = zone != null;
    if (!level) {
      zone = networkLocation == null ? "/default-rack" : ZoneResolver.normalize(networkLocation);
    }
    id = zoneIdByName.get(zone);
    if (id == null) {
      id = zoneNames.size();
      zoneNames.add(zone);
      zoneLevel.add(level);
      zoneIdByName.put(zone, id);
      grow(id + 1);
    }
    zoneIdByLocation.put(networkLocation, id);
    return id;
  }

  private void grow(int n) {
    if (n <= replicas.length) {
      while (unreadablePaths.size() < n) {
        unreadablePaths.add(new ArrayList<>());
      }
      return;
    }
    int len = Math.max(n, replicas.length * 2);
    replicas = Arrays.copyOf(replicas, len);
    blocksOnlyHere = Arrays.copyOf(blocksOnlyHere, len);
    filesOnlyHere = Arrays.copyOf(filesOnlyHere, len);
    filesUnreadable = Arrays.copyOf(filesUnreadable, len);
    leftWithOneReplica = Arrays.copyOf(leftWithOneReplica, len);
    singleReplicaBlocksHere = Arrays.copyOf(singleReplicaBlocksHere, len);
    ecGroupsBelowData = Arrays.copyOf(ecGroupsBelowData, len);
    fileMark = Arrays.copyOf(fileMark, len);
    marked = Arrays.copyOf(marked, len);
    grow(n);
  }

  void directory() {
    directories++;
  }

  /** A directory that could not be listed (permission denied, deleted during the scan). */
  void skipped(String path, String why) {
    directoriesSkipped++;
    if (skippedPaths.size() < listLimit) {
      skippedPaths.add(path + " (" + why + ")");
    }
  }

  void beginFile() {
    fileSeq++;
    fileZone = -1;
    fileMultiZone = false;
    fileLost = false;
    markedCount = 0;
  }

  private void noteFileZone(int zone) {
    if (fileZone < 0) {
      fileZone = zone;
    } else if (fileZone != zone) {
      fileMultiZone = true;
    }
  }

  private void markUnreadable(int zone) {
    if (fileMark[zone] != fileSeq) {
      fileMark[zone] = fileSeq;
      marked[markedCount++] = zone;
    }
  }

  /**
   * A block of a replicated file.
   *
   * @param zones the zone id of each replica; only the first {@code n} are read
   */
  void replicatedBlock(int[] zones, int n) {
    blocks++;
    totalReplicas += n;
    if (n == 0) {
      blocksWithoutReplicas++;
      fileLost = true;
      return;
    }
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      int z = zones[i];
      replicas[z]++;
      noteFileZone(z);
      boolean first = true;
      int inZone = 0;
      for (int j = 0; j < n; j++) {
        if (zones[j] == z) {
          if (j < i) {
            first = false;
            break;
          }
          inZone++;
        }
      }
      if (first) {
        distinct++;
        if (n - inZone == 1) {
          leftWithOneReplica[z]++;
        }
      }
    }
    if (distinct == 1) {
      blocksInOneZone++;
      blocksOnlyHere[zones[0]]++;
      markUnreadable(zones[0]);
    }
    if (n == 1) {
      singleReplicaBlocks++;
      singleReplicaBlocksHere[zones[0]]++;
    }
  }

  /**
   * A block group of an erasure-coded file.
   *
   * @param zones the zone id of each internal block's location
   * @param indices the internal block index of each location (same order)
   * @param n locations to read
   * @param required internal blocks needed to read the group: the data units it really
   *     uses (fewer than the policy's data units for a group shorter than one stripe)
   */
  void stripedGroup(int[] zones, byte[] indices, int n, int required) {
    ecGroups++;
    blocks++;
    totalReplicas += n;
    long all = 0;
    int distinctZones = 0;
    for (int i = 0; i < n; i++) {
      replicas[zones[i]]++;
      noteFileZone(zones[i]);
      all |= 1L << (indices[i] & 63);
    }
    if (n == 0) {
      blocksWithoutReplicas++;
    }
    if (Long.bitCount(all) < required) {
      ecGroupsBelowDataNow++;
      fileLost = true;
    }
    for (int i = 0; i < n; i++) {
      int z = zones[i];
      boolean first = true;
      for (int j = 0; j < i; j++) {
        if (zones[j] == z) {
          first = false;
          break;
        }
      }
      if (!first) {
        continue;
      }
      distinctZones++;
      long survivors = 0;
      for (int j = 0; j < n; j++) {
        if (zones[j] != z) {
          survivors |= 1L << (indices[j] & 63);
        }
      }
      if (Long.bitCount(survivors) < required && Long.bitCount(all) >= required) {
        ecGroupsBelowData[z]++;
        markUnreadable(z);
      }
    }
    if (distinctZones == 1) {
      blocksInOneZone++;
      blocksOnlyHere[zones[0]]++;
    }
  }

  /** Ends the current file; {@code path} is called only if the path must be listed. */
  void endFile(Supplier<String> path) {
    files++;
    String p = null;
    if (fileZone >= 0 && !fileMultiZone) {
      filesInOneZone++;
      filesOnlyHere[fileZone]++;
    }
    if (fileLost) {
      filesWithLostBlocks++;
      if (filesWithLostBlocksPaths.size() < listLimit) {
        p = path.get();
        filesWithLostBlocksPaths.add(p);
      }
    }
    for (int i = 0; i < markedCount; i++) {
      int z = marked[i];
      filesUnreadable[z]++;
      List<String> list = unreadablePaths.get(z);
      if (list.size() < listLimit) {
        if (p == null) {
          p = path.get();
        }
        list.add(p);
      }
    }
  }

  // ---- read-out, for the report ----

  int zoneCount() {
    return zoneNames.size();
  }

  /** Zone ids in name order. */
  Integer[] zonesByName() {
    Integer[] ids = new Integer[zoneNames.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    Arrays.sort(ids, (a, b) -> zoneNames.get(a).compareTo(zoneNames.get(b)));
    return ids;
  }

  String zoneName(int z) {
    return zoneNames.get(z);
  }

  boolean hasZoneLevel(int z) {
    return zoneLevel.get(z);
  }

  long replicas(int z) {
    return replicas[z];
  }

  long blocksOnlyIn(int z) {
    return blocksOnlyHere[z];
  }

  long filesOnlyIn(int z) {
    return filesOnlyHere[z];
  }

  long filesUnreadableIfLost(int z) {
    return filesUnreadable[z];
  }

  List<String> filesUnreadableIfLostList(int z) {
    return unreadablePaths.get(z);
  }

  /**
   * Replicated blocks left with exactly one replica if the zone died: blocks with one replica
   * outside it, including blocks of replication 1 stored in another zone.
   */
  long blocksLeftWithOneReplicaIfLost(int z) {
    return leftWithOneReplica[z] + singleReplicaBlocks - singleReplicaBlocksHere[z];
  }

  long ecGroupsBelowDataIfLost(int z) {
    return ecGroupsBelowData[z];
  }

  long files() {
    return files;
  }

  long directories() {
    return directories;
  }

  long blocks() {
    return blocks;
  }

  long ecGroups() {
    return ecGroups;
  }

  long totalReplicas() {
    return totalReplicas;
  }

  long blocksInOneZone() {
    return blocksInOneZone;
  }

  long filesInOneZone() {
    return filesInOneZone;
  }

  long blocksWithoutReplicas() {
    return blocksWithoutReplicas;
  }

  long ecGroupsBelowDataNow() {
    return ecGroupsBelowDataNow;
  }

  long filesWithLostBlocks() {
    return filesWithLostBlocks;
  }

  List<String> filesWithLostBlocksList() {
    return filesWithLostBlocksPaths;
  }

  long directoriesSkipped() {
    return directoriesSkipped;
  }

  List<String> skippedList() {
    return skippedPaths;
  }

  int listLimit() {
    return listLimit;
  }

  /**
   * At risk: some file would be unreadable if one zone died, some block lives in one zone
   * only, or some file has already lost a block.
   */
  boolean atRisk() {
    if (blocksInOneZone > 0 || filesWithLostBlocks > 0) {
      return true;
    }
    for (int z = 0; z < zoneNames.size(); z++) {
      if (filesUnreadable[z] > 0) {
        return true;
      }
    }
    return false;
  }
}
