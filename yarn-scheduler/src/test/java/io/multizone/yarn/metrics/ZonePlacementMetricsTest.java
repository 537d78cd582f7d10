package io.multizone.yarn.metrics;

import static org.apache.hadoop.test.MetricsAsserts.assertCounter;
import static org.apache.hadoop.test.MetricsAsserts.getMetrics;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;

import io.multizone.yarn.placement.PlacementTier;
import org.apache.hadoop.metrics2.MetricsSource;
import org.apache.hadoop.metrics2.MetricsSystem;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.metrics2.lib.Interns;
import org.junit.Test;

/** The YARN metrics source keeps its own name beside the HDFS module's. */
public class ZonePlacementMetricsTest {

  /**
   * The HDFS placement module registers a source named {@code ZonePlacement} (a NameNode in
   * the same JVM, as in a MiniDFSCluster + MockRM test or a combined daemon): the YARN
   * counters are still published, under {@code YarnZonePlacement}. Fails without the fix:
   * both were {@code ZonePlacement}, the YARN source was silently not registered and its
   * counters were nowhere.
   */
  @Test
  public void yarnSourceIsPublishedBesideTheHdfsOne() {
    MetricsSystem ms = DefaultMetricsSystem.instance();
    MetricsSource hdfs = (collector, all) -> collector.addRecord("ZonePlacement")
        .addCounter(Interns.info("BlocksPlaced", "HDFS module counter"), 7L);
    ms.register("ZonePlacement", "HDFS zone placement", hdfs);

    ZonePlacementMetrics yarn = ZonePlacementMetrics.get();
    long before = yarn.placedCount(PlacementTier.OFF_ZONE);
    yarn.placed(PlacementTier.OFF_ZONE);

    assertSame("the YARN source is registered", yarn, ms.getSource("YarnZonePlacement"));
    assertCounter("ContainersOffZone", before + 1, getMetrics("YarnZonePlacement"));
    assertEquals("YarnZonePlacement", ZonePlacementMetrics.SOURCE_NAME);
    assertSame(hdfs, ms.getSource("ZonePlacement"));
    assertNotSame(ms.getSource("ZonePlacement"), ms.getSource("YarnZonePlacement"));
  }
}
