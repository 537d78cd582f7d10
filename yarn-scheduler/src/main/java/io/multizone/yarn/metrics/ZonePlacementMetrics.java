package io.multizone.yarn.metrics;

import io.multizone.yarn.placement.PlacementTier;
import org.apache.hadoop.metrics2.MetricsCollector;
import org.apache.hadoop.metrics2.MetricsSource;
import org.apache.hadoop.metrics2.MetricsSystem;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.metrics2.lib.MutableCounterLong;
import org.apache.hadoop.metrics2.lib.MutableGaugeInt;
import org.apache.hadoop.metrics2.lib.MutableGaugeLong;
import org.apache.hadoop.metrics2.lib.MetricsRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * metrics2 / JMX counters of zone placement, one source per ResourceManager JVM
 * ({@code Hadoop:service=ResourceManager,name=YarnZonePlacement}). The name differs from the
 * HDFS module's {@code ZonePlacement} source so both publish in one JVM (a metrics system
 * registers only one source per name).
 *
 * <p>Containers are counted by the tier they landed in relative to what their request asked
 * for (a named host, a named rack, a zone of those, off-zone, or no locality asked at all),
 * plus DataNode losses, recoveries, requeued containers and the detection delay.
 */
public class ZonePlacementMetrics implements MetricsSource {
  private static final Logger LOG = LoggerFactory.getLogger(ZonePlacementMetrics.class);
  /** Name of the metrics2 source. */
  public static final String SOURCE_NAME = "YarnZonePlacement";
  private static final String DESC = "Zone-aware YARN placement";

  private static ZonePlacementMetrics instance;

  private final MetricsRegistry registry = new MetricsRegistry(SOURCE_NAME).setContext("yarn");
  private final MutableCounterLong containersNodeLocal = registry.newCounter(
      "ContainersNodeLocal", "Containers placed on a host the request named", 0L);
  private final MutableCounterLong containersRackLocal = registry.newCounter(
      "ContainersRackLocal", "Containers placed in a rack the request named", 0L);
  private final MutableCounterLong containersZoneLocal = registry.newCounter(
      "ContainersZoneLocal", "Containers placed in a zone of the request's hosts/racks", 0L);
  private final MutableCounterLong containersOffZone = registry.newCounter(
      "ContainersOffZone", "Containers placed outside every zone the request asked for", 0L);
  private final MutableCounterLong containersNoLocality = registry.newCounter(
      "ContainersNoLocality", "Containers whose request asked for no host or rack", 0L);
  private final MutableCounterLong offZoneOffersSkipped = registry.newCounter(
      "OffZoneOffersSkipped", "Off-zone offers skipped by the zone tier", 0L);
  private final MutableCounterLong dataNodeLosses = registry.newCounter(
      "DataNodeLosses", "DataNode losses noticed", 0L);
  private final MutableCounterLong dataNodeRecoveries = registry.newCounter(
      "DataNodeRecoveries", "DataNodes back after a loss", 0L);
  private final MutableCounterLong containersRequeued = registry.newCounter(
      "ContainersRequeued", "Containers preempted because their local DataNode was lost", 0L);
  private final MutableCounterLong dataNodeReportFailures = registry.newCounter(
      "DataNodeReportFailures", "Failed DataNode report polls", 0L);
  private final MutableGaugeInt lostDataNodes = registry.newGauge(
      "LostDataNodes", "DataNodes currently lost", 0);
  private final MutableGaugeLong lastDetectionDelayMs = registry.newGauge(
      "LastDetectionDelayMs",
      "Delay between the last lost DataNode's last contact and its detection, ms", 0L);

  /**
   * @return the JVM-wide instance, (re-)registered with the current default metrics system
   *     (a ResourceManager restarted in the same JVM gets a fresh metrics system)
   */
  public static synchronized ZonePlacementMetrics get() {
    if (instance == null) {
      instance = new ZonePlacementMetrics();
    }
    MetricsSystem ms = DefaultMetricsSystem.instance();
    try {
      MetricsSource existing = ms.getSource(SOURCE_NAME);
      if (existing == null) {
        ms.register(SOURCE_NAME, DESC, instance);
      } else if (existing != instance) {
        LOG.warn("Another metrics source is registered as {}: zone placement metrics are not "
            + "published", SOURCE_NAME);
      }
    } catch (RuntimeException e) {
      LOG.warn("Could not register metrics source {}: {}", SOURCE_NAME, e.toString());
    }
    return instance;
  }

  @Override
  public void getMetrics(MetricsCollector collector, boolean all) {
    registry.snapshot(collector.addRecord(registry.info()), all);
  }

  /** Counts one container placed in {@code tier}. */
  public void placed(PlacementTier tier) {
    switch (tier) {
      case NODE:
        containersNodeLocal.incr();
        break;
      case RACK:
        containersRackLocal.incr();
        break;
      case ZONE:
        containersZoneLocal.incr();
        break;
      case OFF_ZONE:
        containersOffZone.incr();
        break;
      default:
        containersNoLocality.incr();
        break;
    }
  }

  /** @return containers counted so far in {@code tier} */
  public long placedCount(PlacementTier tier) {
    switch (tier) {
      case NODE:
        return containersNodeLocal.value();
      case RACK:
        return containersRackLocal.value();
      case ZONE:
        return containersZoneLocal.value();
      case OFF_ZONE:
        return containersOffZone.value();
      default:
        return containersNoLocality.value();
    }
  }

  /** Counts one off-zone node offer vetoed by the zone tier. */
  public void offZoneOfferSkipped() {
    offZoneOffersSkipped.incr();
  }

  /** Records a DataNode loss detected {@code delayMs} after its last contact. */
  public void dataNodeLost(long delayMs) {
    dataNodeLosses.incr();
    lastDetectionDelayMs.set(delayMs);
  }

  /** Records a DataNode back after a loss. */
  public void dataNodeRecovered() {
    dataNodeRecoveries.incr();
  }

  /** Records the number of DataNodes currently lost. */
  public void setLostDataNodes(int n) {
    lostDataNodes.set(n);
  }

  /** Counts one requeued (preempted) container. */
  public void containerRequeued() {
    containersRequeued.incr();
  }

  /** Counts one failed DataNode report. */
  public void reportFailed() {
    dataNodeReportFailures.incr();
  }

  /** @return DataNode losses so far */
  public long getDataNodeLosses() {
    return dataNodeLosses.value();
  }

  /** @return DataNode recoveries so far */
  public long getDataNodeRecoveries() {
    return dataNodeRecoveries.value();
  }

  /** @return containers requeued so far */
  public long getContainersRequeued() {
    return containersRequeued.value();
  }

  /** @return detection delay of the last loss, ms */
  public long getLastDetectionDelayMs() {
    return lastDetectionDelayMs.value();
  }

  /** @return failed DataNode reports so far */
  public long getReportFailures() {
    return dataNodeReportFailures.value();
  }

  /** @return off-zone offers skipped so far */
  public long getOffZoneOffersSkipped() {
    return offZoneOffersSkipped.value();
  }
}
