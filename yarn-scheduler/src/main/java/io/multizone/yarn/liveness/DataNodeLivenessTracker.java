package io.multizone.yarn.liveness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows successive DataNode reports and decides which DataNodes are lost: last contact
 * with the NameNode older than the configured threshold, or taken out of service. That is
 * seconds, where the NameNode itself waits about 10.5 minutes before calling a DataNode dead.
 *
 * <p>Not thread-safe: one monitor thread calls {@link #update}. Readers use the immutable
 * {@link Snapshot} it publishes.
 */
public final class DataNodeLivenessTracker {
  private static final Logger LOG = LoggerFactory.getLogger(DataNodeLivenessTracker.class);

  /** A change of one DataNode between two reports. */
  public static final class Transition {
    private final DataNodeStatus dataNode;
    private final boolean lost;
    private final long detectionDelayMs;

    Transition(DataNodeStatus dataNode, boolean lost, long detectionDelayMs) {
      this.dataNode = dataNode;
      this.lost = lost;
      this.detectionDelayMs = detectionDelayMs;
    }

    /** @return the DataNode */
    public DataNodeStatus getDataNode() {
      return dataNode;
    }

    /** @return true for a loss, false for a recovery */
    public boolean isLost() {
      return lost;
    }

    /** @return for a loss, ms between its last contact and this detection */
    public long getDetectionDelayMs() {
      return detectionDelayMs;
    }

    @Override
    public String toString() {
      return (lost ? "lost " : "back ") + dataNode;
    }
  }

  /** Immutable view of one report: which DataNodes are lost, and host matching. */
  public static final class Snapshot {
    static final Snapshot EMPTY = new Snapshot(Collections.<DataNodeStatus>emptyList(),
        Collections.<String, Boolean>emptyMap());
    private final HostMatcher matcher;
    private final Map<String, Boolean> lostById;

    Snapshot(List<DataNodeStatus> all, Map<String, Boolean> lostById) {
      this.matcher = new HostMatcher(all);
      this.lostById = lostById;
    }

    /**
     * @param host NodeManager host (name, IP or host:port)
     * @return true when the host has DataNodes and every one of them is lost; a host with no
     *     DataNode (compute-only) is never lost
     */
    public boolean isHostLost(String host) {
      List<DataNodeStatus> dns = matcher.match(host);
      if (dns.isEmpty()) {
        return false;
      }
      for (DataNodeStatus d : dns) {
        if (!Boolean.TRUE.equals(lostById.get(d.getId()))) {
          return false;
        }
      }
      return true;
    }

    /** @return ids ({@code ip:port}) of the lost DataNodes */
    public List<String> lostIds() {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, Boolean> e : lostById.entrySet()) {
        if (e.getValue()) {
          out.add(e.getKey());
        }
      }
      Collections.sort(out);
      return out;
    }
  }

  private final long lostAfterMs;
  private final Map<String, Boolean> lostById = new HashMap<>();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private boolean suspect;
  private long suspectReports;

  /** @param lostAfterMs last-contact age after which a DataNode is lost */
  public DataNodeLivenessTracker(long lostAfterMs) {
    this.lostAfterMs = lostAfterMs;
  }

  /**
   * Takes a new report and returns what changed.
   *
   * <p>A DataNode's age is measured against the freshest last contact in the report when
   * that is older than {@code nowMs}: an RM clock ahead of the NameNode's, or a NameNode that
   * paused and has not heard from anyone yet, then does not age every DataNode at once. The
   * flip side: a DataNode is only seen stale relative to others, so with a single DataNode
   * (or when all stop together) only out-of-service is detected.
   *
   * <p>A report in which more than half of the DataNodes, and more than one, would turn lost
   * by age is not believed (a NameNode that just resumed from a pause and heard from few
   * DataNodes yet looks like that): it is logged at WARN once, counted in
   * {@link #getSuspectReports}, and changes nothing. Out-of-service DataNodes do not count.
   *
   * @param report every DataNode the NameNode knows
   * @param nowMs current wall-clock time
   * @return losses and recoveries since the previous report
   */
  public List<Transition> update(List<DataNodeStatus> report, long nowMs) {
    long ref = nowMs;
    if (!report.isEmpty()) {
      long freshest = Long.MIN_VALUE;
      for (DataNodeStatus d : report) {
        freshest = Math.max(freshest, d.getLastContactMs());
      }
      ref = Math.min(nowMs, freshest);
    }
    List<Transition> changes = new ArrayList<>();
    Map<String, Boolean> next = new HashMap<>();
    int newlyStale = 0;
    for (DataNodeStatus d : report) {
      long age = ref - d.getLastContactMs();
      boolean lost = d.isOutOfService() || age > lostAfterMs;
      next.put(d.getId(), lost);
      Boolean before = lostById.get(d.getId());
      if (lost && !Boolean.TRUE.equals(before)) {
        changes.add(new Transition(d, true, Math.max(age, 0)));
        if (!d.isOutOfService()) {
          newlyStale++;
        }
      } else if (!lost && Boolean.TRUE.equals(before)) {
        changes.add(new Transition(d, false, 0));
      }
    }
    if (newlyStale > 1 && 2 * newlyStale > report.size()) {
      suspectReports++;
      if (!suspect) {
        LOG.warn("DataNode report not believed: {} of {} DataNodes would be lost at once "
            + "(NameNode pause or clock trouble?); keeping the previous state until a report "
            + "looks plausible", newlyStale, report.size());
        suspect = true;
      }
      return Collections.emptyList();
    }
    if (suspect) {
      LOG.info("DataNode report plausible again");
      suspect = false;
    }
    // A DataNode that vanished from the report altogether (removed from the NameNode) stops
    // being tracked; its host then has no DataNode and is not lost either.
    lostById.clear();
    lostById.putAll(next);
    snapshot = new Snapshot(new ArrayList<>(report), Collections.unmodifiableMap(next));
    if (!changes.isEmpty()) {
      LOG.debug("DataNode changes: {}", changes);
    }
    return changes;
  }

  /** @return reports not believed because too many DataNodes would be lost at once */
  public long getSuspectReports() {
    return suspectReports;
  }

  /** Forgets every DataNode (NameNode unreachable: fall back to stock behaviour). */
  public void reset() {
    lostById.clear();
    snapshot = Snapshot.EMPTY;
    suspect = false;
  }

  /** @return the view of the last report */
  public Snapshot snapshot() {
    return snapshot;
  }
}
