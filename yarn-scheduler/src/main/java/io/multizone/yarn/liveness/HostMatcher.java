package io.multizone.yarn.liveness;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import io.multizone.yarn.ExpiringLookup;
import org.apache.hadoop.net.NetUtils;

/**
 * Matches a NodeManager's host (host name, FQDN or short name, IP, or {@code host:port}) to
 * the DataNodes the NameNode reports, which may be registered under another of those forms.
 *
 * <p>An index is built once per report; a {@code host:port} query first tries the exact
 * DataNode transfer address, then falls back to the host. A short name (or an FQDN whose
 * DataNode registered under its bare short name) matches by short name only when one
 * registered name is behind it. Names that match no DataNode
 * directly are resolved to an IP; resolutions are cached for {@value #RESOLVED_TTL_MS} ms,
 * failures for {@value #UNRESOLVED_TTL_MS} ms.
 */
public final class HostMatcher {
  /** Full registered host name or IP -> DataNodes. */
  private final Map<String, List<DataNodeStatus>> byKey = new HashMap<>();
  /** Short host name -> the distinct registered names behind it and their DataNodes. */
  private final Map<String, ShortName> byShort = new HashMap<>();
  private final Map<String, DataNodeStatus> byAddr = new HashMap<>();
  /** A resolved name is looked up again after this long (hosts do get new addresses). */
  static final long RESOLVED_TTL_MS = 10 * 60_000L;
  /** A name that did not resolve is retried after this long (a DNS hiccup must not stick). */
  static final long UNRESOLVED_TTL_MS = 30_000L;
  /** Wall clock for the cache; tests move it. */
  static volatile LongSupplier clock = System::currentTimeMillis;
  /** Host name -> resolved IP. */
  private static final ExpiringLookup IPS = new ExpiringLookup(HostMatcher::lookUpIp,
      RESOLVED_TTL_MS, UNRESOLVED_TTL_MS, () -> clock.getAsLong());

  /** The registered names sharing one short name, and their DataNodes. */
  private static final class ShortName {
    final Set<String> names = new HashSet<>(1);
    final List<DataNodeStatus> dataNodes = new ArrayList<>(1);
  }

  /** @param dataNodes the DataNodes of one report */
  public HostMatcher(Collection<DataNodeStatus> dataNodes) {
    for (DataNodeStatus d : dataNodes) {
      for (String name : new String[] {d.getHostName(), d.getIpAddr()}) {
        if (name == null || name.isEmpty()) {
          continue;
        }
        String n = normalizeHost(name);
        add(byKey.computeIfAbsent(n, k -> new ArrayList<>(1)), d);
        String s = shortName(n);
        if (s != null) {
          ShortName group = byShort.computeIfAbsent(s, k -> new ShortName());
          group.names.add(n);
          add(group.dataNodes, d);
        }
      }
      byAddr.put(normalizeHost(d.getIpAddr()) + ":" + d.getXferPort(), d);
      byAddr.put(normalizeHost(d.getHostName()) + ":" + d.getXferPort(), d);
    }
  }

  private static void add(List<DataNodeStatus> l, DataNodeStatus d) {
    if (!l.contains(d)) {
      l.add(d);
    }
  }

  /** @return the part before the first dot of a host name, null for an IP address */
  private static String shortName(String n) {
    if (n.isEmpty() || Character.isDigit(n.charAt(0)) || n.indexOf(':') >= 0) {
      return null;
    }
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /**
   * Short-name fallback, only when unambiguous: one distinct registered name behind the short
   * name, and either the query is a short name or that registered name is the bare short
   * name (its full form is not known). {@code worker-01.zone-c} never matches a DataNode
   * registered as {@code worker-01.zone-a}.
   */
  private List<DataNodeStatus> matchShort(String n) {
    String s = shortName(n);
    ShortName group = s == null ? null : byShort.get(s);
    if (group == null || group.names.size() != 1) {
      return null;
    }
    return n.equals(s) || group.names.contains(s) ? group.dataNodes : null;
  }

  /**
   * @param host a host name, FQDN, short name, IP or {@code host:port}
   * @return the DataNodes on that host (empty when none)
   */
  public List<DataNodeStatus> match(String host) {
    if (host == null || host.isEmpty()) {
      return Collections.emptyList();
    }
    String h = host.trim();
    int colon = h.lastIndexOf(':');
    if (colon > 0 && h.indexOf(':') == colon) {
      DataNodeStatus exact = byAddr.get(normalizeHost(h.substring(0, colon)) + h.substring(colon));
      if (exact != null) {
        return Collections.singletonList(exact);
      }
      h = h.substring(0, colon);
    }
    String n = normalizeHost(h);
    List<DataNodeStatus> l = byKey.get(n);
    if (l == null) {
      l = matchShort(n);
    }
    if (l == null) {
      String ip = resolve(n);
      if (ip != null) {
        l = byKey.get(ip);
      }
    }
    return l == null ? Collections.<DataNodeStatus>emptyList() : l;
  }

  static String normalizeHost(String h) {
    String n = h.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return n;
  }

  private static String resolve(String host) {
    return IPS.get(host);
  }

  private static String lookUpIp(String host) {
    try {
      String mapped = NetUtils.getStaticResolution(host);
      return InetAddress.getByName(mapped != null ? mapped : host).getHostAddress();
    } catch (UnknownHostException | RuntimeException e) {
      return null;
    }
  }
}
