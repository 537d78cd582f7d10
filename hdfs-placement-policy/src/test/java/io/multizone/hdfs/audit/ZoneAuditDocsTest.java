package io.multizone.hdfs.audit;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import io.multizone.hdfs.config.ZonePlacementConfig;
import org.junit.Test;

/** The zone-audit keys are listed, with their defaults, in both READMEs and in the usage. */
public class ZoneAuditDocsTest {

  private static String read(String path) throws Exception {
    return new String(Files.readAllBytes(new File(path).toPath()), StandardCharsets.UTF_8);
  }

  @Test
  public void keysAndDefaultsAreDocumented() throws Exception {
    String[][] keys = {
        {ZonePlacementConfig.AUDIT_THREADS_KEY,
            String.valueOf(ZonePlacementConfig.AUDIT_THREADS_DEFAULT)},
        {ZonePlacementConfig.AUDIT_PROGRESS_INTERVAL_MS_KEY,
            String.valueOf(ZonePlacementConfig.AUDIT_PROGRESS_INTERVAL_MS_DEFAULT)}};
    for (String readme : new String[] {"../README.md", "README.md"}) {
      String text = read(readme);
      for (String[] k : keys) {
        String row = "| `" + k[0] + "` | `" + k[1] + "` |";
        assertTrue(readme + " lists " + row, text.contains(row));
      }
    }
    assertTrue(ZoneAudit.USAGE.contains(ZonePlacementConfig.AUDIT_PROGRESS_INTERVAL_MS_KEY));
  }
}
