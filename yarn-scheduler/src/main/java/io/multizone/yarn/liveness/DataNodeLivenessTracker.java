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
 * with the NameNode older than the configured threshold in several consecutive reports. That
 * is seconds, where the NameNode itself waits about 10.5 minutes before calling a DataNode
 * dead; out-of-service DataNodes (decommissioning, in maintenance) are never lost.
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

  /** What the tracker knows of one DataNode between reports. */
  private static final class State {
    /** Consecutive reports in which its last contact was older than the threshold. */
    int staleReports;
    /** Seen with a fresh contact at least once (a DataNode dead at first sight never was). */
    boolean seenFresh;
    boolean lost;
  }

  private final long lostAfterMs;
  private final int confirmReports;
  private final Map<String, State> states = new HashMap<>();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  /** RM time of the first report of the current run of disbelieved ones, -1 if none. */
  private long suspectSinceMs = -1;
  private long suspectReports;

  /**
   * A tracker that believes a single stale report (no hysteresis): for probes and tests.
   *
   * @param lostAfterMs last-contact age after which a DataNode is lost
   */
  public DataNodeLivenessTracker(long lostAfterMs) {
    this(lostAfterMs, 1);
  }

  /**
   * @param lostAfterMs last-contact age after which a DataNode is stale
   * @param confirmReports consecutive reports in which a DataNode must be stale before it is
   *     lost (at least 1)
   */
  public DataNodeLivenessTracker(long lostAfterMs, int confirmReports) {
    this.lostAfterMs = lostAfterMs;
    this.confirmReports = Math.max(1, confirmReports);
  }

  /**
   * Takes a new report and returns what changed.
   *
   * <p>A DataNode is lost once its last contact was older than the threshold in
   * {@code confirmReports} consecutive reports; any fresher contact resets the count. A
   * DataNode that is decommissioning, decommissioned, entering or in maintenance is never
   * lost: an administrator took it out and HDFS keeps its data readable elsewhere.
   *
   * <p>A DataNode's age is measured against the freshest last contact in the report when
   * that is older than {@code nowMs}: an RM clock ahead of the NameNode's, or a NameNode that
   * paused and has not heard from anyone yet, then does not age every DataNode at once. The
   * flip side: a DataNode is only seen stale relative to others, so with a single DataNode
   * (or when all stop together) nothing is detected.
   *
   * <p>A report in which more than half of the DataNodes seen live before, and more than one,
   * would turn lost at once is not believed (a NameNode that just resumed from a pause and
   * heard from few DataNodes yet looks like that): one WARN, counted in
   * {@link #getSuspectReports}; those DataNodes stay live while the rest of the report is
   * applied. If the same picture holds for the threshold's length it is believed (a NameNode
   * hears from every live DataNode within a heartbeat of resuming). DataNodes already stale
   * when first seen (at start, after {@link #reset}, or new in the report) never count
   * towards that guard: they are simply lost once confirmed.
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
    Map<String, State> next = new HashMap<>();
    List<Transition> changes = new ArrayList<>();
    List<Transition> guarded = new ArrayList<>();
    List<State> guardedStates = new ArrayList<>();
    int liveBefore = 0;
    for (DataNodeStatus d : report) {
      State before = states.get(d.getId());
      State st = new State();
      if (before != null) {
        st.staleReports = before.staleReports;
        st.seenFresh = before.seenFresh;
        st.lost = before.lost;
        if (before.seenFresh && !before.lost && !d.isOutOfService()) {
          liveBefore++;
        }
      }
      next.put(d.getId(), st);
      long age = ref - d.getLastContactMs();
      if (d.isOutOfService() || age <= lostAfterMs) {
        st.staleReports = 0;
        st.seenFresh |= !d.isOutOfService();
        if (st.lost) {
          st.lost = false;
          changes.add(new Transition(d, false, 0));
        }
        continue;
      }
      st.staleReports++;
      if (st.lost || st.staleReports < confirmReports) {
        continue;
      }
      Transition loss = new Transition(d, true, Math.max(age, 0));
      if (st.seenFresh) {
        guarded.add(loss);
        guardedStates.add(st);
      } else {
        st.lost = true;
        changes.add(loss);
      }
    }
    int newlyLost = guarded.size();
    if (newlyLost > 1 && 2 * newlyLost > liveBefore) {
      suspectReports++;
      if (suspectSinceMs < 0) {
        suspectSinceMs = nowMs;
        LOG.warn("DataNode report not believed: {} of {} live DataNodes would be lost at once "
            + "(NameNode pause or clock trouble?); they stay live unless this lasts {} ms",
            newlyLost, liveBefore, lostAfterMs);
        guarded.clear();
      } else if (nowMs - suspectSinceMs < lostAfterMs) {
        guarded.clear();
      } else {
        LOG.warn("{} of {} live DataNodes still without contact after {} ms of reports not "
            + "believed: taking them as lost", newlyLost, liveBefore, nowMs - suspectSinceMs);
        suspectSinceMs = -1;
      }
    } else if (suspectSinceMs >= 0) {
      LOG.info("DataNode report plausible again");
      suspectSinceMs = -1;
    }
    if (!guarded.isEmpty()) {
      for (State st : guardedStates) {
        st.lost = true;
      }
      changes.addAll(guarded);
    }
    // A DataNode that vanished from the report altogether (removed from the NameNode) stops
    // being tracked; its host then has no DataNode and is not lost either.
    states.clear();
    states.putAll(next);
    Map<String, Boolean> lostById = new HashMap<>();
    for (Map.Entry<String, State> e : next.entrySet()) {
      lostById.put(e.getKey(), e.getValue().lost);
    }
    snapshot = new Snapshot(new ArrayList<>(report), Collections.unmodifiableMap(lostById));
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
    states.clear();
    snapshot = Snapshot.EMPTY;
    suspectSinceMs = -1;
  }

  /** @return the view of the last report */
  public Snapshot snapshot() {
    return snapshot;
  }
}
