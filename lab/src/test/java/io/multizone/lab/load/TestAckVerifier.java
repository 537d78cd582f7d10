package io.multizone.lab.load;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The read-back on the local file system: files the writer acknowledged, some of them then
 * damaged (a byte changed, cut short, grown, deleted), are found unreadable, each once and in
 * the writer's order, whichever of the parallel readers read them.
 */
public class TestAckVerifier {
  private static final long SEED = 42;

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void damagedFilesAreUnreadableInTheWritersOrder() throws Exception {
    File acks = new File(tmp.getRoot(), "acks");
    ContinuousWriter.main(new String[] {new File(tmp.getRoot(), "out").getPath(),
        acks.getPath(), new File(tmp.getRoot(), "stop").getPath(), Long.toString(SEED), "100",
        "5000", "0", "40"});
    List<String> log = new ArrayList<>(Files.readAllLines(acks.toPath(), StandardCharsets.UTF_8));
    log.add("fail 41 " + new File(tmp.getRoot(), "out/never").getPath() + " java.io.IOException");
    String changed = path(log, 5);
    String shortened = path(log, 12);
    String grown = path(log, 21);
    String deleted = path(log, 33);
    try (RandomAccessFile f = new RandomAccessFile(changed, "rw")) {
      int b = f.read();
      f.seek(0);
      f.write(b ^ 1);
    }
    try (RandomAccessFile f = new RandomAccessFile(shortened, "rw")) {
      f.setLength(f.length() - 1);
    }
    try (RandomAccessFile f = new RandomAccessFile(grown, "rw")) {
      f.seek(f.length());
      f.write(7);
    }
    assertEquals(true, new File(deleted).delete());

    AckVerifier.Result r =
        AckVerifier.verify(FileSystem.getLocal(new Configuration()), log, SEED, 4);

    assertEquals(40, r.acknowledged);
    assertEquals(36, r.readable);
    assertEquals(1, r.failedWrites);
    assertEquals(Arrays.asList(changed, shortened, grown, deleted), r.unreadable);
    long bytes = 0;
    for (String line : log.subList(0, 40)) {
      String p = line.split(" ")[2];
      if (!r.unreadable.contains(p)) {
        bytes += Integer.parseInt(line.split(" ")[3]);
      }
    }
    assertEquals(bytes, r.bytesRead);
    assertEquals(true, r.toJson().contains("\"unreadable\":4,\"failed_writes\":1"));
  }

  /** The path of the writer's Nth acknowledged file (1-based). */
  private static String path(List<String> log, int n) {
    return log.get(n - 1).split(" ")[2];
  }
}
