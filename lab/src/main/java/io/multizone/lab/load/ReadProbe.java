package io.multizone.lab.load;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A client that keeps reading one file until the stop file appears, logging each attempt as
 * {@code read ok START_EPOCH_MS END_EPOCH_MS} or {@code read fail START_EPOCH_MS ERROR}: the
 * lab times the first read begun after the fault, to its end.
 * A read is ok when the whole file was read and its length is the one seen first.
 *
 * <p>Usage: {@code ReadProbe PATH LOG STOP_FILE PAUSE_MS}
 */
public final class ReadProbe {
  private ReadProbe() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: ReadProbe PATH LOG STOP_FILE PAUSE_MS");
      System.exit(2);
    }
    Path path = new Path(args[0]);
    File stop = new File(args[2]);
    long pause = Long.parseLong(args[3]);
    FileSystem fs = FileSystem.get(new Configuration());
    long expected = -1;
    byte[] buf = new byte[65536];
    try (PrintWriter log = new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(args[1], true), StandardCharsets.UTF_8), true)) {
      while (!stop.exists()) {
        long start = System.currentTimeMillis();
        try (FSDataInputStream in = fs.open(path)) {
          long n = 0;
          for (int r = in.read(buf); r > 0; r = in.read(buf)) {
            n += r;
          }
          if (expected < 0) {
            expected = n;
          }
          if (n == expected) {
            log.printf("read ok %d %d%n", start, System.currentTimeMillis());
          } else {
            log.printf("read fail %d length %d%n", start, n);
          }
        } catch (IOException e) {
          String why = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
          log.printf("read fail %d %s%n", start,
              why.length() > 160 ? why.substring(0, 160) : why);
        }
        Thread.sleep(pause);
      }
    }
  }
}
