package io.multizone.yarn.liveness;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multizone.yarn.ZonePlacementYarnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSUtilClient;
import org.apache.hadoop.hdfs.HAUtilClient;
import org.apache.hadoop.hdfs.client.HdfsClientConfigKeys;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo.AdminStates;
import org.apache.hadoop.hdfs.web.URLConnectionFactory;
import org.apache.hadoop.http.HttpConfig;
import org.apache.hadoop.net.NetUtils;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.authentication.client.AuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the DataNode report from the NameNode's web server: the {@code LiveNodes} and
 * {@code DeadNodes} attributes of its {@code NameNodeInfo} JMX bean, each asked for alone
 * ({@code /jmx?get=BEAN::ATTRIBUTE}; the whole bean would also run its costly getters). Unlike
 * {@link DfsDataNodeReportSource} it needs no HDFS superuser rights, only read access to the
 * NameNode web UI (SPNEGO with the RM's Kerberos login on a secure cluster), so the
 * ResourceManager can run as an ordinary HDFS user.
 *
 * <p>For an HA nameservice every NameNode's web address is known. Each report comes from the
 * one whose {@code NameNodeStatus} bean says {@code active}, or else from any that answers (a
 * standby receives the same DataNode heartbeats); the NameNode that answered last is asked
 * first. The bean gives {@code lastContact} in whole seconds before the response, so a
 * DataNode is seen lost up to one second later than through the RPC report.
 */
public class JmxDataNodeReportSource implements DataNodeReportSource {
  private static final Logger LOG = LoggerFactory.getLogger(JmxDataNodeReportSource.class);

  /** JMX bean holding the DataNode lists. */
  static final String INFO_BEAN = "Hadoop:service=NameNode,name=NameNodeInfo";
  /** JMX bean holding the NameNode's HA state. */
  static final String STATUS_BEAN = "Hadoop:service=NameNode,name=NameNodeStatus";
  /** Connect and read timeout, ms: a hung NameNode must not stall the 1 s monitor long. */
  static final int TIMEOUT_MS = 2000;
  /** HDFS web policy key (its constant lives in the server-side hadoop-hdfs). */
  static final String HTTP_POLICY_KEY = "dfs.http.policy";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private URLConnectionFactory connections;
  /** Base URLs ({@code scheme://host:port}) as strings: URL.equals would resolve hosts. */
  private List<String> nameNodes;
  private String current;
  private String description;

  @Override
  public void init(Configuration conf, ZonePlacementYarnConfig config) throws IOException {
    boolean https = HttpConfig.Policy.HTTPS_ONLY.name().equalsIgnoreCase(
        conf.getTrimmed(HTTP_POLICY_KEY, HttpConfig.Policy.HTTP_ONLY.name()));
    List<String> addresses = config.getNameNodeHttpAddresses();
    String followed;
    if (addresses.isEmpty()) {
      URI uri = NameNodeUri.of(config);
      addresses = httpAddresses(conf, uri, https);
      followed = uri.toString();
    } else {
      followed = ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES;
    }
    List<String> urls = new ArrayList<>(addresses.size());
    for (String a : addresses) {
      InetSocketAddress isa;
      try {
        isa = NetUtils.createSocketAddr(a, -1, ZonePlacementYarnConfig
            .DATANODE_NAMENODE_HTTP_ADDRESSES);
      } catch (IllegalArgumentException e) {
        throw new IOException("Malformed NameNode web address '" + a + "' (from " + followed
            + "): " + e.getMessage(), e);
      }
      urls.add((https ? "https://" : "http://") + isa.getHostString() + ":" + isa.getPort());
    }
    nameNodes = Collections.unmodifiableList(urls);
    description = followed + " (NameNode web " + nameNodes + ")";
    connections = URLConnectionFactory.newDefaultURLConnectionFactory(TIMEOUT_MS, TIMEOUT_MS,
        conf);
  }

  /**
   * Web addresses of the NameNodes behind {@code uri}: every NameNode of an HA (logical)
   * nameservice, or the one NameNode's address, whose wildcard host is replaced by the URI's.
   */
  static List<String> httpAddresses(Configuration conf, URI uri, boolean https)
      throws IOException {
    String key = https ? HdfsClientConfigKeys.DFS_NAMENODE_HTTPS_ADDRESS_KEY
        : HdfsClientConfigKeys.DFS_NAMENODE_HTTP_ADDRESS_KEY;
    String host = uri.getHost();
    if (host == null) {
      throw new IOException(ZonePlacementYarnConfig.DATANODE_NAMENODE_URI
          + " (or fs.defaultFS) '" + uri + "' names no NameNode host or nameservice");
    }
    List<String> out = new ArrayList<>();
    if (HAUtilClient.isLogicalUri(conf, uri)) {
      for (InetSocketAddress isa
          : DFSUtilClient.getAddressesForNameserviceId(conf, host, null, key).values()) {
        out.add(isa.getHostString() + ":" + isa.getPort());
      }
      if (out.isEmpty()) {
        throw new IOException("No NameNode web address for nameservice '" + host + "' of "
            + ZonePlacementYarnConfig.DATANODE_NAMENODE_URI + ": set " + key + "." + host
            + ".<namenode id> (as in hdfs-site.xml) or "
            + ZonePlacementYarnConfig.DATANODE_NAMENODE_HTTP_ADDRESSES);
      }
      return out;
    }
    int defaultPort = https ? HdfsClientConfigKeys.DFS_NAMENODE_HTTPS_PORT_DEFAULT
        : HdfsClientConfigKeys.DFS_NAMENODE_HTTP_PORT_DEFAULT;
    String configured = conf.getTrimmed(key, host + ":" + defaultPort);
    InetSocketAddress isa;
    try {
      isa = NetUtils.createSocketAddr(configured, defaultPort, key);
    } catch (IllegalArgumentException e) {
      throw new IOException("Malformed " + key + " '" + configured + "': " + e.getMessage(), e);
    }
    boolean wildcard = isa.getAddress() != null && isa.getAddress().isAnyLocalAddress();
    out.add((wildcard ? host : isa.getHostString()) + ":" + isa.getPort());
    return out;
  }

  @Override
  public List<DataNodeStatus> report() throws IOException {
    Map<String, String> failures = new LinkedHashMap<>();
    List<String> order = new ArrayList<>(nameNodes);
    if (current != null && order.remove(current)) {
      order.add(0, current);
    }
    List<String> notActive = new ArrayList<>();
    if (order.size() == 1) {
      notActive.add(order.get(0));
    } else {
      for (String nn : order) {
        try {
          String state = attribute(nn, STATUS_BEAN, "State").asText("");
          if ("active".equalsIgnoreCase(state)) {
            return reportFrom(nn, state);
          }
          notActive.add(nn);
        } catch (IOException e) {
          failures.put(nn, e.getMessage());
        }
      }
    }
    for (String nn : notActive) {
      try {
        return reportFrom(nn, "not active");
      } catch (IOException e) {
        failures.put(nn, e.getMessage());
      }
    }
    throw new IOException("No NameNode web server answered with the DataNode report; tried "
        + failures);
  }

  private List<DataNodeStatus> reportFrom(String nn, String state) throws IOException {
    // Two single-attribute reads (LiveNodes first: a DataNode that dies in between shows in
    // both lists, never in neither). The whole bean would also run its other getters on the
    // NameNode, listCorruptFileBlocks and NodeUsage among them.
    ObjectNode info = MAPPER.createObjectNode();
    info.set("LiveNodes", attribute(nn, INFO_BEAN, "LiveNodes"));
    info.set("DeadNodes", attribute(nn, INFO_BEAN, "DeadNodes"));
    List<DataNodeStatus> out = toStatuses(info, System.currentTimeMillis());
    if (!nn.equals(current)) {
      LOG.info("DataNode report now read from the NameNode web server {} ({})", nn, state);
      current = nn;
    }
    return out;
  }

  /** @return the NameNode web server that answered the last report, or null (tests) */
  String current() {
    return current;
  }

  /**
   * Reads one attribute of one JMX bean from {@code nn}'s {@code /jmx} servlet
   * ({@code get=BEAN::ATTRIBUTE}: only that getter runs on the NameNode).
   */
  private JsonNode attribute(String nn, String name, String attribute) throws IOException {
    URL url = new URL(nn + "/jmx?get=" + URLEncoder.encode(name + "::" + attribute, "UTF-8"));
    URLConnection opened;
    try {
      opened = connections.openConnection(url, UserGroupInformation.isSecurityEnabled());
    } catch (AuthenticationException e) {
      throw new IOException("SPNEGO authentication to " + url + " failed: " + e.getMessage(),
          e);
    }
    HttpURLConnection conn = (HttpURLConnection) opened;
    int code = conn.getResponseCode();
    if (code != HttpURLConnection.HTTP_OK) {
      InputStream err = conn.getErrorStream();
      if (err != null) {
        err.close();
      }
      throw new IOException(url + " answered HTTP " + code + " " + conn.getResponseMessage());
    }
    JsonNode beans;
    try (InputStream in = conn.getInputStream()) {
      beans = MAPPER.readTree(in).path("beans");
    }
    JsonNode value = beans.size() == 0 ? null : beans.get(0).get(attribute);
    if (value == null) {
      throw new IOException(url + " has no attribute " + attribute + " of bean " + name);
    }
    return value;
  }

  /**
   * Converts a {@code NameNodeInfo} bean to the report the tracker reads. Its
   * {@code LiveNodes} and {@code DeadNodes} are JSON strings mapping {@code host:xferPort} to
   * {@code xferaddr} ({@code ip:xferPort}), {@code lastContact} (seconds before the response)
   * and {@code adminState}; a dead node keeps its old last contact and so is lost.
   *
   * @param info the bean
   * @param responseMs wall-clock time the bean was read
   * @return every DataNode in the bean, live or dead
   * @throws IOException when the bean lacks the lists or an entry lacks a field
   */
  static List<DataNodeStatus> toStatuses(JsonNode info, long responseMs) throws IOException {
    List<DataNodeStatus> out = new ArrayList<>();
    for (String attribute : new String[] {"LiveNodes", "DeadNodes"}) {
      JsonNode list = info.get(attribute);
      if (list == null || !list.isTextual()) {
        throw new IOException("NameNodeInfo bean has no " + attribute);
      }
      Iterator<Map.Entry<String, JsonNode>> it = MAPPER.readTree(list.asText()).fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode node = e.getValue();
        String xferAddr = node.path("xferaddr").asText("");
        int hostEnd = e.getKey().lastIndexOf(':');
        int ipEnd = xferAddr.lastIndexOf(':');
        if (hostEnd <= 0 || ipEnd <= 0 || !node.path("lastContact").canConvertToLong()) {
          throw new IOException("Unreadable " + attribute + " entry " + e.getKey() + ": "
              + node);
        }
        int xferPort;
        try {
          xferPort = Integer.parseInt(xferAddr.substring(ipEnd + 1));
        } catch (NumberFormatException nfe) {
          throw new IOException("Unreadable xferaddr '" + xferAddr + "' of " + e.getKey(), nfe);
        }
        AdminStates state = AdminStates.fromValue(node.path("adminState").asText(""));
        out.add(new DataNodeStatus(e.getKey().substring(0, hostEnd),
            xferAddr.substring(0, ipEnd), xferPort,
            responseMs - node.path("lastContact").asLong() * 1000L,
            state != null && state != AdminStates.NORMAL));
      }
    }
    return out;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    if (connections != null) {
      connections.destroy();
    }
  }
}
