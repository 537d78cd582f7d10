package io.multizone.yarn.requeue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.server.scheduler.SchedulerRequestKey;

/**
 * Remembers which containers were placed on a host for its local data.
 *
 * <p>The placement allocator sees a node-tier allocation before its container id exists, and
 * YARN drops a container's request once the AM pulls it, so the allocator records an
 * unmatched allocation per (node, attempt, scheduler key) and the requeue monitor, on its
 * next pass (about a second later), claims the newest running container of that attempt and
 * key on that node that is not claimed yet. Claims of finished containers are dropped.
 */
public final class LocalPlacementLedger {

  /** (attempt, scheduler key) pair. */
  public static final class Key {
    private final ApplicationAttemptId attempt;
    private final SchedulerRequestKey schedulerKey;

    /**
     * @param attempt application attempt
     * @param schedulerKey scheduler key (priority, allocation request id)
     */
    public Key(ApplicationAttemptId attempt, SchedulerRequestKey schedulerKey) {
      this.attempt = attempt;
      this.schedulerKey = schedulerKey;
    }

    /** @return the application attempt */
    public ApplicationAttemptId getAttempt() {
      return attempt;
    }

    /** @return the scheduler key */
    public SchedulerRequestKey getSchedulerKey() {
      return schedulerKey;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return attempt.equals(k.attempt) && schedulerKey.equals(k.schedulerKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(attempt, schedulerKey);
    }

    @Override
    public String toString() {
      return attempt + "/" + schedulerKey.getPriority() + "/"
          + schedulerKey.getAllocationRequestId();
    }
  }

  /** Unmatched node-tier allocations of one key on one node, with the time of the last. */
  private static final class Pending {
    private int count;
    private long lastMs;
  }

  private final Map<NodeId, Map<Key, Pending>> pending = new ConcurrentHashMap<>();
  private final Map<NodeId, Set<ContainerId>> claimed = new ConcurrentHashMap<>();

  /** Records one node-tier allocation of {@code key} on {@code node} (allocator side). */
  public void recordLocal(NodeId node, ApplicationAttemptId attempt,
      SchedulerRequestKey schedulerKey) {
    Pending p = pending.computeIfAbsent(node, n -> new ConcurrentHashMap<>())
        .computeIfAbsent(new Key(attempt, schedulerKey), k -> new Pending());
    synchronized (p) {
      p.count++;
      p.lastMs = System.currentTimeMillis();
    }
  }

  /**
   * Matches unmatched records of {@code node} to its running containers (monitor side).
   *
   * @param node the node
   * @param running running non-AM containers on the node, by key, any order
   * @param nowMs current time
   * @param settleMs records younger than this may still lack their container: keep them
   */
  public void match(NodeId node, Map<Key, List<ContainerId>> running, long nowMs,
      long settleMs) {
    Set<ContainerId> alive = new HashSet<>();
    for (List<ContainerId> l : running.values()) {
      alive.addAll(l);
    }
    Set<ContainerId> mine = claimed.get(node);
    if (mine != null) {
      mine.retainAll(alive);
    }
    Map<Key, Pending> byKey = pending.get(node);
    if (byKey == null) {
      return;
    }
    for (Map.Entry<Key, Pending> e : byKey.entrySet()) {
      Pending p = e.getValue();
      synchronized (p) {
        List<ContainerId> candidates = new ArrayList<>(
            running.getOrDefault(e.getKey(), Collections.<ContainerId>emptyList()));
        candidates.sort(Collections.reverseOrder());
        Set<ContainerId> set = claimed.computeIfAbsent(node,
            n -> ConcurrentHashMap.newKeySet());
        for (ContainerId c : candidates) {
          if (p.count == 0) {
            break;
          }
          if (set.add(c)) {
            p.count--;
          }
        }
        if (p.count > 0 && nowMs - p.lastMs >= settleMs) {
          p.count = 0; // its container is gone already
        }
        if (p.count == 0) {
          byKey.remove(e.getKey(), p);
        }
      }
    }
    if (byKey.isEmpty()) {
      pending.remove(node, byKey);
    }
  }

  /** @return containers on {@code node} placed there for its local data (snapshot) */
  public Set<ContainerId> localContainers(NodeId node) {
    Set<ContainerId> s = claimed.get(node);
    return s == null ? Collections.<ContainerId>emptySet() : new HashSet<>(s);
  }

  /** Forgets a container (requeued or finished). */
  public void forget(NodeId node, ContainerId id) {
    Set<ContainerId> s = claimed.get(node);
    if (s != null) {
      s.remove(id);
    }
  }

  /** @return the nodes with records or claims */
  public Set<NodeId> nodes() {
    Set<NodeId> out = new HashSet<>(pending.keySet());
    out.addAll(claimed.keySet());
    return out;
  }
}
