package io.multizone.lab.load;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lab's continuous writer: creates files {@code DIR/f-000001...} one after the other until
 * the stop file appears (or {@code MAX_FILES} are written) and appends one line per
 * <em>acknowledged</em> file (its {@code close()} returned) to the acknowledgement log:
 * {@code ack N PATH SIZE EPOCH_MS START_EPOCH_MS} (acknowledged, begun), flushed and synced before the next file starts. A failed
 * file is logged as {@code fail N PATH EPOCH_MS ERROR} and not counted: the verifier checks
 * exactly what the writer was told was stored.
 *
 * <p>Usage: {@code ContinuousWriter DIR ACK_LOG STOP_FILE SEED MIN_BYTES MAX_BYTES PAUSE_MS
 * MAX_FILES}
 */
public final class ContinuousWriter {
  private ContinuousWriter() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 8) {
      System.err.println("usage: ContinuousWriter DIR ACK_LOG STOP_FILE SEED MIN_BYTES MAX_BYTES "
          + "PAUSE_MS MAX_FILES");
      System.exit(2);
    }
    Path dir = new Path(args[0]);
    File ackLog = new File(args[1]);
    File stop = new File(args[2]);
    long seed = Long.parseLong(args[3]);
    int min = Integer.parseInt(args[4]);
    int max = Integer.parseInt(args[5]);
    long pause = Long.parseLong(args[6]);
    long maxFiles = Long.parseLong(args[7]);
    FileSystem fs = FileSystem.get(new Configuration());
    fs.mkdirs(dir);
    try (FileOutputStream raw = new FileOutputStream(ackLog, true);
        PrintWriter log = new PrintWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8))) {
      for (long n = 1; n <= maxFiles && !stop.exists(); n++) {
        Path file = new Path(dir, String.format("f-%06d", n));
        int size = FileContent.sizeOf(seed, n, min, max);
        long start = System.currentTimeMillis();
        try {
          write(fs, file, FileContent.of(seed, n, size));
          log.printf("ack %d %s %d %d %d%n", n, file.toUri().getPath(), size,
              System.currentTimeMillis(), start);
        } catch (IOException e) {
          String why = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
          log.printf("fail %d %s %d %s%n", n, file.toUri().getPath(), System.currentTimeMillis(),
              why.length() > 200 ? why.substring(0, 200) : why);
        }
        log.flush();
        raw.getFD().sync();
        if (pause > 0) {
          Thread.sleep(pause);
        }
      }
    }
  }

  private static void write(FileSystem fs, Path file, byte[] data) throws IOException {
    try (FSDataOutputStream out = fs.create(file, true)) {
      out.write(data);
    }
  }
}
