package io.multizone.hdfs.zone;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.junit.Test;

/**
 * The zone rule agrees with the table in {@code testdata/zone-resolution.tsv}, which the
 * YARN module's test reads too: one rule, one topology script, for HDFS and YARN.
 */
public class TestSharedZoneRule {

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
      assertEquals(line, "-".equals(cols[2]) ? null : cols[2], zone);
      checked++;
    }
    assertTrue(checked >= 8);
  }
}
