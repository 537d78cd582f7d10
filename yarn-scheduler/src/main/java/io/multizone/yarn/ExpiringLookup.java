package io.multizone.yarn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The answers of a slow lookup (DNS, the topology script) per key, each kept for a while: an
 * answer for {@code foundTtlMs}, "not found" (null) for the shorter {@code missingTtlMs}, so a
 * host that changes address or rack is seen again and a passing failure does not stick.
 * Thread-safe; two threads may look the same key up at once, which is harmless.
 */
public final class ExpiringLookup {

  private static final class Entry {
    final String value;
    final long expiresMs;

    Entry(String value, long expiresMs) {
      this.value = value;
      this.expiresMs = expiresMs;
    }
  }

  private final Function<String, String> lookup;
  private final long foundTtlMs;
  private final long missingTtlMs;
  private final LongSupplier clock;
  private final Map<String, Entry> answers = new ConcurrentHashMap<>();

  /**
   * @param lookup the slow lookup; returns null for "not found"
   * @param clock milliseconds, wall or test-driven
   */
  public ExpiringLookup(Function<String, String> lookup, long foundTtlMs, long missingTtlMs,
      LongSupplier clock) {
    this.lookup = lookup;
    this.foundTtlMs = foundTtlMs;
    this.missingTtlMs = missingTtlMs;
    this.clock = clock;
  }

  /** The answer for {@code key}, looked up again once the cached one has expired. */
  public String get(String key) {
    long now = clock.getAsLong();
    Entry e = answers.get(key);
    if (e == null || now >= e.expiresMs) {
      String value = lookup.apply(key);
      e = new Entry(value, now + (value == null ? missingTtlMs : foundTtlMs));
      answers.put(key, e);
    }
    return e.value;
  }
}
