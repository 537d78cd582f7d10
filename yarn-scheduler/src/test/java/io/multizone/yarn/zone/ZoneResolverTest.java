package io.multizone.yarn.zone;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

/** Zone = leading rack-path components; config parsing falls back to defaults. */
public class ZoneResolverTest {

  @Test
  public void leadingComponentsFormTheZone() {
    ZoneResolver r = new ZoneResolver(1);
    assertEquals("/zone-a", r.zoneOf("/zone-a/rack-1"));
    assertEquals("/zone-a", r.zoneOf("/zone-a/rack-2"));
    assertEquals("/eu-west-1a", r.zoneOf("/eu-west-1a/rack-7/sub"));
    assertEquals("/dc1/zone-b", new ZoneResolver(2).zoneOf("/dc1/zone-b/rack-1"));
  }

  @Test
  public void pathWithoutZoneLevelHasNoZone() {
    ZoneResolver r = new ZoneResolver(1);
    assertNull(r.zoneOf("/default-rack"));
    assertNull(r.zoneOf("/default-rack"));
    assertNull(r.zoneOf(null));
    assertNull(new ZoneResolver(2).zoneOf("/zone-a/rack-1"));
  }

  @Test
  public void oldYarnDepthKeyIsStillRead() {
    Configuration conf = new Configuration(false);
    conf.set(io.multizone.zone.ZoneModelConfig.YARN_ZONE_DEPTH_KEY, "2");
    assertEquals(2, new ZonePlacementYarnConfig(conf).getZoneDepth());
  }

  @Test
  public void configDefaultsAndBadValues() {
    Configuration conf = new Configuration(false);
    ZonePlacementYarnConfig d = new ZonePlacementYarnConfig(conf);
    assertEquals(1, d.getZoneDepth());
    assertEquals(-1, d.getOffZoneDelay());
    assertEquals(1000L, d.getPollIntervalMs());
    assertEquals(12_000L, d.getLostAfterMs());
    assertEquals(4, d.getLostConfirmPolls());
    assertEquals(30_000L, d.getRequeueGraceMs());
    assertEquals(600_000L, d.getRequeueHostCooldownMs());
    assertEquals(100, d.getRequeueMaxPerMinute());
    assertEquals(true, d.isRequeueEnabled());
    assertNull(d.getNameNodeUri());

    conf.set(ZonePlacementYarnConfig.ZONE_DEPTH, " 2 ");
    conf.set(ZonePlacementYarnConfig.DATANODE_POLL_INTERVAL_MS, "fast");
    conf.set(ZonePlacementYarnConfig.REQUEUE_GRACE_MS, "-5");
    conf.set(ZonePlacementYarnConfig.REQUEUE_ENABLED, "yes");
    conf.set(ZonePlacementYarnConfig.DATANODE_LOST_CONFIRM_POLLS, "0");
    conf.set(ZonePlacementYarnConfig.REQUEUE_MAX_PER_MINUTE, "many");
    conf.set(ZonePlacementYarnConfig.REQUEUE_HOST_COOLDOWN_MS, "-1");
    conf.set("fs.defaultFS", "hdfs://nn:8020");
    org.apache.hadoop.test.GenericTestUtils.LogCapturer logs =
        org.apache.hadoop.test.GenericTestUtils.LogCapturer.captureLogs(
            org.slf4j.LoggerFactory.getLogger(ZonePlacementYarnConfig.class));
    ZonePlacementYarnConfig c;
    try {
      c = new ZonePlacementYarnConfig(conf);
    } finally {
      logs.stopCapturing();
    }
    for (String key : new String[] {ZonePlacementYarnConfig.DATANODE_LOST_CONFIRM_POLLS,
        ZonePlacementYarnConfig.REQUEUE_MAX_PER_MINUTE,
        ZonePlacementYarnConfig.REQUEUE_HOST_COOLDOWN_MS}) {
      org.junit.Assert.assertTrue(logs.getOutput(), logs.getOutput().contains(key));
    }
    assertEquals(4, c.getLostConfirmPolls());
    assertEquals(100, c.getRequeueMaxPerMinute());
    assertEquals(600_000L, c.getRequeueHostCooldownMs());
    assertEquals(2, c.getZoneDepth());
    assertEquals(1000L, c.getPollIntervalMs());
    assertEquals(30_000L, c.getRequeueGraceMs());
    assertEquals(true, c.isRequeueEnabled());
    assertEquals("hdfs://nn:8020", c.getNameNodeUri());
  }
}
