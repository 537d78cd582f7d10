package io.multizone.yarn.requeue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.server.scheduler.SchedulerRequestKey;

/**
 * Remembers which containers were placed on a host for its local data.
 *
 * <p>The placement allocator sees a node-tier allocation without its container id, and
 * YARN drops a container's request once the AM pulls it, so the allocator records an
 * unmatched allocation per (node, attempt, scheduler key) and the requeue monitor, on its
 * next pass (about a second later), claims a running container of that attempt and key on
 * that node that is not claimed yet: the oldest one created since the allocation (a
 * container is created shortly before its allocation is recorded, so a much older one is not
 * this allocation's). Oldest first, because that is where the application puts its local-data
 * task when one heartbeat brings it several containers on the node: MapReduce's AM walks
 * the allocated list in order and gives each container a task whose split names its host
 * while it has one, so node-local, node-local, then off-switch on one host run local,
 * local, remote (seen in the lab: claiming the newest requeued a task whose data was
 * elsewhere and left a local-data one). Claims of finished containers are dropped.
 *
 * <p>Records are kept only while a monitor drains them ({@link #setRecording}); a record
 * older than the settle time is dropped, so the ledger stays bounded by the allocations of
 * the last few seconds whatever the monitor does. A node's records are changed only inside
 * {@link ConcurrentHashMap#compute} on that node, so a record cannot land in a map that
 * {@link #match} has just removed.
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

  /**
   * A container is created at most this long before its allocation is recorded: the
   * CapacityScheduler creates it when it proposes the allocation and records it when the
   * proposal is committed, which with asynchronous scheduling waits for the scheduler's lock
   * (and a GC pause may fall in between). An older container of the same request on the node
   * is then taken for this allocation's only if it came within this margin.
   */
  static final long CREATED_BEFORE_RECORD_MS = 1000;

  /**
   * Unmatched node-tier allocations of one key on one node: the time of the last, and the
   * creation clock's time at the first.
   */
  private static final class Pending {
    private int count;
    private long firstCreatedMs;
    private long lastMs;
  }

  /** Clock of {@link #recordLocal}; tests move it. */
  static volatile LongSupplier clock = System::currentTimeMillis;
  /**
   * The clock containers' creation times are read on (the RM's wall clock), for the time of
   * a record's first allocation; tests of the ledger alone move it with {@link #clock}.
   */
  static volatile LongSupplier creationClock = System::currentTimeMillis;

  private final long settleMs;
  /** node -> key -> pending; a node's map is only touched inside compute() on its node. */
  private final ConcurrentHashMap<NodeId, Map<Key, Pending>> pending =
      new ConcurrentHashMap<>();
  /** node -> claimed containers; monitor thread only, no empty sets. */
  private final ConcurrentHashMap<NodeId, Set<ContainerId>> claimed = new ConcurrentHashMap<>();
  private volatile boolean recording;
  private final AtomicLong lastSweepMs = new AtomicLong();

  /**
   * @param settleMs a record not matched to a container within this time is dropped (its
   *     container is gone, or nobody matches records)
   */
  public LocalPlacementLedger(long settleMs) {
    this.settleMs = settleMs;
  }

  /**
   * Turns recording on while a monitor with a working report source drains the ledger, off
   * (and forgets everything) otherwise: with nobody matching, records would only pile up.
   *
   * @param on whether {@link #recordLocal} keeps records
   */
  public void setRecording(boolean on) {
    recording = on;
    if (!on) {
      pending.clear();
      claimed.clear();
    }
  }

  /** @return whether records are kept */
  public boolean isRecording() {
    return recording;
  }

  /**
   * Records one node-tier allocation of {@code key} on {@code node} (allocator side). A no-op
   * unless recording; records older than the settle time are dropped on the way, so the
   * ledger stays bounded even if the monitor stops matching.
   */
  public void recordLocal(NodeId node, ApplicationAttemptId attempt,
      SchedulerRequestKey schedulerKey) {
    if (!recording) {
      return;
    }
    long now = clock.getAsLong();
    long created = creationClock.getAsLong();
    Key key = new Key(attempt, schedulerKey);
    pending.compute(node, (n, byKey) -> {
      Map<Key, Pending> m = byKey == null ? new HashMap<>() : byKey;
      expire(m, now);
      Pending p = m.computeIfAbsent(key, k -> new Pending());
      if (p.count == 0) {
        p.firstCreatedMs = created;
      }
      p.count++;
      p.lastMs = now;
      return m;
    });
    long last = lastSweepMs.get();
    if (now - last >= settleMs && lastSweepMs.compareAndSet(last, now)) {
      for (NodeId n : pending.keySet()) {
        pending.computeIfPresent(n, (k, m) -> {
          expire(m, now);
          return m.isEmpty() ? null : m;
        });
      }
    }
  }

  private void expire(Map<Key, Pending> byKey, long now) {
    byKey.values().removeIf(p -> now - p.lastMs >= settleMs);
  }

  /**
   * Matches unmatched records of {@code node} to its running containers (monitor side).
   * Records younger than the settle time may still lack their container and are kept.
   *
   * @param node the node
   * @param running running non-AM containers on the node, by key, any order
   * @param nowMs current time
   */
  public void match(NodeId node, Map<Key, List<ContainerId>> running, long nowMs) {
    match(node, running, Collections.<ContainerId, Long>emptyMap(), nowMs);
  }

  /**
   * Matches unmatched records of {@code node} to its running containers (monitor side), the
   * oldest container created since a record's allocation first. Records younger than the
   * settle time may still lack their container and are kept.
   *
   * @param node the node
   * @param running running non-AM containers on the node, by key, any order
   * @param createdMs creation time of running containers; one without is taken as new
   * @param nowMs current time
   */
  public void match(NodeId node, Map<Key, List<ContainerId>> running,
      Map<ContainerId, Long> createdMs, long nowMs) {
    Set<ContainerId> alive = new HashSet<>();
    for (List<ContainerId> l : running.values()) {
      alive.addAll(l);
    }
    Set<ContainerId> mine = claimed.computeIfAbsent(node, n -> new HashSet<>());
    mine.retainAll(alive);
    pending.computeIfPresent(node, (n, byKey) -> {
      for (Iterator<Map.Entry<Key, Pending>> it = byKey.entrySet().iterator();
          it.hasNext();) {
        Map.Entry<Key, Pending> e = it.next();
        Pending p = e.getValue();
        List<ContainerId> candidates = new ArrayList<>();
        for (ContainerId c : running.getOrDefault(e.getKey(),
            Collections.<ContainerId>emptyList())) {
          Long created = createdMs.get(c);
          if (created == null || created >= p.firstCreatedMs - CREATED_BEFORE_RECORD_MS) {
            candidates.add(c);
          }
        }
        Collections.sort(candidates); // container ids grow in allocation order
        for (ContainerId c : candidates) {
          if (p.count == 0) {
            break;
          }
          if (mine.add(c)) {
            p.count--;
          }
        }
        if (p.count == 0 || nowMs - p.lastMs >= settleMs) {
          it.remove(); // matched, or its container is gone already
        }
      }
      return byKey.isEmpty() ? null : byKey;
    });
    if (mine.isEmpty()) {
      claimed.remove(node);
    }
  }

  /** @return containers on {@code node} placed there for its local data (snapshot) */
  public Set<ContainerId> localContainers(NodeId node) {
    Set<ContainerId> s = claimed.get(node);
    return s == null ? Collections.<ContainerId>emptySet() : new HashSet<>(s);
  }

  /** Forgets a container (requeued or finished). */
  public void forget(NodeId node, ContainerId id) {
    claimed.computeIfPresent(node, (n, s) -> {
      s.remove(id);
      return s.isEmpty() ? null : s;
    });
  }

  /** @return the nodes with records or claims */
  public Set<NodeId> nodes() {
    Set<NodeId> out = new HashSet<>(pending.keySet());
    out.addAll(claimed.keySet());
    return out;
  }

  /** @return pending records (node, key) plus claimed containers, for tests */
  int size() {
    int[] n = {0};
    for (NodeId node : pending.keySet()) {
      pending.computeIfPresent(node, (k, m) -> {
        n[0] += m.size();
        return m;
      });
    }
    for (Set<ContainerId> s : claimed.values()) {
      n[0] += s.size();
    }
    return n[0];
  }
}
