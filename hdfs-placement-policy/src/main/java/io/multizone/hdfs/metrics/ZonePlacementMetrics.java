package io.multizone.hdfs.metrics;

import org.apache.hadoop.metrics2.MetricsCollector;
import org.apache.hadoop.metrics2.MetricsSource;
import org.apache.hadoop.metrics2.MetricsSystem;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.metrics2.lib.MetricsRegistry;
import org.apache.hadoop.metrics2.lib.MutableCounterLong;

/**
 * Counters of the zone-aware placement policy, published through Hadoop metrics2 and so
 * visible in JMX as {@code Hadoop:service=NameNode,name=ZonePlacement} and in every metrics
 * sink the NameNode is configured with.
 *
 * <p>One instance per JVM: a NameNode has one contiguous placement policy, and tests that
 * start several NameNodes in one JVM read deltas.
 */
public final class ZonePlacementMetrics implements MetricsSource {

  public static final String NAME = "ZonePlacement";

  private static final ZonePlacementMetrics INSTANCE = new ZonePlacementMetrics();

  private final MetricsRegistry registry = new MetricsRegistry(NAME).setContext("dfs");
  private final MutableCounterLong singleZonePlacements = registry.newCounter(
      "SingleZonePlacements", "Blocks whose targets span fewer zones than required because"
          + " no other zone could take a replica", 0L);
  private final MutableCounterLong storageLimitedPlacements = registry.newCounter(
      "StorageLimitedPlacements", "Blocks whose storage types exist in fewer zones than"
          + " min-zones, placed in as many zones as those types allow", 0L);
  private final MutableCounterLong zoneAwarePlacements = registry.newCounter(
      "ZoneAwarePlacements", "Target choices made by the zone rule", 0L);
  private final MutableCounterLong zoneViolationsReported = registry.newCounter(
      "ZoneViolationsReported", "Placement checks (verifyBlockPlacement: fsck, redundancy"
          + " monitor, decommission) that found a block in too few zones or an EC block group"
          + " crowding a zone; one block may be checked several times", 0L);
  private final MutableCounterLong movesRefused = registry.newCounter("MovesRefused",
      "Balancer/Mover candidate moves refused because they would reduce the zones a block"
          + " spans or crowd a zone; the Dispatcher may ask about one block several times", 0L);
  private final MutableCounterLong excessReplicasChosen = registry.newCounter(
      "ExcessReplicasChosen", "Excess replicas chosen for deletion by the zone rule", 0L);

  private final MutableCounterLong respreadZonesReturned = registry.newCounter(
      "RespreadZonesReturned", "Zones seen taking replicas again (a live in-service DataNode"
          + " with a block report in a zone that had none), or new zones", 0L);
  private final MutableCounterLong respreadScansStarted = registry.newCounter(
      "RespreadScansStarted", "Rescans of every block started after a zone returned", 0L);
  private final MutableCounterLong respreadScansCompleted = registry.newCounter(
      "RespreadScansCompleted", "Rescans that reached the last block (a scan cut short by"
          + " another returning zone is started again)", 0L);
  private final MutableCounterLong respreadBlocksChecked = registry.newCounter(
      "RespreadBlocksChecked", "Blocks whose placement a rescan checked", 0L);
  private final MutableCounterLong respreadBlocksQueued = registry.newCounter(
      "RespreadBlocksQueued", "Mis-placed blocks a rescan handed to the BlockManager for"
          + " reconstruction (the path of fsck -replicate)", 0L);

  private ZonePlacementMetrics() {
  }

  @Override
  public void getMetrics(MetricsCollector collector, boolean all) {
    registry.snapshot(collector.addRecord(registry.info()), all);
  }

  /** The JVM's instance, registered with the default metrics system if not yet there. */
  public static ZonePlacementMetrics get() {
    INSTANCE.ensureRegistered();
    return INSTANCE;
  }

  private synchronized void ensureRegistered() {
    MetricsSystem ms = DefaultMetricsSystem.instance();
    if (ms.getSource(NAME) == null) {
      ms.register(NAME, "Zone-aware HDFS block placement", this);
    }
  }

  public void incrSingleZonePlacements() {
    singleZonePlacements.incr();
  }

  public void incrZoneAwarePlacements() {
    zoneAwarePlacements.incr();
  }

  public void incrZoneViolationsReported() {
    zoneViolationsReported.incr();
  }

  public void incrMovesRefused() {
    movesRefused.incr();
  }

  public void incrExcessReplicasChosen() {
    excessReplicasChosen.incr();
  }

  public void incrExcessReplicasChosen(long n) {
    excessReplicasChosen.incr(n);
  }

  public void incrStorageLimitedPlacements() {
    storageLimitedPlacements.incr();
  }

  public long storageLimitedPlacements() {
    return storageLimitedPlacements.value();
  }

  public long singleZonePlacements() {
    return singleZonePlacements.value();
  }

  public long zoneAwarePlacements() {
    return zoneAwarePlacements.value();
  }

  public long zoneViolationsReported() {
    return zoneViolationsReported.value();
  }

  public long movesRefused() {
    return movesRefused.value();
  }

  public long excessReplicasChosen() {
    return excessReplicasChosen.value();
  }

  public void incrRespreadZonesReturned(long n) {
    respreadZonesReturned.incr(n);
  }

  public void incrRespreadScansStarted() {
    respreadScansStarted.incr();
  }

  public void incrRespreadScansCompleted() {
    respreadScansCompleted.incr();
  }

  public void incrRespreadBlocksChecked(long n) {
    respreadBlocksChecked.incr(n);
  }

  public void incrRespreadBlocksQueued(long n) {
    respreadBlocksQueued.incr(n);
  }

  public long respreadZonesReturned() {
    return respreadZonesReturned.value();
  }

  public long respreadScansStarted() {
    return respreadScansStarted.value();
  }

  public long respreadScansCompleted() {
    return respreadScansCompleted.value();
  }

  public long respreadBlocksChecked() {
    return respreadBlocksChecked.value();
  }

  public long respreadBlocksQueued() {
    return respreadBlocksQueued.value();
  }
}
