package io.multizone.hdfs.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.hdfs.demo.MiniZonedCluster;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockManager;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyDefault;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerant;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyRackFaultTolerantWithZones;
import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicyWithZones;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.test.GenericTestUtils;
import org.apache.hadoop.util.ToolRunner;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * zone-audit against real MiniDFSClusters. The same dataset (replication 2 and 3 files, RS-3-2
 * files, one of them shorter than a stripe) is written on the same uneven 3-zone layout once
 * with the stock policies (BlockPlacementPolicyDefault, BlockPlacementPolicyRackFaultTolerant),
 * which put some blocks and groups in zone-a only or mostly, and once with ours. The expected
 * figures are computed here from {@code getFileBlockLocations} (DataNode addresses) and the
 * test's own address-to-zone map, not from the audit's code.
 *
 * <p>Controls: the stock run and our run make the same assertions on the same data; the stock
 * expectation is asserted non-empty (so the audit is checked on real exposure) and our run is
 * asserted clean, so each run's "exit 1" / "exit 0" assertion fails on the other (checked once:
 * swapping the two policies makes both tests fail).
 */
public class ZoneAuditClusterTest {

  /**
   * zone-a holds 6 of the 10 racks (one DataNode each), so rack-spreading stock policies crowd
   * it: an RS-3-2 group on 5 random racks has 3 or more in zone-a with probability 0.74. Zones
   * b and c have two racks each, so a group can be both zone-spread (at most 2 per zone) and
   * rack-spread (5 racks). On a layout where it cannot (zones b and c with one rack each), our
   * EC policy's groups stay in the NameNode's low-redundancy queue for good (both rules are
   * checked and one must fail), which is a separate matter from this audit.
   */
  private static final String[] RACKS = {
      "/zone-a/rack-1", "/zone-a/rack-2", "/zone-a/rack-3", "/zone-a/rack-4",
      "/zone-a/rack-5", "/zone-a/rack-6", "/zone-b/rack-1", "/zone-b/rack-2",
      "/zone-c/rack-1", "/zone-c/rack-2"};
  private static final String EC = "RS-3-2-1024k";
  private static final int CELL = 1024 * 1024;
  private static final File BASE =
      new File(System.getProperty("test.build.data", "target/test-data"), "zone-audit");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Run stock;
  private static Run ours;

  /** One cluster's audit results and the independently computed expectation. */
  static final class Run {
    int exitJson;
    int exitTable;
    JsonNode json;
    String table;
    String tableShort;
    String errJson;
    String errProgress;
    int exitProgress;
    Expectation expected;
    int exitNoSuchPath;
    String errNoSuchPath;
    int exitBadDepth;
    String errBadDepth;
    int exitEcOnly;
    final Set<String> unreadableAfterZoneALoss = new TreeSet<>();
  }

  /** What losing each zone would do, from block locations and the test's zone map. */
  static final class Expectation {
    final Map<String, Set<String>> unreadable = new TreeMap<>();
    final Map<String, Long> leftWithOneReplica = new TreeMap<>();
    final Map<String, Long> ecBelowData = new TreeMap<>();
    final Map<String, Long> replicas = new TreeMap<>();
    long blocksInOneZone;
    long blocks;
    long ecGroups;
    int files;

    @Override
    public String toString() {
      return unreadable + " " + leftWithOneReplica + " " + ecBelowData + " " + replicas + " "
          + blocksInOneZone + " " + blocks + " " + ecGroups + " " + files;
    }
  }

  @BeforeClass
  public static void runBoth() throws Exception {
    stock = run(BlockPlacementPolicyDefault.class.getName(),
        BlockPlacementPolicyRackFaultTolerant.class.getName(), new File(BASE, "stock"));
    ours = run(BlockPlacementPolicyWithZones.CLASS_NAME,
        BlockPlacementPolicyRackFaultTolerantWithZones.CLASS_NAME, new File(BASE, "ours"));
  }

