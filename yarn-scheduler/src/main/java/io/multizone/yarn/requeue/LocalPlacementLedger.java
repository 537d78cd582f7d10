package io.multizone.yarn.requeue;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.server.scheduler.SchedulerRequestKey;

/**
 * Remembers which containers were placed on a host for its local data: per node, per
 * (application attempt, scheduler key), how many node-tier allocations were made there.
 *
 * <p>The placement allocator sees an allocation before its container id exists, and YARN
 * drops a container's request once the AM pulls it, so the requeue policy matches this
 * count against the running containers of the same attempt and key on that node. Counts are
 * clamped to the running containers on each pass, so finished containers do not linger.
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

  private final Map<NodeId, Map<Key, AtomicInteger>> byNode = new ConcurrentHashMap<>();
  private final Map<NodeId, Map<Key, Long>> lastRecord = new ConcurrentHashMap<>();

  /** Records one node-tier allocation of {@code key} on {@code node}. */
  public void recordLocal(NodeId node, ApplicationAttemptId attempt,
      SchedulerRequestKey schedulerKey) {
    Key key = new Key(attempt, schedulerKey);
    lastRecord.computeIfAbsent(node, n -> new ConcurrentHashMap<>())
        .put(key, System.currentTimeMillis());
    byNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>())
        .computeIfAbsent(key, k -> new AtomicInteger())
        .incrementAndGet();
  }

  /** @return wall-clock ms of the last record of {@code key} on {@code node}, 0 if none */
  public long lastRecordMs(NodeId node, Key key) {
    Map<Key, Long> m = lastRecord.get(node);
    Long t = m == null ? null : m.get(key);
    return t == null ? 0L : t;
  }

  /** @return node-tier allocations recorded for {@code key} on {@code node} */
  public int localCount(NodeId node, Key key) {
    Map<Key, AtomicInteger> m = byNode.get(node);
    AtomicInteger c = m == null ? null : m.get(key);
    return c == null ? 0 : c.get();
  }

  /** @return a snapshot of the keys with records on {@code node} */
  public Map<Key, AtomicInteger> onNode(NodeId node) {
    Map<Key, AtomicInteger> m = byNode.get(node);
    return m == null ? java.util.Collections.emptyMap() : new java.util.HashMap<>(m);
  }

  /** Sets the count of {@code key} on {@code node}; 0 removes it. */
  public void setCount(NodeId node, Key key, int count) {
    Map<Key, AtomicInteger> m = byNode.get(node);
    if (m == null) {
      return;
    }
    if (count <= 0) {
      m.remove(key);
      Map<Key, Long> t = lastRecord.get(node);
      if (t != null) {
        t.remove(key);
      }
      if (m.isEmpty()) {
        byNode.remove(node, m);
      }
    } else {
      AtomicInteger c = m.get(key);
      if (c != null) {
        c.set(count);
      }
    }
  }

  /** @return the nodes with at least one record */
  public java.util.Set<NodeId> nodes() {
    return new java.util.HashSet<>(byNode.keySet());
  }
}
