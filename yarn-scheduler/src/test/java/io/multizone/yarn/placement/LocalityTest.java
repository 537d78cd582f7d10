package io.multizone.yarn.placement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import io.multizone.zone.ZoneResolver;
import org.junit.Test;

/**
 * The in-place drops of a request's locality, worked by hand: a rack stays wanted while its
 * own ask or a named host in it remains, a zone while one of its racks does.
 */
public class LocalityTest {
  private static Locality example() {
    // h1, h2 in /z1/r1; h3 in /z2/r3; h4 unknown to the RM; own asks for /z1/r1 and /z3/r5.
    return new Locality.Builder(new ZoneResolver(1), true, 7)
        .host("h1", "/z1/r1").host("h2", "/z1/r1").host("h3", "/z2/r3").host("h4", null)
        .rackAsk("/z1/r1").rackAsk("/z3/r5")
        .build(12);
  }

  private static Set<String> set(String... s) {
    return new HashSet<>(Arrays.asList(s));
  }

  @Test
  public void builtFromHostsAndRackAsks() {
    Locality l = example();
    assertEquals(set("h1", "h2", "h3", "h4"), l.hosts);
    assertEquals(set("/z1/r1", "/z2/r3", "/z3/r5"), l.racks);
    assertEquals(set("/z1", "/z2", "/z3"), l.zones);
    assertEquals("a host without a rack pins the node count", 12, l.clusterNodes());
    assertEquals(7, l.generation());
  }

  @Test
  public void rackStaysWhileItsAskOrANamedHostRemains() {
    Locality l = example();
    l.dropHost("h1");
    assertEquals(set("/z1/r1", "/z2/r3", "/z3/r5"), l.racks);
    l.dropRackAsk("/z1/r1");
    assertTrue("h2 is still named there", l.racks.contains("/z1/r1"));
    l.dropHost("h2");
    assertFalse(l.racks.contains("/z1/r1"));
    assertEquals(set("/z2", "/z3"), l.zones);
    assertEquals(set("h3", "h4"), l.hosts);
  }

  @Test
  public void zoneStaysWhileOneOfItsRacksRemains() {
    Locality l = new Locality.Builder(new ZoneResolver(1), true, 1)
        .host("a", "/z1/r1").host("b", "/z1/r2").build(3);
    l.dropHost("a");
    assertEquals(set("/z1"), l.zones);
    assertEquals(set("/z1/r2"), l.racks);
    l.dropHost("b");
    assertTrue(l.zones.isEmpty());
    assertFalse(l.located());
    assertEquals("every host had a rack", -1, l.clusterNodes());
  }

  @Test
  public void droppingTwiceOrUnknownNamesChangesNothing() {
    Locality l = example();
    l.dropHost("h3");
    l.dropHost("h3");
    l.dropHost("nobody");
    l.dropRackAsk("/z2/r3"); // named only through h3, never asked for itself
    l.dropRackAsk("/z3/r5");
    l.dropRackAsk("/z3/r5");
    assertEquals(set("/z1/r1"), l.racks);
    assertEquals(set("/z1"), l.zones);
    assertEquals(set("h1", "h2", "h4"), l.hosts);
  }

  @Test
  public void addsAreIdempotentAndUndoDrops() {
    Locality l = example();
    l.dropHost("h3");
    assertEquals(set("/z1", "/z3"), l.zones);
    l.addHost("h3", "/z2/r3");
    l.addHost("h3", "/z2/r3");
    assertEquals(set("/z1/r1", "/z2/r3", "/z3/r5"), l.racks);
    assertEquals(set("/z1", "/z2", "/z3"), l.zones);
    l.addRackAsk("/z2/r4");
    l.addRackAsk("/z2/r4");
    l.dropHost("h3");
    assertEquals("/z2 stays for the rack ask /z2/r4", set("/z1", "/z2", "/z3"), l.zones);
    l.dropRackAsk("/z2/r4");
    assertEquals(set("/z1", "/z3"), l.zones);
    assertEquals(set("/z1/r1", "/z3/r5"), l.racks);
  }
}
