package io.multizone.yarn.requeue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.ZoneRmTestSupport;
import io.multizone.yarn.liveness.DataNodeReportSource;
import io.multizone.yarn.liveness.DataNodeStatus;
import org.apache.hadoop.conf.Configuration;

/**
 * Test report source plugged through the report-source key: one DataNode per host of the
 * reference topology, each live (contact = now) unless {@link #down} set its last contact.
 */
public class FakeDataNodeReportSource implements DataNodeReportSource {
  static final Map<String, Long> DOWN_SINCE = new ConcurrentHashMap<>();
  static volatile boolean unreachable;
  /** Hosts whose DataNode is decommissioning, decommissioned or in maintenance. */
  static final java.util.Set<String> OUT_OF_SERVICE = ConcurrentHashMap.newKeySet();
  /** "Now" of a live DataNode's last contact; tests replaying a timeline move it. */
  static volatile LongSupplier clock = System::currentTimeMillis;
  /** Instances created by the policy, in order, and whether each was closed. */
  static final List<FakeDataNodeReportSource> CREATED = new java.util.concurrent.CopyOnWriteArrayList<>();
  volatile boolean closed;

  public FakeDataNodeReportSource() {
    CREATED.add(this);
  }

  static void down(String host, long lastContactMs) {
    DOWN_SINCE.put(host, lastContactMs);
  }

  static void up(String host) {
    DOWN_SINCE.remove(host);
  }

  /** Back to every DataNode live, reachable, in service, on the real clock. */
  static void reset() {
    DOWN_SINCE.clear();
    OUT_OF_SERVICE.clear();
    unreachable = false;
    clock = System::currentTimeMillis;
  }

  @Override
  public void init(Configuration conf, ZonePlacementYarnConfig config) {
  }

  @Override
  public List<DataNodeStatus> report() throws IOException {
    if (unreachable) {
      throw new IOException("Connection refused (fake)");
    }
    long now = clock.getAsLong();
    List<DataNodeStatus> out = new ArrayList<>();
    int i = 1;
    for (String host : ZoneRmTestSupport.TOPOLOGY.keySet()) {
      Long down = DOWN_SINCE.get(host);
      out.add(new DataNodeStatus(host, "10.0.0." + i++, 9866, down == null ? now : down,
          OUT_OF_SERVICE.contains(host)));
    }
    return out;
  }

  @Override
  public String describe() {
    return "fake";
  }

  @Override
  public void close() {
    closed = true;
  }
}