  private static Run run(String policy, String ecPolicy, File base) throws Exception {
    Configuration conf = MiniZonedCluster.conf(policy);
    conf.set(DFSConfigKeys.DFS_BLOCK_PLACEMENT_EC_CLASSNAME_KEY, ecPolicy);
    Run r = new Run();
    try (MiniZonedCluster c = MiniZonedCluster.start(conf, base, RACKS)) {
      Map<String, String> zoneOfAddr = new HashMap<>();
      List<DataNode> dns = c.cluster.getDataNodes();
      for (int i = 0; i < dns.size(); i++) {
        zoneOfAddr.put(dns.get(i).getDatanodeId().getXferAddr(),
            MiniZonedCluster.zoneOf(RACKS[i]));
      }
      List<Path> files = new ArrayList<>();
      Path rep = new Path("/data");
      for (int i = 0; i < 40; i++) {
        Path p = new Path(rep, "r2-" + i);
        DFSTestUtil.createFile(c.fs, p, MiniZonedCluster.BLOCK_SIZE * (1 + i % 3), (short) 2, i);
        files.add(p);
      }
      for (int i = 0; i < 10; i++) {
        Path p = new Path(rep, "sub/r3-" + i);
        DFSTestUtil.createFile(c.fs, p, MiniZonedCluster.BLOCK_SIZE * 2, (short) 3, 100 + i);
        files.add(p);
      }
      c.fs.enableErasureCodingPolicy(EC);
      Path ec = new Path("/ec");
      c.fs.mkdirs(ec);
      c.fs.setErasureCodingPolicy(ec, EC);
      for (int i = 0; i < 6; i++) {
        Path p = new Path(ec, "full-" + i);
        DFSTestUtil.createFile(c.fs, p, 4096, 3L * CELL, CELL, (short) 1, 200 + i);
        files.add(p);
      }
      Path small = new Path(ec, "one-cell");
      DFSTestUtil.createFile(c.fs, small, 4096, CELL / 2, CELL, (short) 1, 300);
      files.add(small);
      c.fs.create(new Path("/data/empty")).close();

      awaitSettled(c);
      // The NameNode may still move a replica (a block it judges mis-placed is copied, then
      // the excess deleted): audit until the locations are the same before and after.
      for (int attempt = 1;; attempt++) {
        try {
          r.expected = expect(c, files, zoneOfAddr, small);
          auditAll(c, r);
          String after = expect(c, files, zoneOfAddr, small).toString();
          if (after.equals(r.expected.toString())) {
            break;
          }
        } catch (NotSettled e) {
          assertTrue("block locations kept changing: " + e.getMessage(), attempt < 10);
          Thread.sleep(1000); // pacing only: the repair is awaited below
        }
        assertTrue("block locations kept changing", attempt < 10);
        awaitSettled(c);
      }
      // The real outcome: zone-a dies, every file is read back.
      c.loseZone("/zone-a");
      for (Path f : files) {
        if (!readsBack(c, f)) {
          r.unreadableAfterZoneALoss.add(f.toUri().getPath());
        }
      }
    }
    return r;
  }

