package io.multizone.hdfs.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;

import io.multizone.hdfs.demo.MiniZonedCluster;
import io.multizone.hdfs.demo.ZoneLossExperiment;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.junit.Test;

/**
 * A real cluster loses a whole zone: with our policy every file reads back byte-for-byte;
 * with the stock default policy the very same experiment loses files, which proves the
 * experiment can fail.
 */
public class TestZoneLossOnMiniCluster {

  private static final String[] RACKS = MiniZonedCluster.REFERENCE_RACKS;
  private static final File BASE =
      new File(System.getProperty("test.build.data", "target/test-data"), "zone-loss");

  private final ZoneLossExperiment experiment =
      new ZoneLossExperiment(RACKS, 40, 3, 11L, 60_000L);

  @Test
  public void zoneAwarePolicyLosesNothingWhenAZoneDies() throws Exception {
    ZoneLossExperiment.Result r =
        experiment.run(BlockPlacementPolicyWithZones.CLASS_NAME, new File(BASE, "ours"));
    assertTrue(r.blocks >= r.files);
    assertEquals("blocks in one zone", 0, r.blocksInOneZone);
    assertEquals(4, r.dataNodesLost);
    assertEquals("unreadable files", 0, r.unreadableFiles);
    assertTrue("re-replicated within the timeout", r.msToFullReplication >= 0);
    assertEquals("re-replication keeps two zones", 0, r.blocksInOneZoneAfter);
  }

  @Test
  public void stockDefaultPolicyLosesFilesInTheSameExperiment() throws Exception {
    ZoneLossExperiment.Result r =
        experiment.run(BlockPlacementPolicyDefault.class.getName(), new File(BASE, "stock"));
    assertTrue("Default put some blocks in one zone", r.blocksInOneZone > 0);
    assertTrue("Default lost files", r.unreadableFiles > 0);
  }
}
