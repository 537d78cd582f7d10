// A long-lived HDFS client for bin/nn-recovery-benchmark, run from source by
// `hadoop-local CONF_DIR probe PATH SIZE INTERVAL_MS [KEY...]` (single-file launch).
// Prints "conf KEY VALUE" for each KEY, writes PATH (SIZE bytes from a fixed seed), prints "ready MS", then two threads loop
// every INTERVAL_MS: one reads PATH back and compares every byte, one writes a small new
// file. One line per attempt on stdout: "read|write ok|fail EPOCH_MS [error]".
import java.io.EOFException;
import java.util.Arrays;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

public class RecoveryProbe {
  private static synchronized void log(String what, boolean ok, String detail) {
    System.out.println(what + (ok ? " ok " : " fail ") + System.currentTimeMillis()
        + (detail.isEmpty() ? "" : " " + detail.replace('\n', ' ')));
    System.out.flush();
  }

  private static String brief(Throwable t) {
    String m = String.valueOf(t.getMessage());
    return t.getClass().getSimpleName() + ": " + (m.length() > 120 ? m.substring(0, 120) : m);
  }

  public static void main(String[] args) throws Exception {
    Path known = new Path(args[0]);
    int size = Integer.parseInt(args[1]);
    long interval = Long.parseLong(args[2]);
    byte[] expected = new byte[size];
    new Random(4242).nextBytes(expected);
    Configuration conf = new Configuration();
    for (int i = 3; i < args.length; i++) {
      System.out.println("conf " + args[i] + " " + conf.get(args[i], "(unset)"));
    }
    FileSystem fs = FileSystem.get(conf);
    try (FSDataOutputStream out = fs.create(known, true)) {
      out.write(expected);
    }
    Path dir = new Path(known.getParent(), "w");
    fs.mkdirs(dir);
    log("ready", true, "");
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[size];
      while (true) {
        try (FSDataInputStream in = fs.open(known)) {
          in.readFully(0, buf);
          boolean eof = in.read(size, new byte[1], 0, 1) <= 0;
          if (Arrays.equals(buf, expected) && eof) {
            log("read", true, "");
          } else {
            log("read", false, "content differs");
          }
        } catch (Throwable t) {
          log("read", false, brief(t));
        }
        sleep(interval);
      }
    });
    Thread writer = new Thread(() -> {
      byte[] small = Arrays.copyOf(expected, Math.min(size, 4096));
      for (long n = 0; ; n++) {
        try (FSDataOutputStream out = fs.create(new Path(dir, "f" + n), true)) {
          out.write(small);
          out.hflush();
        } catch (Throwable t) {
          log("write", false, brief(t));
          sleep(interval);
          continue;
        }
        log("write", true, "");
        sleep(interval);
      }
    });
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
    reader.join();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