  private static boolean readsBack(MiniZonedCluster c, Path f) {
    byte[] buf = new byte[64 * 1024];
    try (FSDataInputStream in = c.fs.open(f)) {
      while (in.read(buf) >= 0) {
        // read to the end
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The NameNode is still repairing a spread: look again once it settles. */
  private static final class NotSettled extends RuntimeException {
    NotSettled(String message) {
      super(message);
    }
  }

  private static void awaitSettled(MiniZonedCluster c) throws Exception {
    BlockManager bm = c.cluster.getNamesystem().getBlockManager();
    try {
      GenericTestUtils.waitFor(() -> bm.getLowRedundancyBlocksCount() == 0
          && bm.getPendingReconstructionBlocksCount() == 0 && bm.getExcessBlocksCount() == 0
          && bm.getPendingDeletionBlocksCount() == 0, 100, 120_000);
    } catch (TimeoutException e) {
      throw new AssertionError("not settled: low redundancy " + bm.getLowRedundancyBlocksCount()
          + ", pending " + bm.getPendingReconstructionBlocksCount() + ", excess "
          + bm.getExcessBlocksCount() + ", pending deletion "
          + bm.getPendingDeletionBlocksCount() + " (" + c.cluster.getConfiguration(0)
          .get(DFSConfigKeys.DFS_BLOCK_REPLICATOR_CLASSNAME_KEY) + ")", e);
    }
  }

  private static void auditAll(MiniZonedCluster c, Run r) throws Exception {
    Configuration client = new Configuration(c.cluster.getConfiguration(0));
    Out o = audit(client, "--json", "--list", "1000", "/");
    r.exitJson = o.rc;
    r.json = JSON.readTree(o.out);
    r.errJson = o.err;
    o = audit(client, "--list", "1000");
    r.exitTable = o.rc;
    r.table = o.out;
    r.tableShort = audit(client, "--list", "3").out;
    // Interval 0: a line after every listing batch, so the test does not depend on speed.
    o = audit(client, "-D", ZonePlacementConfig.AUDIT_PROGRESS_INTERVAL_MS_KEY + "=0",
        "--progress", "/data");
    r.exitProgress = o.rc;
    r.errProgress = o.err;
    o = audit(client, "/does-not-exist");
    r.exitNoSuchPath = o.rc;
    r.errNoSuchPath = o.err;
    o = audit(client, "-D", "multizone.zone.depth=zero", "/");
    r.exitBadDepth = o.rc;
    r.errBadDepth = o.err;
    r.exitEcOnly = audit(client, "--json", "/ec").rc;
  }

  private static Expectation expect(MiniZonedCluster c, List<Path> files,
      Map<String, String> zoneOfAddr, Path oneCell) throws Exception {
    Expectation e = new Expectation();
    Set<String> zones = new TreeSet<>(zoneOfAddr.values());
    for (String z : zones) {
      e.unreadable.put(z, new TreeSet<>());
      e.leftWithOneReplica.put(z, 0L);
      e.ecBelowData.put(z, 0L);
      e.replicas.put(z, 0L);
    }
    for (Path f : files) {
      FileStatus st = c.fs.getFileStatus(f);
      boolean ec = st.isErasureCoded();
      e.files++;
      for (BlockLocation b : c.fs.getFileBlockLocations(f, 0, st.getLen())) {
        e.blocks++;
        List<String> where = new ArrayList<>();
        for (String name : b.getNames()) {
          where.add(zoneOfAddr.get(name));
        }
        for (String z : where) {
          e.replicas.merge(z, 1L, Long::sum);
        }
        if (new TreeSet<>(where).size() == 1) {
          e.blocksInOneZone++;
        }
        if (ec) {
          e.ecGroups++;
          if (where.size() != (f.equals(oneCell) ? 3 : 5)) {
            // A copy made to fix the zone spread, its excess not deleted yet: not settled.
            throw new NotSettled(where.size() + " locations of a group of " + f);
          }
        }
        for (String z : zones) {
          long outside = where.stream().filter(w -> !w.equals(z)).count();
          // A full RS-3-2 group needs 3 of its 5 internal blocks; the one-cell file's group
          // (1 data + 2 parity blocks) needs any 1 of its 3.
          boolean lost = ec ? outside < (f.equals(oneCell) ? 1 : 3) : outside == 0;
          if (lost) {
            e.unreadable.get(z).add(f.toUri().getPath());
            if (ec) {
              e.ecBelowData.merge(z, 1L, Long::sum);
            }
          }
          if (!ec && outside == 1) {
            e.leftWithOneReplica.merge(z, 1L, Long::sum);
          }
        }
      }
    }
    e.files++; // the empty file
    return e;
  }

  static final class Out {
    int rc;
    String out;
    String err;
  }

  static Out audit(Configuration conf, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Out o = new Out();
    try (PrintStream po = new PrintStream(out, true, "UTF-8");
        PrintStream pe = new PrintStream(err, true, "UTF-8")) {
      o.rc = ToolRunner.run(new Configuration(conf), new ZoneAudit(po, pe), args);
    }
    o.out = new String(out.toByteArray(), StandardCharsets.UTF_8);
    o.err = new String(err.toByteArray(), StandardCharsets.UTF_8);
    return o;
  }

  private static void assertMatchesExpectation(Run r) {
    Expectation e = r.expected;
    JsonNode j = r.json;
    assertEquals(r.errJson, "", r.errJson);
    assertEquals("files", e.files, j.get("files").asLong());
    assertEquals("blocks and groups", e.blocks, j.get("blocks").asLong());
    assertEquals("EC groups", e.ecGroups, j.get("ecGroups").asLong());
    assertEquals("blocks in one zone", e.blocksInOneZone, j.get("blocksInOneZone").asLong());
    assertEquals(0, j.get("filesMissingBlocks").asLong());
    Map<String, Set<String>> unreadable = new TreeMap<>();
    Map<String, Long> leftOne = new TreeMap<>();
    Map<String, Long> ecBelow = new TreeMap<>();
    Map<String, Long> replicas = new TreeMap<>();
    for (JsonNode z : j.get("zones")) {
      String name = z.get("zone").asText();
      assertTrue(name, z.get("hasZoneLevel").asBoolean());
      JsonNode lost = z.get("ifLost");
      Set<String> paths = new TreeSet<>();
      lost.get("filesUnreadableList").forEach(p -> paths.add(p.asText()));
      assertEquals("count and list agree for " + name, lost.get("filesUnreadable").asLong(),
          paths.size());
      unreadable.put(name, paths);
      leftOne.put(name, lost.get("blocksLeftWithOneReplica").asLong());
      ecBelow.put(name, lost.get("ecGroupsBelowDataUnits").asLong());
      replicas.put(name, z.get("replicas").asLong());
    }
    assertEquals("replicas per zone", e.replicas, replicas);
    assertEquals("files unreadable if each zone died", e.unreadable, unreadable);
    assertEquals("blocks left with one replica if each zone died", e.leftWithOneReplica,
        leftOne);
    assertEquals("EC groups below their data units if each zone died", e.ecBelowData, ecBelow);
    for (Map.Entry<String, Set<String>> z : e.unreadable.entrySet()) {
      for (String p : z.getValue()) {
        assertTrue("table lists " + p, r.table.contains("  " + p + System.lineSeparator()));
      }
    }
  }

  @Test
  public void stockPolicyExposureIsReportedExactly() {
    Expectation e = stock.expected;
    System.out.println("stock policy, zone-audit --list 3:\n" + stock.tableShort);
    // The data really is exposed (else this test would prove nothing).
    assertTrue("stock put some block in one zone: " + e.blocksInOneZone,
        e.blocksInOneZone > 0);
    assertFalse("some file unreadable if zone-a died", e.unreadable.get("/zone-a").isEmpty());
    assertTrue("some EC group below its data units if zone-a died",
        e.ecBelowData.get("/zone-a") > 0);
    assertMatchesExpectation(stock);
    assertEquals("the files the audit named are exactly those lost with zone-a",
        e.unreadable.get("/zone-a"), stock.unreadableAfterZoneALoss);
    assertTrue(stock.json.get("atRisk").asBoolean());
    assertEquals(ZoneAudit.AT_RISK, stock.exitJson);
    assertEquals(ZoneAudit.AT_RISK, stock.exitTable);
    assertTrue(stock.table, stock.table.contains("AT RISK:"));
    assertEquals("EC groups of stock RackFaultTolerant crowd zone-a", ZoneAudit.AT_RISK,
        stock.exitEcOnly);
  }

  @Test
  public void ourPolicyIsReportedClean() {
    Expectation e = ours.expected;
    System.out.println("our policy, zone-audit --list 3:\n" + ours.tableShort);
    assertEquals(0, e.blocksInOneZone);
    assertMatchesExpectation(ours);
    assertEquals("nothing lost with zone-a", "[]", ours.unreadableAfterZoneALoss.toString());
    assertFalse(ours.json.get("atRisk").asBoolean());
    assertEquals(ZoneAudit.CLEAN, ours.exitJson);
    assertEquals(ZoneAudit.CLEAN, ours.exitTable);
    assertEquals(ZoneAudit.CLEAN, ours.exitEcOnly);
    assertTrue(ours.table, ours.table.contains("CLEAN:"));
    // Same EC data, counted the same way: 7 groups (6 full, 1 one-cell).
    assertEquals(7, ours.json.get("ecGroups").asLong());
  }

  @Test
  public void progressLinesOnlyWhenAsked() {
    assertTrue(stock.errProgress, stock.errProgress.contains("zone-audit: ")
        && stock.errProgress.contains("blocks/s"));
    assertEquals("no progress without --progress", "", stock.errJson);
    assertEquals(ZoneAudit.AT_RISK, stock.exitProgress);
  }

  @Test
  public void badInputExitsTwoNamingTheArgument() throws Exception {
    for (Run r : new Run[] {stock, ours}) {
      assertEquals(ZoneAudit.BAD_INPUT, r.exitNoSuchPath);
      assertTrue(r.errNoSuchPath, r.errNoSuchPath.contains("'/does-not-exist'"));
      assertEquals(ZoneAudit.BAD_INPUT, r.exitBadDepth);
      assertTrue(r.errBadDepth, r.errBadDepth.contains("multizone.zone.depth")
          && r.errBadDepth.contains("'zero'"));
    }
    Configuration conf = new Configuration();
    conf.setInt("ipc.client.connect.max.retries", 0);
    conf.setInt("ipc.client.connect.max.retries.on.timeouts", 0);
    Out o = audit(conf, "hdfs://127.0.0.1:1/");
    assertEquals(o.err, ZoneAudit.BAD_INPUT, o.rc);
    assertTrue(o.err, o.err.contains("'hdfs://127.0.0.1:1/'"));
    o = audit(conf, "--bogus", "/");
    assertEquals(ZoneAudit.BAD_INPUT, o.rc);
    assertTrue(o.err, o.err.contains("unknown option '--bogus'"));
    o = audit(conf, "--list", "many");
    assertEquals(ZoneAudit.BAD_INPUT, o.rc);
    assertTrue(o.err, o.err.contains("'--list'") && o.err.contains("'many'"));
    o = audit(conf, "/a", "/b");
    assertEquals(ZoneAudit.BAD_INPUT, o.rc);
    assertTrue(o.err, o.err.contains("'/b'"));
    File local = new File(BASE, "local");
    local.mkdirs();
    o = audit(conf, local.toURI().toString());
    assertEquals(ZoneAudit.BAD_INPUT, o.rc);
    assertTrue(o.err, o.err.contains("'" + local.toURI() + "' is not on HDFS"));
    o = audit(conf, "--help");
    assertEquals(ZoneAudit.CLEAN, o.rc);
    assertTrue(o.out, o.out.startsWith("Usage: zone-audit"));
    // Control: the same commands with good arguments on a live cluster did not exit 2
    // (stock 1, ours 0 above), so 2 is the bad argument's doing.
    assertEquals(ZoneAudit.CLEAN, ours.exitJson);
  }
}
