package io.multizone.yarn.metrics;

import io.multizone.yarn.placement.PlacementTier;
import org.apache.hadoop.metrics2.MetricsSystem;
import org.apache.hadoop.metrics2.annotation.Metric;
import org.apache.hadoop.metrics2.annotation.Metrics;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.metrics2.lib.MutableCounterLong;
import org.apache.hadoop.metrics2.lib.MutableGaugeInt;
import org.apache.hadoop.metrics2.lib.MutableGaugeLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * metrics2 / JMX counters of zone placement, one source per ResourceManager JVM
 * ({@code Hadoop:service=ResourceManager,name=ZonePlacement}).
 *
 * <p>Containers are counted by the tier they landed in relative to what their request asked
 * for (a named host, a named rack, a zone of those, off-zone, or no locality asked at all),
 * plus DataNode losses, recoveries, requeued containers and the detection delay.
 */
@Metrics(name = "ZonePlacement", about = "Zone-aware YARN placement", context = "yarn")
public class ZonePlacementMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ZonePlacementMetrics.class);
  /** Name of the metrics2 source. */
  public static final String SOURCE_NAME = "ZonePlacement";

  private static ZonePlacementMetrics instance;

  @Metric("Containers placed on a host the request named")
  MutableCounterLong containersNodeLocal;
  @Metric("Containers placed in a rack the request named")
  MutableCounterLong containersRackLocal;
  @Metric("Containers placed in a zone of the request's hosts/racks")
  MutableCounterLong containersZoneLocal;
  @Metric("Containers placed outside every zone the request asked for")
  MutableCounterLong containersOffZone;
  @Metric("Containers whose request asked for no host or rack")
  MutableCounterLong containersNoLocality;
  @Metric("Off-zone offers skipped by the zone tier")
  MutableCounterLong offZoneOffersSkipped;
  @Metric("DataNode losses noticed")
  MutableCounterLong dataNodeLosses;
  @Metric("DataNodes back after a loss")
  MutableCounterLong dataNodeRecoveries;
  @Metric("Containers preempted because their local DataNode was lost")
  MutableCounterLong containersRequeued;
  @Metric("Failed DataNode report polls")
  MutableCounterLong dataNodeReportFailures;
  @Metric("DataNodes currently lost")
  MutableGaugeInt lostDataNodes;
  @Metric("Delay between a lost DataNode's last contact and its detection, ms (last loss)")
  MutableGaugeLong lastDetectionDelayMs;

  /**
   * @return the JVM-wide instance, registered with the default metrics system on first use
   */
  public static synchronized ZonePlacementMetrics get() {
    if (instance == null) {
      ZonePlacementMetrics m = new ZonePlacementMetrics();
      MetricsSystem ms = DefaultMetricsSystem.instance();
      try {
        instance = ms.register(SOURCE_NAME, "Zone-aware YARN placement", m);
      } catch (RuntimeException e) {
        // Already registered by an earlier RM in this JVM (tests) or metrics unavailable.
        LOG.debug("Could not register metrics source {}: {}", SOURCE_NAME, e.toString());
        instance = m;
      }
      if (instance.containersNodeLocal == null) {
        // Annotations are only processed on registration; fall back to a private registry.
        instance = new ZonePlacementMetrics();
        org.apache.hadoop.metrics2.lib.MetricsRegistry reg =
            new org.apache.hadoop.metrics2.lib.MetricsRegistry(SOURCE_NAME);
        instance.containersNodeLocal = reg.newCounter("ContainersNodeLocal", "", 0L);
        instance.containersRackLocal = reg.newCounter("ContainersRackLocal", "", 0L);
        instance.containersZoneLocal = reg.newCounter("ContainersZoneLocal", "", 0L);
        instance.containersOffZone = reg.newCounter("ContainersOffZone", "", 0L);
        instance.containersNoLocality = reg.newCounter("ContainersNoLocality", "", 0L);
        instance.offZoneOffersSkipped = reg.newCounter("OffZoneOffersSkipped", "", 0L);
        instance.dataNodeLosses = reg.newCounter("DataNodeLosses", "", 0L);
        instance.dataNodeRecoveries = reg.newCounter("DataNodeRecoveries", "", 0L);
        instance.containersRequeued = reg.newCounter("ContainersRequeued", "", 0L);
        instance.dataNodeReportFailures = reg.newCounter("DataNodeReportFailures", "", 0L);
        instance.lostDataNodes = reg.newGauge("LostDataNodes", "", 0);
        instance.lastDetectionDelayMs = reg.newGauge("LastDetectionDelayMs", "", 0L);
      }
    }
    return instance;
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
