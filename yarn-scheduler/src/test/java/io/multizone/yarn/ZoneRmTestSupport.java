package io.multizone.yarn;

import static org.junit.Assert.assertNotNull;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.multizone.yarn.placement.ZoneAwarePlacementAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.net.TableMapping;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.ResourceRequest;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.resourcemanager.MockAM;
import org.apache.hadoop.yarn.server.resourcemanager.MockNM;
import org.apache.hadoop.yarn.server.resourcemanager.MockRM;
import org.apache.hadoop.yarn.server.resourcemanager.MockRMAppSubmissionData;
import org.apache.hadoop.yarn.server.resourcemanager.MockRMAppSubmitter;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMApp;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMAppState;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.attempt.RMAppAttempt;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.attempt.RMAppAttemptState;
import org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNode;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.AbstractYarnScheduler;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.SchedulerApplicationAttempt;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.event.NodeUpdateSchedulerEvent;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.placement.AppPlacementAllocator;
import org.apache.hadoop.yarn.server.scheduler.SchedulerRequestKey;
import org.junit.After;

/**
 * MockRM harness on the reference topology: 3 zones × 2 racks × 2 hosts, resolved through a
 * {@link TableMapping} file like an operator would configure it. Nodes are offered to the
 * CapacityScheduler one by one ({@link #offer}) so tier order and delays are deterministic.
 */
public abstract class ZoneRmTestSupport {
  /** host → rack, in a fixed order. */
  public static final Map<String, String> TOPOLOGY = new LinkedHashMap<>();
  static {
    for (String z : new String[] {"a", "b", "c"}) {
      for (int r = 1; r <= 2; r++) {
        for (int h = 1; h <= 2; h++) {
          TOPOLOGY.put(z + r + "h" + h, "/zone-" + z + "/rack-" + r);
        }
      }
    }
  }

  /**
   * Hosts with a DataNode but no NodeManager (in the topology table, never registered with
   * the RM): host → rack.
   */
  public static final Map<String, String> DATANODE_ONLY = new LinkedHashMap<>();
  static {
    DATANODE_ONLY.put("a3d1", "/zone-a/rack-3");
  }

  protected static final int GB = 1024;
  protected MockRM rm;
  protected final Map<String, MockNM> nms = new LinkedHashMap<>();
  protected MockAM am;
  protected final List<Container> pulled = new ArrayList<>();
  protected final List<ContainerStatus> completed = new ArrayList<>();
  /**
   * On Hadoop 3.3, select the configured allocator per application too (see
   * {@link HadoopLine}); false = the cluster-wide key alone, as on a 3.3 cluster set up like
   * a 3.4 one.
   */
  protected boolean perApplicationAllocatorOn33 = true;

  /** @return a configuration wiring the topology table and the CapacityScheduler */
  protected Configuration baseConf(boolean zoneAware) throws IOException {
    File dir = new File("target/test-topology");
    dir.mkdirs();
    File table = new File(dir, "topology.table");
    StringBuilder sb = new StringBuilder();
    Map<String, String> all = new LinkedHashMap<>(TOPOLOGY);
    all.putAll(DATANODE_ONLY);
    for (Map.Entry<String, String> e : all.entrySet()) {
      sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
      NetUtils.addStaticResolution(e.getKey(), "127.0.0.1");
    }
    SharedTestFiles.write(table.toPath(), sb.toString().getBytes(StandardCharsets.UTF_8));
    Configuration conf = new YarnConfiguration();
    conf.set(YarnConfiguration.RM_SCHEDULER, CapacityScheduler.class.getName());
    conf.set("net.topology.node.switch.mapping.impl", TableMapping.class.getName());
    conf.set("net.topology.table.file.name", table.getAbsolutePath());
    if (zoneAware) {
      conf.set(ZonePlacementYarnConfig.YARN_APP_PLACEMENT_ALLOCATOR_KEY,
          ZoneAwarePlacementAllocator.class.getName());
    }
    // Heartbeat-driven scheduling, the 3.4 default (3.5 turns asynchronous scheduling on).
    conf.setBoolean("yarn.scheduler.capacity.schedule-asynchronously.enable", false);
    // Deterministic delays: rack after > 2 missed offers, beyond rack after > 4.
    conf.setInt("yarn.scheduler.capacity.node-locality-delay", 2);
    conf.setInt("yarn.scheduler.capacity.rack-locality-additional-delay", 2);
    conf.setInt(ZonePlacementYarnConfig.OFF_ZONE_DELAY, 3);
    return conf;
  }

