package io.multizone.hdfs.zone;

import io.multizone.zone.ZoneResolver;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;

import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.NodeBase;
import org.junit.Test;

/** The zone model on its own: no NameNode. */
public class TestZoneModel {

  private final ZoneResolver depth1 = new ZoneResolver(1);

  @Test
  public void zoneIsTheLeadingPartOfTheLocation() {
    assertEquals("/zone-a", depth1.zoneOf("/zone-a/rack-1"));
    assertEquals("/zone-a", depth1.zoneOf("/zone-a/rack-1/ng-2"));
    assertEquals("/eu/zone-a", new ZoneResolver(2).zoneOf("/eu/zone-a/rack-1"));
  }

  @Test
  public void flatLocationsHaveNoZone() {
    assertNull(depth1.zoneOf("/rack-1"));
    assertNull(depth1.zoneOf(NetworkTopology.DEFAULT_RACK));
    assertNull(new ZoneResolver(2).zoneOf("/zone-a/rack-1"));
    assertNull(depth1.zoneOf(null));
    assertFalse(depth1.hasZoneLevel("/rack-1"));
  }

  @Test
  public void layoutGroupsRacksByZone() {
    ZoneLayout l = ZoneLayout.ofLocations(Arrays.asList("/zone-b/rack-1", "/zone-a/rack-2",
        "/zone-a/rack-1", "/zone-a/rack-1"), depth1);
    assertTrue(l.isZoned());
    assertEquals(2, l.zoneCount());
    ZoneLayout.Zone a = l.zone("/zone-a");
    assertEquals(3, a.nodes().length);
    assertEquals(4, l.nodeCount());
    assertEquals("/zone-a/rack-1", a.racks().get(0).name());
    assertEquals("/zone-a/rack-2", a.racks().get(1).name());
    assertEquals(2, a.racks().get(0).nodes().length);
    assertNull(l.zone("/zone-c"));
  }

  @Test
  public void oneFlatLocationMakesTheLayoutFlat() {
    assertFalse(ZoneLayout.ofLocations(Arrays.asList("/zone-a/rack-1", "/rack-1"), depth1)
        .isZoned());
    assertFalse(ZoneLayout.ofLocations(Arrays.<String>asList(), depth1).isZoned());
  }

  @Test
  public void spreadCountsZonesAndRacks() {
    ReplicaSpread s = ReplicaSpread.of(depth1, Arrays.asList(
        new NodeBase("h1", "/zone-a/rack-1"), new NodeBase("h2", "/zone-a/rack-1"),
        new NodeBase("h3", "/zone-b/rack-2")));
    assertEquals(2, s.zoneCount());
    assertEquals(2, s.inZone("/zone-a"));
    assertEquals(2, s.inRack("/zone-a/rack-1"));
    assertEquals(2, s.maxPerZone());
    assertEquals("/zone-b", s.lastZone());
    assertTrue(s.isLastInZone(new NodeBase("h3", "/zone-b/rack-2")));
    assertFalse(s.isLastInZone(new NodeBase("h1", "/zone-a/rack-1")));
    s.remove(new NodeBase("h3", "/zone-b/rack-2"));
    assertEquals(1, s.zoneCount());
    assertFalse(s.holdsZone("/zone-b"));
    s.remove(new NodeBase("h1", "/zone-a/rack-1"));
    s.remove(new NodeBase("h2", "/zone-a/rack-1"));
    assertEquals(0, s.maxPerZone());
  }

  @Test
  public void topologyZonesFollowsTheTopology() {
    NetworkTopology topology = new NetworkTopology();
    TopologyZones zones = new TopologyZones(topology, depth1, 60_000, null);
    assertFalse(zones.current().isZoned());
    topology.add(new NodeBase("h1", "/zone-a/rack-1"));
    topology.add(new NodeBase("h2", "/zone-b/rack-1"));
    assertEquals(2, zones.current().zoneCount());
    topology.add(new NodeBase("h3", "/zone-c/rack-1"));
    assertEquals(3, zones.current().zoneCount());
    assertFalse(new TopologyZones(null, depth1, 1, null).current().isZoned());
  }
}
