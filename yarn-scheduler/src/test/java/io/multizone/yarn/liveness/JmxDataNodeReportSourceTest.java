package io.multizone.yarn.liveness;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

/**
 * {@link JmxDataNodeReportSource} without a cluster: the {@code NameNodeInfo} JSON → report
 * conversion (live, dead, decommissioned, in maintenance), the NameNode web addresses derived
 * from the HDFS configuration, the choice among HA NameNodes (two fake NameNode web servers:
 * MiniDFSCluster NameNodes share one JVM's MBean server, so their beans cannot tell them
 * apart), and the errors of init and report.
 */
public class JmxDataNodeReportSourceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NOW = 1_700_000_000_000L;

  private static Map<String, Object> node(String xferAddr, long lastContact, String adminState) {
    Map<String, Object> m = new HashMap<>();
    m.put("xferaddr", xferAddr);
    m.put("lastContact", lastContact);
    m.put("adminState", adminState);
    m.put("location", "/zone-a/rack-1");
    return m;
  }

  /** A NameNodeInfo bean as the NameNode serves it: the lists are JSON inside strings. */
  private static JsonNode bean(Map<String, Object> live, Map<String, Object> dead)
      throws IOException {
    ObjectNode bean = JSON.createObjectNode();
    bean.put("name", JmxDataNodeReportSource.INFO_BEAN);
    bean.put("LiveNodes", JSON.writeValueAsString(live));
    bean.put("DeadNodes", JSON.writeValueAsString(dead));
    return bean;
  }

  @Test
  public void convertsLiveDeadAndOutOfServiceNodesLikeTheRpcReport() throws Exception {
    Map<String, Object> live = new HashMap<>();
    live.put("dn1.example.com:9866", node("10.0.0.1:9866", 1, "In Service"));
    live.put("dn2.example.com:9866", node("10.0.0.2:9866", 0, "Decommissioned"));
    live.put("dn3.example.com:9866", node("10.0.0.3:9866", 2, "Decommission In Progress"));
    live.put("dn4.example.com:9866", node("10.0.0.4:9866", 0, "In Maintenance"));
    Map<String, Object> dead = new HashMap<>();
    Map<String, Object> deadNode = node("10.0.0.5:9866", 700, "In Service");
    deadNode.put("decommissioned", false);
    dead.put("dn5.example.com:9866", deadNode);

    List<DataNodeStatus> report = JmxDataNodeReportSource.toStatuses(bean(live, dead), NOW);
    assertEquals(5, report.size());
    Map<String, DataNodeStatus> byHost = new HashMap<>();
    for (DataNodeStatus d : report) {
      byHost.put(d.getHostName(), d);
    }
    DataNodeStatus dn1 = byHost.get("dn1.example.com");
    assertEquals("10.0.0.1", dn1.getIpAddr());
    assertEquals(9866, dn1.getXferPort());
    assertEquals(NOW - 1000, dn1.getLastContactMs());
    assertFalse(dn1.isOutOfService());
    assertTrue(byHost.get("dn2.example.com").isOutOfService());
    // Decommissioning counts as out of service, as in the RPC source: never a requeue.
    assertTrue(byHost.get("dn3.example.com").isOutOfService());
    assertTrue(byHost.get("dn4.example.com").isOutOfService());
    assertEquals(NOW - 700_000, byHost.get("dn5.example.com").getLastContactMs());

    DataNodeLivenessTracker tracker = new DataNodeLivenessTracker(7000);
    tracker.update(report, NOW);
    // Only the dead one: out-of-service DataNodes are never lost.
    assertEquals(Arrays.asList("10.0.0.5:9866"), tracker.snapshot().lostIds());
    assertTrue(tracker.snapshot().isHostLost("dn5.example.com"));
    assertFalse(tracker.snapshot().isHostLost("dn2"));
    assertFalse(tracker.snapshot().isHostLost("10.0.0.1"));
    assertFalse(tracker.snapshot().isHostLost("dn3.example.com:9866"));
  }

  @Test
  public void rejectsABeanWithoutTheListsOrWithAnUnreadableEntry() throws Exception {
    ObjectNode noDead = JSON.createObjectNode();
    noDead.put("LiveNodes", "{}");
    assertIOException("DeadNodes", () -> JmxDataNodeReportSource.toStatuses(noDead, NOW));

    Map<String, Object> live = new HashMap<>();
    live.put("dn1.example.com:9866", node("10.0.0.1", 1, "In Service"));
    JsonNode noPort = bean(live, new HashMap<>());
    assertIOException("dn1.example.com:9866",
        () -> JmxDataNodeReportSource.toStatuses(noPort, NOW));
  }

  private static Configuration haConf() {
    Configuration conf = new Configuration(false);
    conf.set("dfs.nameservices", "ns1");
    conf.set("dfs.ha.namenodes.ns1", "nn1,nn2");
    conf.set("dfs.namenode.rpc-address.ns1.nn1", "nn-a.example.com:8020");
    conf.set("dfs.namenode.rpc-address.ns1.nn2", "nn-b.example.com:8020");
    conf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, "hdfs://ns1");
    return conf;
  }

  private static JmxDataNodeReportSource init(Configuration conf) throws IOException {
    JmxDataNodeReportSource source = new JmxDataNodeReportSource();
    source.init(conf, new ZonePlacementYarnConfig(conf));
    return source;
  }

  @Test
  public void findsEveryNameNodeOfAnHaNameserviceAndHttpsUnderHttpsOnly() throws Exception {
    Configuration conf = haConf();
    conf.set("dfs.namenode.http-address.ns1.nn1", "nn-a.example.com:9870");
    conf.set("dfs.namenode.http-address.ns1.nn2", "nn-b.example.com:9870");
    assertEquals("hdfs://ns1 (NameNode web [http://nn-a.example.com:9870, "
        + "http://nn-b.example.com:9870])", init(conf).describe());

    conf.set(JmxDataNodeReportSource.HTTP_POLICY_KEY, "HTTPS_ONLY");
    conf.set("dfs.namenode.https-address.ns1.nn1", "nn-a.example.com:9871");
    conf.set("dfs.namenode.https-address.ns1.nn2", "nn-b.example.com:9871");
    assertEquals("hdfs://ns1 (NameNode web [https://nn-a.example.com:9871, "
        + "https://nn-b.example.com:9871])", init(conf).describe());
  }

  @Test
  public void aSingleNameNodeTakesTheUriHostForAWildcardOrMissingAddress() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.defaultFS", "hdfs://nn.example.com:8020");
    assertEquals("hdfs://nn.example.com:8020 (NameNode web [http://nn.example.com:9870])",
        init(conf).describe());
    conf.set("dfs.namenode.http-address", "0.0.0.0:50070");
    assertEquals("hdfs://nn.example.com:8020 (NameNode web [http://nn.example.com:50070])",
        init(conf).describe());
    conf.set("dfs.namenode.http-address", "web.example.com:9870");
    assertEquals("hdfs://nn.example.com:8020 (NameNode web [http://web.example.com:9870])",
        init(conf).describe());
  }

  @Test
  public void initErrorsNameTheKeyAtFault() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.defaultFS", "file:///");
    assertIOException(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI, () -> init(conf));

    // An HA nameservice whose NameNodes have no web address in the RM's configuration.
    IOException e = assertIOException("dfs.namenode.http-address.ns1.<namenode id>",
        () -> init(haConf()));
    assertTrue(e.getMessage(), e.getMessage().contains(
        ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES));

    Configuration noPort = new Configuration(false);
    noPort.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES, "nn-a.example.com");
    e = assertIOException("'nn-a.example.com'", () -> init(noPort));
    assertTrue(e.getMessage(), e.getMessage().contains(
        ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES));
  }

  @Test
  public void reportNamesEveryNameNodeTriedWhenNoneAnswers() throws Exception {
    Configuration conf = new Configuration(false);
    // The override needs no hdfs:// URI; two ports nothing listens on.
    conf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES,
        "127.0.0.1:" + freePort() + ", 127.0.0.1:" + freePort());
    JmxDataNodeReportSource source = init(conf);
    List<String> tried = Arrays.asList(source.describe().replaceAll(".*\\[(.*)\\].*", "$1")
        .split(", "));
    assertEquals(2, tried.size());
    IOException e = assertIOException("No NameNode web server answered", source::report);
    for (String url : tried) {
      assertTrue(e.getMessage() + " lacks " + url, e.getMessage().contains(url));
    }
    source.close();
  }

  /**
   * A NameNode web server serving the two beans the source reads: its HA state, and one live
   * DataNode whose host name tells which server answered.
   */
  private static final class FakeNameNodeWeb implements AutoCloseable {
    private final HttpServer server;
    private final String dataNode;
    volatile String state;
    private boolean closed;

    FakeNameNodeWeb(String dataNode, String state) throws IOException {
      this.dataNode = dataNode;
      this.state = state;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/jmx", this::serve);
      server.start();
    }

    String address() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every query string received, decoded, in order. */
    final List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Answers like Hadoop's JMXJsonServlet: {@code qry=BEAN} runs every getter of the bean
     * (for NameNodeInfo that includes listCorruptFileBlocks and NodeUsage), {@code
     * get=BEAN::ATTR} only that one.
     */
    private void serve(HttpExchange exchange) throws IOException {
      String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), "UTF-8");
      queries.add(query);
      ObjectNode all = JSON.createObjectNode();
      String beanName = null;
      String attribute = null;
      if (query.startsWith("qry=")) {
        beanName = query.substring(4);
      } else if (query.startsWith("get=") && query.contains("::")) {
        beanName = query.substring(4, query.indexOf("::"));
        attribute = query.substring(query.indexOf("::") + 2);
      }
      if (JmxDataNodeReportSource.STATUS_BEAN.equals(beanName)) {
        all.put("State", state);
        all.put("HostAndPort", address());
      } else if (JmxDataNodeReportSource.INFO_BEAN.equals(beanName)) {
        all.put("LiveNodes", JSON.writeValueAsString(Collections.singletonMap(
            dataNode + ":9866", node("10.0.0.1:9866", 0, "In Service"))));
        all.put("DeadNodes", "{}");
        all.put("CorruptFiles", "[]");
        all.put("NodeUsage", "{}");
      }
      ObjectNode bean = JSON.createObjectNode();
      if (attribute == null) {
        bean.setAll(all);
      } else if (all.has(attribute)) {
        bean.set(attribute, all.get(attribute));
      }
      ObjectNode doc = JSON.createObjectNode();
      if (bean.size() > 0) {
        doc.putArray("beans").add(bean);
      } else {
        doc.putArray("beans");
      }
      byte[] body = JSON.writeValueAsBytes(doc);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        server.stop(0);
      }
    }
  }

  private static String answeredBy(JmxDataNodeReportSource source) throws IOException {
    List<DataNodeStatus> report = source.report();
    assertEquals(1, report.size());
    return report.get(0).getHostName();
  }

  /**
   * Each poll asks only for the attributes it reads: the HA state, then LiveNodes and
   * DeadNodes, never the whole NameNodeInfo bean (whose other getters list corrupt files and
   * compute node usage on the NameNode). Fails without the fix: one {@code qry=} of the
   * whole NameNodeInfo bean (and of NameNodeStatus) per poll.
   */
  @Test
  public void asksOnlyForTheAttributesItReads() throws Exception {
    try (FakeNameNodeWeb a = new FakeNameNodeWeb("seen-by-a", "active");
        FakeNameNodeWeb b = new FakeNameNodeWeb("seen-by-b", "standby")) {
      Configuration conf = new Configuration(false);
      conf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES,
          a.address() + "," + b.address());
      JmxDataNodeReportSource source = init(conf);
      assertEquals("seen-by-a", answeredBy(source));
      assertEquals("seen-by-a", answeredBy(source));
      String status = "get=" + JmxDataNodeReportSource.STATUS_BEAN + "::State";
      String live = "get=" + JmxDataNodeReportSource.INFO_BEAN + "::LiveNodes";
      String dead = "get=" + JmxDataNodeReportSource.INFO_BEAN + "::DeadNodes";
      assertEquals(Arrays.asList(status, live, dead, status, live, dead), a.queries);
      assertTrue(b.queries.isEmpty());
      source.close();
    }
  }

  @Test
  public void prefersTheActiveNameNodeThenTheLastOneThatAnswered() throws Exception {
    try (FakeNameNodeWeb a = new FakeNameNodeWeb("seen-by-a", "standby");
        FakeNameNodeWeb b = new FakeNameNodeWeb("seen-by-b", "active")) {
      Configuration conf = new Configuration(false);
      conf.set(ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES,
          a.address() + "," + b.address());
      JmxDataNodeReportSource source = init(conf);
      // The standby is listed first; the active one answers.
      assertEquals("seen-by-b", answeredBy(source));
      assertEquals("http://" + b.address(), source.current());
      // A failover: the new active one wins over the one that answered last.
      a.state = "active";
      b.state = "standby";
      assertEquals("seen-by-a", answeredBy(source));
      // No active NameNode (both standby, or in transition): the last one that answered.
      a.state = "standby";
      assertEquals("seen-by-a", answeredBy(source));
      // It dies: any other that answers, even a standby (it gets the same heartbeats).
      a.close();
      assertEquals("seen-by-b", answeredBy(source));
      assertEquals("http://" + b.address(), source.current());
      b.close();
      assertIOException("http://" + b.address(), source::report);
      source.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private interface IoCall {
    void call() throws IOException;
  }

  private static IOException assertIOException(String expected, IoCall call) {
    try {
      call.call();
    } catch (IOException e) {
      assertTrue("'" + e.getMessage() + "' lacks '" + expected + "'",
          e.getMessage().contains(expected));
      return e;
    }
    fail("no IOException (expected one naming '" + expected + "')");
    return null;
  }
}
