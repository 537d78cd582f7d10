package io.multizone.zone;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

/** The shared zone-depth key, its deprecated per-module aliases and their errors. */
public class TestZoneModelConfig {

  private static Configuration conf(String... kv) {
    Configuration c = new Configuration(false);
    for (int i = 0; i < kv.length; i += 2) {
      c.set(kv[i], kv[i + 1]);
    }
    return c;
  }

  @Test
  public void defaultIsOne() {
    assertEquals(1, ZoneModelConfig.zoneDepth(conf()));
    assertFalse(ZoneModelConfig.isZoneDepthSet(conf()));
  }

  @Test
  public void sharedKeyWins() {
    assertEquals(2, ZoneModelConfig.zoneDepth(conf(ZoneModelConfig.ZONE_DEPTH_KEY, " 2 ")));
  }

  @Test
  public void eitherOldKeyStillWorks() {
    assertEquals(2, ZoneModelConfig.zoneDepth(conf(ZoneModelConfig.HDFS_ZONE_DEPTH_KEY, "2")));
    assertEquals(3, ZoneModelConfig.zoneDepth(conf(ZoneModelConfig.YARN_ZONE_DEPTH_KEY, "3")));
    assertTrue(ZoneModelConfig.isZoneDepthSet(conf(ZoneModelConfig.YARN_ZONE_DEPTH_KEY, "3")));
  }

  @Test
  public void aliasAgreeingWithTheSharedKeyIsAccepted() {
    assertEquals(2, ZoneModelConfig.zoneDepth(conf(ZoneModelConfig.ZONE_DEPTH_KEY, "2",
        ZoneModelConfig.YARN_ZONE_DEPTH_KEY, "2")));
  }

  @Test
  public void contradictingAliasNamesBothKeys() {
    try {
      ZoneModelConfig.zoneDepth(conf(ZoneModelConfig.ZONE_DEPTH_KEY, "1",
          ZoneModelConfig.HDFS_ZONE_DEPTH_KEY, "2"));
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(ZoneModelConfig.ZONE_DEPTH_KEY)
          && e.getMessage().contains(ZoneModelConfig.HDFS_ZONE_DEPTH_KEY));
    }
  }

  @Test
  public void badValueNamesTheKeyItCameFrom() {
    for (String bad : new String[] {"two", "0", "-1", "1.5"}) {
      try {
        ZoneModelConfig.zoneDepth(conf(ZoneModelConfig.YARN_ZONE_DEPTH_KEY, bad));
        fail(bad);
      } catch (IllegalArgumentException e) {
        assertEquals("Invalid value for " + ZoneModelConfig.YARN_ZONE_DEPTH_KEY + ": '" + bad
            + "' (expected a whole number >= 1)", e.getMessage());
      }
    }
  }
}
