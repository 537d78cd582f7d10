package io.multizone.lab.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads back every file the {@link ContinuousWriter} logged as acknowledged and compares it
 * byte for byte with what was written (regenerated from the seed). Prints one JSON object:
 * {@code {"acknowledged":N,"readable":N,"unreadable":N,"failed_writes":N,"bytes_read":N,
 * "unreadable_paths":[...]}}; "unreadable" counts files that could not be read completely or
 * whose bytes differ.
 *
 * <p>Usage: {@code AckVerifier ACK_LOG SEED}
 */
public final class AckVerifier {
  private AckVerifier() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: AckVerifier ACK_LOG SEED");
      System.exit(2);
    }
    long seed = Long.parseLong(args[1]);
    Configuration conf = new Configuration();
    // A block with no live replica is unreadable however often it is retried: one round of
    // the block's locations, no waiting between rounds (the default retries for ~20 s).
    conf.setInt("dfs.client.max.block.acquire.failures", 1);
    conf.setInt("dfs.client.retry.window.base", 10);
    FileSystem fs = FileSystem.get(conf);
    long acked = 0;
    long readable = 0;
    long failedWrites = 0;
    long bytes = 0;
    List<String> unreadable = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(" ");
        if (f[0].equals("fail")) {
          failedWrites++;
          continue;
        }
        if (!f[0].equals("ack") || f.length < 4) {
          continue;
        }
        acked++;
        long n = Long.parseLong(f[1]);
        int size = Integer.parseInt(f[3]);
        byte[] expected = FileContent.of(seed, n, size);
        if (readsBack(fs, new Path(f[2]), expected)) {
          readable++;
          bytes += size;
        } else {
          unreadable.add(f[2]);
        }
      }
    }
    StringBuilder json = new StringBuilder();
    json.append("{\"acknowledged\":").append(acked)
        .append(",\"readable\":").append(readable)
        .append(",\"unreadable\":").append(unreadable.size())
        .append(",\"failed_writes\":").append(failedWrites)
        .append(",\"bytes_read\":").append(bytes)
        .append(",\"unreadable_paths\":[");
    for (int i = 0; i < unreadable.size(); i++) {
      json.append(i == 0 ? "" : ",").append('"').append(unreadable.get(i)).append('"');
    }
    System.out.println(json.append("]}"));
  }

  private static boolean readsBack(FileSystem fs, Path file, byte[] expected) {
    byte[] got = new byte[expected.length];
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(0, got);
      byte[] one = new byte[1];
      boolean atEnd = in.read(expected.length, one, 0, 1) <= 0;
      return atEnd && Arrays.equals(got, expected);
    } catch (IOException e) {
      return false;
    }
  }
}