  /**
   * Starts the RM, registers every host with {@code nodeMemMb}, launches the AM through c2h2's
   * heartbeat (with asynchronous scheduling it may land elsewhere).
   */
  protected void start(Configuration conf, int nodeMemMb) throws Exception {
    start(conf, nodeMemMb, Math.max(1, nodeMemMb / GB));
  }

  /** As {@link #start(Configuration, int)}, with {@code nodeVcores} vcores per node. */
  protected void start(Configuration conf, int nodeMemMb, int nodeVcores) throws Exception {
    // The node-attribute store defaults to /tmp/hadoop-yarn-<user>, shared by every RM on the
    // machine (a concurrent build's RM removed its mirror file under this one): keep it here.
    if (conf.get(YarnConfiguration.FS_NODE_ATTRIBUTE_STORE_ROOT_DIR) == null) {
      conf.set(YarnConfiguration.FS_NODE_ATTRIBUTE_STORE_ROOT_DIR, new File(
          "target/node-attribute-" + System.nanoTime()).toURI().toString());
    }
    rm = new MockRM(conf);
    // MockRM raises the root logger to DEBUG: put it back.
    org.apache.log4j.LogManager.getRootLogger().setLevel(org.apache.log4j.Level.INFO);
    rm.start();
    for (String host : TOPOLOGY.keySet()) {
      nms.put(host, rm.registerNode(host + ":1234", nodeMemMb, nodeVcores));
    }
    rm.drainEvents();
    if (conf.getBoolean("yarn.scheduler.capacity.schedule-asynchronously.enable", false)) {
      RMApp app = MockRMAppSubmitter.submit(rm, MockRMAppSubmissionData.Builder
          .createWithMemory(GB, rm).withWaitForAppAcceptedState(false).build());
      am = launchAndRegisterAmAllocatedAsynchronously(app);
    } else {
      RMApp app = MockRMAppSubmitter.submit(rm,
          MockRMAppSubmissionData.Builder.createWithMemory(GB, rm).build());
      am = MockRM.launchAndRegisterAM(app, rm, nms.get("c2h2"));
    }
    String allocator = conf.get(ZonePlacementYarnConfig.YARN_APP_PLACEMENT_ALLOCATOR_KEY);
    if (allocator != null && perApplicationAllocatorOn33
        && HadoopLine.perApplicationAllocatorOnly()) {
      // Hadoop 3.3: no cluster-wide key; YARN reads the class from the application's
      // scheduling environment (on a cluster: the AM container's environment variable
      // APPLICATION_PLACEMENT_TYPE_CLASS, copied by RMAppImpl). MockRM cannot set the AM
      // environment, so put it where RMAppImpl's copy lands; it applies to every ask after
      // the AM's own.
      attempt().getAppSchedulingInfo().getApplicationSchedulingEnvs()
          .put(HadoopLine.ENV_APPLICATION_PLACEMENT_TYPE_CLASS, allocator);
    }
  }

