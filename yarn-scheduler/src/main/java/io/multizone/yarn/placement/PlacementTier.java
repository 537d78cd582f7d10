package io.multizone.yarn.placement;

/**
 * Where a container landed relative to the hosts and racks its request named: the four
 * tiers of zone placement, plus {@link #NONE} for requests that asked for no location.
 */
public enum PlacementTier {
  /** On a host the request named. */
  NODE,
  /** In a rack the request named (or the rack of a named host). */
  RACK,
  /** In a zone of the named hosts/racks, outside their racks. */
  ZONE,
  /** Outside every zone the request asked for. */
  OFF_ZONE,
  /** The request named no host or rack. */
  NONE
}
