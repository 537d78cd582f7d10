package io.multizone.yarn.liveness;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.apache.hadoop.net.NetUtils;

/**
 * Matches a NodeManager's host (host name, FQDN or short name, IP, or {@code host:port}) to
 * the DataNodes the NameNode reports, which may be registered under another of those forms.
 *
 * <p>An index is built once per report; a {@code host:port} query first tries the exact
 * DataNode transfer address, then falls back to the host. Names that match no DataNode
 * directly are resolved to an IP; resolutions are cached for {@value #RESOLVED_TTL_MS} ms,
 * failures for {@value #UNRESOLVED_TTL_MS} ms.
 */
public final class HostMatcher {
  private final Map<String, List<DataNodeStatus>> byKey = new HashMap<>();
  private final Map<String, DataNodeStatus> byAddr = new HashMap<>();
  /** Host name -> resolved IP ("" when it did not resolve) and when to look again. */
  private static final Map<String, Resolution> IP_CACHE = new ConcurrentHashMap<>();
  /** A resolved name is looked up again after this long (hosts do get new addresses). */
  static final long RESOLVED_TTL_MS = 10 * 60_000L;
  /** A name that did not resolve is retried after this long (a DNS hiccup must not stick). */
  static final long UNRESOLVED_TTL_MS = 30_000L;
  /** Wall clock for the cache; tests move it. */
  static volatile LongSupplier clock = System::currentTimeMillis;

  private static final class Resolution {
    final String ip;
    final long expiresMs;

    Resolution(String ip, long expiresMs) {
      this.ip = ip;
      this.expiresMs = expiresMs;
    }
  }

  /** @param dataNodes the DataNodes of one report */
  public HostMatcher(Collection<DataNodeStatus> dataNodes) {
    for (DataNodeStatus d : dataNodes) {
      for (String k : keysOf(d.getHostName())) {
        add(k, d);
      }
      for (String k : keysOf(d.getIpAddr())) {
        add(k, d);
      }
      byAddr.put(normalizeHost(d.getIpAddr()) + ":" + d.getXferPort(), d);
      byAddr.put(normalizeHost(d.getHostName()) + ":" + d.getXferPort(), d);
    }
  }

  private void add(String key, DataNodeStatus d) {
    List<DataNodeStatus> l = byKey.computeIfAbsent(key, k -> new ArrayList<>(1));
    if (!l.contains(d)) {
      l.add(d);
    }
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
      int dot = n.indexOf('.');
      if (dot > 0 && !Character.isDigit(n.charAt(0))) {
        l = byKey.get(n.substring(0, dot));
      }
    }
    if (l == null) {
      String ip = resolve(n);
      if (ip != null) {
        l = byKey.get(ip);
      }
    }
    return l == null ? Collections.<DataNodeStatus>emptyList() : l;
  }

  private static List<String> keysOf(String name) {
    List<String> keys = new ArrayList<>(2);
    if (name == null || name.isEmpty()) {
      return keys;
    }
    String n = normalizeHost(name);
    keys.add(n);
    int dot = n.indexOf('.');
    if (dot > 0 && !Character.isDigit(n.charAt(0))) {
      keys.add(n.substring(0, dot));
    }
    return keys;
  }

  static String normalizeHost(String h) {
    String n = h.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return n;
  }

  private static String resolve(String host) {
    long now = clock.getAsLong();
    Resolution cached = IP_CACHE.get(host);
    if (cached != null && now < cached.expiresMs) {
      return cached.ip.isEmpty() ? null : cached.ip;
    }
    String ip;
    try {
      String mapped = NetUtils.getStaticResolution(host);
      ip = InetAddress.getByName(mapped != null ? mapped : host).getHostAddress();
    } catch (UnknownHostException | RuntimeException e) {
      ip = "";
    }
    IP_CACHE.put(host, new Resolution(ip,
        now + (ip.isEmpty() ? UNRESOLVED_TTL_MS : RESOLVED_TTL_MS)));
    return ip.isEmpty() ? null : ip;
  }
}
