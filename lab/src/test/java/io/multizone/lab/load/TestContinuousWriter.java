package io.multizone.lab.load;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.TreeSet;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The writer on the local file system: what it acknowledges is what it stored. */
public class TestContinuousWriter {
  private static final long SEED = 42;

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void eachAcknowledgedFileIsStoredWithItsContent() throws Exception {
    File dir = new File(tmp.getRoot(), "out");
    File acks = new File(tmp.getRoot(), "acks");
    ContinuousWriter.main(new String[] {dir.getPath(), acks.getPath(),
        new File(tmp.getRoot(), "stop").getPath(), Long.toString(SEED), "100", "5000", "0", "40"});
    List<String> lines = Files.readAllLines(acks.toPath(), StandardCharsets.UTF_8);
    assertEquals(40, lines.size());
    TreeSet<Long> numbers = new TreeSet<>();
    long lastAcked = 0;
    for (String line : lines) {
      String[] f = line.split(" ");
      assertEquals(line, "ack", f[0]);
      long n = Long.parseLong(f[1]);
      numbers.add(n);
      byte[] stored = Files.readAllBytes(new File(f[2]).toPath());
      assertEquals(line, FileContent.sizeOf(SEED, n, 100, 5000), Integer.parseInt(f[3]));
      assertArrayEquals(line, FileContent.of(SEED, n, Integer.parseInt(f[3])), stored);
      // Lines in the order of acknowledgement: the lab takes the first one after a moment.
      long acked = Long.parseLong(f[4]);
      assertTrue(line, acked >= lastAcked && Long.parseLong(f[5]) <= acked);
      lastAcked = acked;
    }
    assertEquals(40, numbers.size());
    assertEquals(Long.valueOf(1), numbers.first());
    assertEquals(Long.valueOf(40), numbers.last());
  }

  @Test
  public void nothingIsWrittenOnceTheStopFileExists() throws Exception {
    File stop = tmp.newFile("stop");
    File acks = new File(tmp.getRoot(), "acks");
    ContinuousWriter.main(new String[] {new File(tmp.getRoot(), "out").getPath(), acks.getPath(),
        stop.getPath(), Long.toString(SEED), "100", "200", "0", "1000"});
    assertEquals(0, Files.readAllLines(acks.toPath(), StandardCharsets.UTF_8).size());
  }
}
