package io.multizone.lab.load;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lab's continuous writer: THREADS threads create files {@code DIR/f-000001...}, each
 * taking the next number, until the stop file appears (or {@code MAX_FILES} are written), and
 * append one line per <em>acknowledged</em> file (its {@code close()} returned) to the
 * acknowledgement log: {@code ack N PATH SIZE EPOCH_MS START_EPOCH_MS} (acknowledged, begun),
 * flushed and synced before that thread starts its next file, in the order of acknowledgement.
 * A failed file is logged as {@code fail N PATH EPOCH_MS ERROR} and not counted: the verifier
 * checks exactly what the writer was told was stored. The lab runs one thread (a second one
 * loaded both clusters for no earlier fault: see {@code set_sizes} in {@code bin/multizone-lab}).
 *
 * <p>Usage: {@code ContinuousWriter DIR ACK_LOG STOP_FILE SEED MIN_BYTES MAX_BYTES PAUSE_MS
 * MAX_FILES [THREADS]} (THREADS default 1)
 */
public final class ContinuousWriter {
  private final FileSystem fs;
  private final Path dir;
  private final File stop;
  private final long seed;
  private final int min;
  private final int max;
  private final long pause;
  private final long maxFiles;
  private final AtomicLong next = new AtomicLong(1);
  private final FileOutputStream raw;
  private final PrintWriter log;

  private ContinuousWriter(FileSystem fs, Path dir, File stop, long seed, int min, int max,
      long pause, long maxFiles, FileOutputStream raw) {
    this.fs = fs;
    this.dir = dir;
    this.stop = stop;
    this.seed = seed;
    this.min = min;
    this.max = max;
    this.pause = pause;
    this.maxFiles = maxFiles;
    this.raw = raw;
    this.log = new PrintWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8));
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 8 && args.length != 9) {
      System.err.println("usage: ContinuousWriter DIR ACK_LOG STOP_FILE SEED MIN_BYTES MAX_BYTES "
          + "PAUSE_MS MAX_FILES [THREADS]");
      System.exit(2);
    }
    Path dir = new Path(args[0]);
    int threads = args.length == 9 ? Integer.parseInt(args[8]) : 1;
    if (threads < 1) {
      System.err.println("ContinuousWriter: THREADS must be at least 1, got " + threads);
      System.exit(2);
    }
    FileSystem fs = FileSystem.get(new Configuration());
    fs.mkdirs(dir);
    try (FileOutputStream raw = new FileOutputStream(new File(args[1]), true)) {
      ContinuousWriter writer = new ContinuousWriter(fs, dir, new File(args[2]),
          Long.parseLong(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
          Long.parseLong(args[6]), Long.parseLong(args[7]), raw);
      List<Thread> running = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(writer::run, "writer-" + i);
        t.start();
        running.add(t);
      }
      for (Thread t : running) {
        t.join();
      }
      writer.log.flush();
    }
  }

  private void run() {
    try {
      for (long n = next.getAndIncrement(); n <= maxFiles && !stop.exists();
          n = next.getAndIncrement()) {
        Path file = new Path(dir, String.format("f-%06d", n));
        int size = FileContent.sizeOf(seed, n, min, max);
        long start = System.currentTimeMillis();
        IOException failed = null;
        try {
          write(fs, file, FileContent.of(seed, n, size));
        } catch (IOException e) {
          failed = e;
        }
        record(n, file, size, start, failed);
        if (pause > 0) {
          Thread.sleep(pause);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One line for the file, synced before its thread goes on; the time taken under the lock. */
  private synchronized void record(long n, Path file, int size, long start, IOException failed)
      throws IOException {
    if (failed == null) {
      log.printf("ack %d %s %d %d %d%n", n, file.toUri().getPath(), size,
          System.currentTimeMillis(), start);
    } else {
      String why = (failed.getClass().getSimpleName() + ": " + failed.getMessage())
          .replace('\n', ' ');
      log.printf("fail %d %s %d %s%n", n, file.toUri().getPath(), System.currentTimeMillis(),
          why.length() > 200 ? why.substring(0, 200) : why);
    }
    log.flush();
    raw.getFD().sync();
  }

  private static void write(FileSystem fs, Path file, byte[] data) throws IOException {
    try (FSDataOutputStream out = fs.create(file, true)) {
      out.write(data);
    }
  }
}