  /**
   * MockRM's submit and launchAndRegisterAM wait for the attempt to be SCHEDULED; the
   * asynchronous scheduler's threads may have allocated the AM container before they look,
   * and the wait then times out on ALLOCATED (CI, 2026-12-02). This waits for ALLOCATED, on
   * whichever node, then launches and registers the AM as launchAndRegisterAM does.
   */
  private MockAM launchAndRegisterAmAllocatedAsynchronously(RMApp app) throws Exception {
    rm.waitForState(app.getApplicationId(), RMAppState.ACCEPTED);
    long end = System.currentTimeMillis() + 120_000;
    RMAppAttempt attempt = app.getCurrentAppAttempt();
    while (attempt == null || attempt.getAppAttemptState() != RMAppAttemptState.ALLOCATED) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("AM container not allocated in 120 s: "
            + (attempt == null ? "no attempt" : attempt.getAppAttemptState()));
      }
      for (MockNM nm : nms.values()) {
        nm.nodeHeartbeat(true);
      }
      Thread.sleep(50);
      attempt = app.getCurrentAppAttempt();
    }
    MockAM launched = rm.sendAMLaunched(attempt.getAppAttemptId());
    rm.waitForState(attempt.getAppAttemptId(), RMAppAttemptState.LAUNCHED);
    launched.registerAppAttempt();
    rm.waitForState(app.getApplicationId(), RMAppState.RUNNING);
    return launched;
  }

  @After
  public void stopRm() {
    if (rm != null) {
      rm.stop();
    }
  }

  protected CapacityScheduler cs() {
    return (CapacityScheduler) rm.getResourceScheduler();
  }

  /** @return the app's attempt in whichever scheduler runs */
  protected SchedulerApplicationAttempt attempt() {
    return ((AbstractYarnScheduler<?, ?>) rm.getResourceScheduler())
        .getApplicationAttempt(am.getApplicationAttemptId());
  }

  /** Sends an ask: {@code n} containers at {@code priority}, on hosts, their racks, ANY. */
  protected void ask(int priority, int n, int memMb, String... hosts) throws Exception {
    ask(priority, n, Resource.newInstance(memMb, 1), hosts);
  }

  /** Sends an ask of {@code n} containers of {@code cap} on hosts, their racks, ANY. */
  protected void ask(int priority, int n, Resource cap, String... hosts) throws Exception {
    List<ResourceRequest> reqs = new ArrayList<>();
    Set<String> racks = new LinkedHashSet<>();
    Priority p = Priority.newInstance(priority);
    for (String h : hosts) {
      reqs.add(ResourceRequest.newInstance(p, h, cap, n));
      racks.add(TOPOLOGY.get(h));
    }
    for (String r : racks) {
      reqs.add(ResourceRequest.newInstance(p, r, cap, n));
    }
    reqs.add(ResourceRequest.newInstance(p, ResourceRequest.ANY, cap, n));
    pull(am.allocate(reqs, null));
  }

  private void pull(org.apache.hadoop.yarn.api.protocolrecords.AllocateResponse r) {
    pulled.addAll(r.getAllocatedContainers());
    completed.addAll(r.getCompletedContainersStatuses());
  }

  /** Pulls newly allocated / completed containers through the AM protocol. */
  /** The completion status the AM has seen for {@code id} (after one AM heartbeat), or null. */
  protected ContainerStatus completedStatus(ContainerId id) throws Exception {
    heartbeatAm();
    for (ContainerStatus s : completed) {
      if (s.getContainerId().equals(id)) {
        return s;
      }
    }
    return null;
  }

  protected void heartbeatAm() throws Exception {
    pull(am.allocate(new ArrayList<ResourceRequest>(), null));
  }

  /** Offers one node to the scheduler (a NodeManager heartbeat), synchronously. */
  protected void offer(String host) {
    RMNode node = rm.getRMContext().getRMNodes().get(nms.get(host).getNodeId());
    assertNotNull(host, node);
    rm.getResourceScheduler().handle(new NodeUpdateSchedulerEvent(node));
  }

  /** @return containers of the app (AM excluded) currently live, per host */
  protected Map<String, Integer> liveByHost() {
    Map<String, Integer> m = new HashMap<>();
    org.apache.hadoop.yarn.api.records.ContainerId amId = rm.getRMContext().getRMApps()
        .get(am.getApplicationAttemptId().getApplicationId()).getCurrentAppAttempt()
        .getMasterContainer().getId();
    attempt().getLiveContainers().forEach(c -> {
      if (!c.isAMContainer() && !c.getContainerId().equals(amId)) {
        m.merge(c.getAllocatedNode().getHost(), 1, Integer::sum);
      }
    });
    return m;
  }

  /** @return live non-AM containers of the app */
  protected int liveCount() {
    return liveByHost().values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Offers {@code host} until a new container appears; returns the offer count, or -1. */
  protected int offerUntilAllocated(String host, int max) {
    int before = liveCount();
    for (int i = 1; i <= max; i++) {
      offer(host);
      if (liveCount() > before) {
        return i;
      }
    }
    return -1;
  }

  /** @return the placement allocator YARN created for {@code priority} */
  protected AppPlacementAllocator<?> allocatorFor(int priority) {
    for (SchedulerRequestKey k : attempt().getAppSchedulingInfo().getSchedulerKeys()) {
      if (k.getPriority().getPriority() == priority) {
        return attempt().getAppSchedulingInfo().getAppPlacementAllocator(k);
      }
    }
    return null;
  }

  /**
   * Asks for one container on a1h1 at priority 1 and asserts which allocator YARN created
   * for it: YARN silently falls back to the stock one when the configured class is wrong.
   */
  protected void assertAllocatorInUse(Class<?> expected) throws Exception {
    ask(1, 1, GB, "a1h1");
    AppPlacementAllocator<?> ap = allocatorFor(1);
    org.junit.Assert.assertNotNull("no allocator for priority 1", ap);
    org.junit.Assert.assertSame(expected, ap.getClass());
  }

  /** @return zone ("a", "b", "c") of a host */
  protected static String zoneOf(String host) {
    return host.substring(0, 1);
  }

  /** @return live non-AM containers per zone letter */
  protected Map<String, Integer> liveByZone() {
    Map<String, Integer> m = new HashMap<>();
    liveByHost().forEach((h, c) -> m.merge(zoneOf(h), c, Integer::sum));
    return m;
  }
}
