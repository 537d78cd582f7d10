package io.multizone.yarn.mapreduce;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import io.multizone.yarn.ZonePlacementYarnConfig;
import io.multizone.yarn.placement.ZoneAwarePlacementAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler;
import org.junit.Test;

/**
 * A real MapReduce job (MapReduce ApplicationMaster, task JVMs, HDFS splits) on six hosts in
 * three zones, stock CapacityScheduler against ours, same data, in one run; ours is enabled
 * through the site key alone.
 *
 * <p>Every split's only replica is on {@code h-a1}, whose NodeManager holds one container;
 * its rack has no other host; {@code h-a2}, the other rack of zone-a, has room for the rest.
 * Ours puts every map the data host cannot take in the data's zone. Stock places those maps
 * off-switch on whichever node heartbeats next, in any zone. The shares of both are printed;
 * the assertion is on ours. Control, checked once: with the stock allocator the same
 * assertion failed (2 of 4 maps off-zone).
 */
public class MapReduceLocalityJobTest {
  private static final int MAPS = 4;

  @Test
  public void mapsTheDataHostCannotTakeStayInTheDataZone() throws Exception {
    Map<String, int[]> shares = new HashMap<>();
    for (String setup : new String[] {"stock", "ours"}) {
      shares.put(setup, runOnce(setup, "ours".equals(setup)));
    }
    System.out.println("MapReduce map locality (" + MAPS + " maps, data on h-a1 only, h-a1 "
        + "holds one container): node / rack / zone / off-zone");
    for (String setup : new String[] {"stock", "ours"}) {
      int[] s = shares.get(setup);
      System.out.printf("  %-6s %d / %d / %d / %d%n", setup, s[0], s[1], s[2], s[3]);
    }
    int[] ours = shares.get("ours");
    assertEquals("ours: every map ran in the data's zone (node/rack/zone/off-zone = "
        + ours[0] + "/" + ours[1] + "/" + ours[2] + "/" + ours[3] + ")", 0, ours[3]);
    assertEquals(MAPS, ours[0] + ours[1] + ours[2]);
  }

  private int[] runOnce(String setup, boolean ours) throws Exception {
    Configuration keys = new Configuration(false);
    if (ours) {
      keys.set(ZonePlacementYarnConfig.YARN_APP_PLACEMENT_ALLOCATOR_KEY,
          ZoneAwarePlacementAllocator.class.getName());
    }
    try (ZoneMapReduceCluster cluster = new ZoneMapReduceCluster("mr-locality-" + setup, keys,
        Collections.singletonMap("h-a1", 1))) {
      assertTrue(cluster.yarn().getResourceManager().getResourceScheduler()
          instanceof CapacityScheduler);
      Path input = new Path("/in");
      byte[] data = ZoneMapReduceCluster.lines(64 * 1024, 'x');
      for (int i = 0; i < MAPS; i++) {
        cluster.writeOn(new Path(input, "part-" + i), data, "h-a1");
      }
      ProbeJob job = new ProbeJob(cluster.jobConf(), "locality-" + setup, input,
          new Path("/probe"), false);
      job.job.submit();
      assertTrue("job finished", job.awaitCompletion(600_000));
      assertTrue(setup + " job succeeded", job.job.isSuccessful());
      int[] tiers = new int[4];
      for (ProbeJob.Attempt a : job.attempts().values()) {
        assertEquals("bytes read back by " + a, data.length, a.bytes);
        assertEquals("the test wrote every split on h-a1 alone",
            Collections.singletonList("h-a1"), cluster.hostsOf(new Path(a.file)));
        tiers[ZoneMapReduceCluster.tierOf(a.host, "h-a1")]++;
      }
      assertEquals(setup + ": one attempt per map", MAPS, tiers[0] + tiers[1] + tiers[2]
          + tiers[3]);
      return tiers;
    }
  }
}
