package io.multizone.hdfs.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;

import io.multizone.zone.ZoneResolver;
import org.junit.Test;

/** ZoneTally's rules on hand-worked blocks (no cluster). */
public class ZoneAuditTallyTest {

  private final ZoneTally t = new ZoneTally(new ZoneResolver(1), 10);
  private final int a = t.zoneOf("/zone-a/rack-1");
  private final int a2 = t.zoneOf("/zone-a/rack-2");
  private final int b = t.zoneOf("/zone-b/rack-1");
  private final int c = t.zoneOf("//zone-c/rack-1/");

  private void file(String path, Runnable blocks) {
    t.beginFile();
    blocks.run();
    t.endFile(() -> path);
  }

  @Test
  public void zonesAreTheLeadingComponent() {
    assertEquals(a, a2);
    assertEquals("/zone-c", t.zoneName(c));
    int flat = t.zoneOf("/default-rack");
    assertEquals("/default-rack", t.zoneName(flat));
    assertFalse(t.hasZoneLevel(flat));
    assertTrue(t.hasZoneLevel(a));
  }

  @Test
  public void replicatedBlocks() {
    // a a b: a's loss leaves one replica; b's loss leaves two.
    file("/two-zones", () -> t.replicatedBlock(new int[] {a, a, b}, 3));
    // c only (replication 1): unreadable if c died; one replica left if a or b died.
    file("/one-replica", () -> t.replicatedBlock(new int[] {c}, 1));
    // b b: in one zone.
    file("/b-only", () -> {
      t.replicatedBlock(new int[] {b, b}, 2);
      t.replicatedBlock(new int[] {b, b}, 2);
    });
    // one block in a only, one spread: unreadable if a died, but not a one-zone file.
    file("/mixed", () -> {
      t.replicatedBlock(new int[] {a, a}, 2);
      t.replicatedBlock(new int[] {a, c}, 2);
    });
    // no replica left at all
    file("/lost", () -> t.replicatedBlock(new int[0], 0));
    file("/empty", () -> { });

    assertEquals(6, t.files());
    assertEquals(7, t.blocks());
    assertEquals(4, t.blocksInOneZone()); // c, b b, b b, a a
    assertEquals(2, t.filesInOneZone()); // /one-replica, /b-only
    assertEquals(Arrays.asList("/mixed"), t.filesUnreadableIfLostList(a));
    assertEquals(Arrays.asList("/b-only"), t.filesUnreadableIfLostList(b));
    assertEquals(Arrays.asList("/one-replica"), t.filesUnreadableIfLostList(c));
    // a: "a a b" -> 1 left; "c" elsewhere -> 1; "a c" -> 1 left.
    assertEquals(3, t.blocksLeftWithOneReplicaIfLost(a));
    // b: "c" -> 1 left; "a a b" keeps 2.
    assertEquals(1, t.blocksLeftWithOneReplicaIfLost(b));
    // c: "a c" -> 1 left; "c" itself is gone, not left with one.
    assertEquals(1, t.blocksLeftWithOneReplicaIfLost(c));
    assertEquals(1, t.blocksWithoutReplicas());
    assertEquals(Arrays.asList("/lost"), t.filesWithLostBlocksList());
    assertTrue(t.atRisk());
  }

  @Test
  public void erasureCodedGroups() {
    // RS-3-2, all 5 internal blocks, 3 in a: a's loss leaves 2 < 3.
    file("/ec-crowded", () -> t.stripedGroup(new int[] {a, a, a, b, c},
        new byte[] {0, 1, 2, 3, 4}, 5, 3));
    // 2/2/1: any loss leaves >= 3.
    file("/ec-spread", () -> t.stripedGroup(new int[] {a, a, b, b, c},
        new byte[] {0, 1, 2, 3, 4}, 5, 3));
    // Duplicates of indices 0 and 1 (left by a repair) in c rescue a's loss:
    // survivors {3, 4, 0, 1}. Without them only {3, 4} would remain.
    file("/ec-duplicates", () -> t.stripedGroup(new int[] {a, a, a, b, b, c, c},
        new byte[] {0, 1, 2, 3, 4, 0, 1}, 7, 3));
    // A group shorter than a stripe: 1 data + 2 parity blocks (indices 0, 3, 4), needs 1.
    file("/ec-one-cell", () -> t.stripedGroup(new int[] {a, a, b},
        new byte[] {0, 3, 4}, 3, 1));
    // Already below its data units: 2 internal blocks, needs 3.
    file("/ec-lost", () -> t.stripedGroup(new int[] {a, b}, new byte[] {0, 1}, 2, 3));

    assertEquals(5, t.ecGroups());
    assertEquals(Arrays.asList("/ec-crowded"), t.filesUnreadableIfLostList(a));
    assertEquals(1, t.ecGroupsBelowDataIfLost(a));
    assertEquals(0, t.ecGroupsBelowDataIfLost(b));
    assertEquals(0, t.ecGroupsBelowDataIfLost(c));
    assertEquals(0, t.blocksInOneZone());
    assertEquals(1, t.ecGroupsBelowDataNow());
    assertEquals(Arrays.asList("/ec-lost"), t.filesWithLostBlocksList());
    assertEquals(3 + 2 + 3 + 2 + 1, t.replicas(a));
  }

  @Test
  public void cleanWhenEverythingSurvivesAnyZone() {
    file("/ok", () -> t.replicatedBlock(new int[] {a, b, b}, 3));
    assertFalse(t.atRisk());
    assertEquals(0, t.blocksInOneZone());
  }
}
