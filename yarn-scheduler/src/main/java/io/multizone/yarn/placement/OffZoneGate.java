package io.multizone.yarn.placement;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The zone → anywhere step of one request: an off-zone offer is refused until at least the
 * off-zone delay of them was skipped since the last in-zone allocation, and while any node
 * of a wanted zone has room. The room scan is O(cluster), so it is redone every
 * {@value #ROOM_RECHECK_OFFERS} off-zone offers past the delay (accepted ones included, else
 * a "no room" answer would stick while offers are accepted) and before each further off-zone
 * container ({@link #allocated} sets the mark after an off-zone one). An in-zone allocation
 * only uses room up, so it does not trigger a scan: while room remains the offers are refused
 * anyway, and the next periodic scan sees the zone fill up. Thread-safe (asynchronous
 * scheduling).
 */
final class OffZoneGate {
  static final int ROOM_RECHECK_OFFERS = 8;
  /** Off-zone offers skipped since the last in-zone allocation (the off-zone delay). */
  private final AtomicInteger vetoes = new AtomicInteger();
  /** Off-zone offers past the delay, accepted or not: the room re-check cadence. */
  private final AtomicInteger offers = new AtomicInteger();
  /** {@link #offers} at the last room check (compared wrap-safe). */
  private volatile int roomCheckedAtOffer;
  /** Set by an off-zone allocation: check the room at the next off-zone offer. */
  private volatile boolean roomCheckDue = true;
  private volatile boolean zoneHasRoom = true;

  /**
   * @param delay off-zone offers to skip at least
   * @param wantedZoneHasRoom the room scan, run only when due
   * @return whether this off-zone offer may be accepted (if not, call {@link #vetoed})
   */
  boolean allows(int delay, BooleanSupplier wantedZoneHasRoom) {
    if (vetoes.get() < delay) {
      return false;
    }
    int n = offers.incrementAndGet();
    if (roomCheckDue || n - roomCheckedAtOffer >= ROOM_RECHECK_OFFERS) {
      roomCheckDue = false;
      roomCheckedAtOffer = n;
      zoneHasRoom = wantedZoneHasRoom.getAsBoolean();
    }
    return !zoneHasRoom;
  }

  /** Counts one refused off-zone offer. */
  void vetoed() {
    vetoes.incrementAndGet();
  }

  /** @return off-zone offers skipped since the last in-zone allocation */
  int vetoes() {
    return vetoes.get();
  }

  /**
   * A container of this request was placed: an in-zone one restarts the delay; after an
   * off-zone one the room is scanned again at the next off-zone offer, so room freed in a
   * wanted zone meanwhile ends off-zone placement before another container leaves.
   */
  void allocated(boolean offZone) {
    if (offZone) {
      roomCheckDue = true;
    } else {
      vetoes.set(0);
    }
  }
}
