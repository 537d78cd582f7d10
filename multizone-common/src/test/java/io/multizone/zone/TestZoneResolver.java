package io.multizone.zone;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.junit.Test;

/** The zone of a network location, checked against the shared table and edge cases. */
public class TestZoneResolver {

  /**
   * {@code testdata/zone-resolution.tsv} lists locations and the zone every module must give
   * them. Before the shared module, HDFS answered {@code /} for {@code //zone-a/rack-1} and
   * {@code zone-a} for {@code zone-a/rack-1} where YARN answered {@code /zone-a}.
   */
  @Test
  public void resolverMatchesTheSharedTable() throws Exception {
    List<String> lines = Files.readAllLines(
        new File("../testdata/zone-resolution.tsv").toPath(), StandardCharsets.UTF_8);
    int checked = 0;
    for (String line : lines) {
      if (line.startsWith("#") || line.trim().isEmpty()) {
        continue;
      }
      String[] cols = line.split("\t");
      String zone = new ZoneResolver(Integer.parseInt(cols[1])).zoneOf(cols[0]);
      assertEquals("'" + line + "'", "-".equals(cols[2]) ? null : cols[2], zone);
      checked++;
    }
    assertTrue(checked >= 13);
  }

  @Test
  public void normalizeGivesOneCanonicalForm() {
    assertEquals("/zone-a/rack-1", ZoneResolver.normalize("//zone-a//rack-1/"));
    assertEquals("/zone-a/rack-1", ZoneResolver.normalize("zone-a/rack-1"));
    assertEquals("/", ZoneResolver.normalize("///"));
    assertEquals("/", ZoneResolver.normalize(""));
  }

  @Test
  public void flatAndNullLocationsHaveNoZone() {
    ZoneResolver r = new ZoneResolver(1);
    assertNull(r.zoneOf(null));
    assertFalse(r.hasZoneLevel("/rack-1"));
    assertTrue(r.hasZoneLevel("/zone-a/rack-1"));
  }

  @Test
  public void componentCount() {
    assertEquals(0, ZoneResolver.componentCount("/"));
    assertEquals(1, ZoneResolver.componentCount("/rack"));
    assertEquals(3, ZoneResolver.componentCount("/a/b/c"));
    assertEquals(2, ZoneResolver.componentCount("//a//b/"));
  }

  @Test
  public void depthBelowOneNamesTheKey() {
    try {
      new ZoneResolver(0);
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(ZoneModelConfig.ZONE_DEPTH_KEY));
    }
  }
}
