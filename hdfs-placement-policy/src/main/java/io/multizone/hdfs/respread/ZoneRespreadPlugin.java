package io.multizone.hdfs.respread;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.metrics.ZonePlacementMetrics;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockInfo;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockManager;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeManager;
import org.apache.hadoop.hdfs.server.blockmanagement.ZoneRespreadAccess;
import org.apache.hadoop.hdfs.server.namenode.FSNamesystem;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.util.ServicePlugin;
import org.apache.hadoop.util.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NameNode plugin ({@code dfs.namenode.plugins}) that queues mis-placed blocks for repair when
 * a zone can take replicas again, so that blocks written into too few zones during an outage
 * are spread without {@code hdfs fsck / -replicate} or a NameNode restart.
 *
 * <p>Trigger: every {@code respread.poll-interval-ms} it reads the zones of the live,
 * in-service, non-stale DataNodes that have sent their first block report (one pass over the
 * DatanodeManager's node list). When that set gains a zone (a zone returns, or a new one
 * appears) while the NameNode populates its replication queues, a rescan is due
 * {@code respread.settle-ms} later; another zone appearing meanwhile pushes it back, and one
 * appearing during a rescan restarts it after the settle time. While the replication queues
 * are not populated (startup safe mode, standby) the set only becomes the baseline: Hadoop
 * scans every block itself when the queues start ({@code BlockManager.processMisReplicatedBlocks()}
 * at leaving safe mode or becoming active), with the zones present then.
 *
 * <p>Rescan: every block of the blocks map, in chunks of {@code respread.blocks-per-chunk}.
 * Per chunk the namesystem <em>read</em> lock is held while the BlockManager's own placement
 * check runs on each block; the mis-placed ones are then handed to
 * {@link BlockManager#processMisReplicatedBlocks(List)}, the method {@code hdfs fsck -replicate}
 * uses: it takes the write lock (in batches of {@code dfs.block.misreplication.processing.limit}),
 * re-checks each block and adds it to the low-redundancy queue (or handles its excess). Then
 * the scan sleeps {@code respread.chunk-pause-ms} holding no lock. It never calls the no-argument
 * {@code BlockManager.processMisReplicatedBlocks()}: that one clears {@code neededReconstruction}
 * first and rebuilds it asynchronously, which right after an outage, with many blocks queued
 * as under-replicated, would drop their queued repairs until the rebuild reached them again.
 *
 * <p>One INFO line per scan start and end, with counts; counters in {@link ZonePlacementMetrics}
 * ({@code RespreadZonesReturned}, {@code RespreadScansStarted}, {@code RespreadScansCompleted},
 * {@code RespreadBlocksChecked}, {@code RespreadBlocksQueued}). With
 * {@code dfs.namenode.zone-placement.respread.enabled=false} it starts no thread. A bad value of
 * any key of the module stops the NameNode at start with one message naming the key (the
 * plugin validates when Hadoop instantiates it, where a failure is fatal, not in
 * {@link #start}, whose failures the NameNode only logs).
 */
public class ZoneRespreadPlugin implements ServicePlugin, Configurable {

  private static final Logger LOG = LoggerFactory.getLogger(ZoneRespreadPlugin.class);

  private Configuration conf;
  private ZonePlacementConfig config;
  private ZoneResolver resolver;
  private volatile boolean stopped;
  private volatile boolean scanRequested;
  private Thread thread;

  private FSNamesystem fsn;
  private BlockManager bm;
  private final ZonePlacementMetrics metrics = ZonePlacementMetrics.get();

  /** Zones seen at the last look; null before the first. */
  private Set<String> baseline;
  /** Monotonic time at which a rescan is due; -1 when none is. */
  private long dueAt = -1;
  private long lastLook;
  /** Zones that appeared since the last scan started, for the log line. */
  private final Set<String> returned = new TreeSet<>();

  /**
   * Validates every key of the module: Hadoop calls this while instantiating the plugins, and
   * a failure there stops the NameNode.
   *
   * @throws IllegalArgumentException naming the key and value of a malformed setting
   */
  @Override
  public void setConf(Configuration conf) {
    this.conf = conf;
    this.config = ZonePlacementConfig.from(conf);
    this.resolver = new ZoneResolver(config.zoneDepth());
  }

  @Override
  public Configuration getConf() {
    return conf;
  }

  @Override
  public void start(Object service) {
    if (config == null) {
      setConf(service instanceof NameNode ? ((NameNode) service).getConf()
          : new Configuration());
    }
    if (!config.respreadEnabled()) {
      LOG.info("Zone re-spread disabled ({}=false)", ZonePlacementConfig.RESPREAD_ENABLED_KEY);
      return;
    }
    if (!(service instanceof NameNode)) {
      LOG.warn("Zone re-spread runs in a NameNode only; not started in {}", service);
      return;
    }
    fsn = ((NameNode) service).getNamesystem();
    bm = fsn.getBlockManager();
    thread = new Thread(this::run, "ZoneRespread");
    thread.setDaemon(true);
    thread.start();
    LOG.info("Zone re-spread started: poll {} ms, settle {} ms, {} blocks per chunk, {} ms"
        + " pause", config.respreadPollIntervalMs(), config.respreadSettleMs(),
        config.respreadBlocksPerChunk(), config.respreadChunkPauseMs());
  }

  @Override
  public void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Asks for a rescan at the next poll, as if a zone had returned and settled (benchmarks
   * and tests; the plugin itself only scans after a zone returns).
   */
  void requestScan() {
    scanRequested = true;
  }

  private void run() {
    while (!stopped) {
      try {
        Thread.sleep(config.respreadPollIntervalMs());
        if (!fsn.isRunning()) {
          continue;
        }
        look();
        if (scanRequested && bm.isPopulatingReplQueues()) {
          scanRequested = false;
          returned.add("(requested)");
          dueAt = Time.monotonicNow();
        }
        if (dueAt >= 0 && Time.monotonicNow() >= dueAt) {
          dueAt = -1;
          scan();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // Never let one bad look end the thread: the NameNode keeps running without it.
        LOG.warn("Zone re-spread: look or scan failed; trying again at the next poll", e);
      }
    }
  }

  /**
   * Reads the zones that can take replicas and schedules a rescan if one appeared.
   *
   * @return whether a zone appeared since the last look
   */
  private boolean look() {
    lastLook = Time.monotonicNow();
    Set<String> zones = zonesTakingReplicas();
    if (!bm.isPopulatingReplQueues()) {
      // Hadoop's own scan covers every block when the queues start being populated.
      baseline = zones;
      dueAt = -1;
      returned.clear();
      return false;
    }
    if (baseline == null) {
      baseline = zones;
      return false;
    }
    Set<String> added = new TreeSet<>(zones);
    added.removeAll(baseline);
    baseline = zones;
    if (added.isEmpty()) {
      return false;
    }
    returned.addAll(added);
    metrics.incrRespreadZonesReturned(added.size());
    dueAt = Time.monotonicNow() + config.respreadSettleMs();
    LOG.info("Zone re-spread: zone(s) {} can take replicas again; rescan in {} ms", added,
        config.respreadSettleMs());
    return true;
  }

  /**
   * Zones with a live, in-service, non-stale DataNode that has sent its first block report.
   * Stale counts as gone: an outage shorter than the dead-node interval (10.5 min by default)
   * still makes clients write around the zone's nodes, and its end must trigger a rescan too.
   */
  private Set<String> zonesTakingReplicas() {
    Set<String> zones = new TreeSet<>();
    DatanodeManager dm = bm.getDatanodeManager();
    long stale = ZoneRespreadAccess.staleIntervalMs(dm);
    for (DatanodeDescriptor d : dm.getDatanodeListForReport(DatanodeReportType.LIVE)) {
      String loc = d.getNetworkLocation();
      if (d.isInService() && !d.isStale(stale) && resolver.hasZoneLevel(loc)
          && d.checkBlockReportReceived()) {
        zones.add(resolver.zoneOf(loc));
      }
    }
    return zones;
  }

  /** One pass over every block, in chunks; returns early if a zone appears meanwhile. */
  private void scan() throws InterruptedException {
    long start = Time.monotonicNow();
    Set<String> why = new TreeSet<>(returned);
    returned.clear();
    metrics.incrRespreadScansStarted();
    final int chunk = config.respreadBlocksPerChunk();
    LOG.info("Zone re-spread: rescan of {} blocks started after zone(s) {} returned ({} per"
        + " chunk, {} ms pause)", bm.getTotalBlocks(), why, chunk,
        config.respreadChunkPauseMs());
    long checked = 0;
    long queued = 0;
    long chunks = 0;
    List<BlockInfo> misplaced = new ArrayList<>();
    Iterator<BlockInfo> it;
    fsn.readLock();
    try {
      it = ZoneRespreadAccess.blockIterator(bm);
    } finally {
      fsn.readUnlock("zoneRespreadScan");
    }
    boolean more = true;
    while (more) {
      if (stopped || !fsn.isRunning() || !bm.isPopulatingReplQueues()) {
        LOG.info("Zone re-spread: rescan stopped (NameNode stopping or no longer active)"
            + " after {} blocks checked, {} queued, {} ms", checked, queued,
            Time.monotonicNow() - start);
        return;
      }
      misplaced.clear();
      int n = 0;
      fsn.readLock();
      try {
        while (n < chunk && it.hasNext()) {
          BlockInfo b = it.next();
          n++;
          if (!b.isDeleted() && b.isComplete()
              && !ZoneRespreadAccess.isPlacementPolicySatisfied(bm, b)) {
            misplaced.add(b);
          }
        }
        more = it.hasNext();
      } finally {
        fsn.readUnlock("zoneRespreadScan");
      }
      chunks++;
      checked += n;
      metrics.incrRespreadBlocksChecked(n);
      if (!misplaced.isEmpty()) {
        int q = bm.processMisReplicatedBlocks(misplaced);
        queued += q;
        metrics.incrRespreadBlocksQueued(q);
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException();
        }
      }
      if (more) {
        Thread.sleep(config.respreadChunkPauseMs());
        if (Time.monotonicNow() - lastLook >= config.respreadPollIntervalMs() && look()) {
          LOG.info("Zone re-spread: rescan cut short after {} blocks checked, {} queued, {} ms:"
              + " zone(s) {} appeared; starting again after the settle time", checked, queued,
              Time.monotonicNow() - start, returned);
          returned.addAll(why);
          return;
        }
      }
    }
    metrics.incrRespreadScansCompleted();
    LOG.info("Zone re-spread: rescan done: {} blocks checked, {} mis-placed queued for"
        + " reconstruction, {} chunks, {} ms", checked, queued, chunks,
        Time.monotonicNow() - start);
  }
}
