package io.multizone.lab.load;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the input of the lab's MapReduce job: {@code FILES} text files of {@code LINES} lines
 * of words (seeded), each one block, then prints each file's block hosts as JSON lines
 * {@code {"path":"...","hosts":["198.18.8.101",...]}} so the lab knows which maps are
 * data-local where.
 *
 * <p>Usage: {@code TextInput DIR FILES LINES SEED}
 */
public final class TextInput {
  private static final String[] WORDS = {"zone", "rack", "block", "replica", "node", "data",
      "name", "yarn", "map", "reduce", "lost", "kept", "spread", "quorum", "edit", "image"};

  private TextInput() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: TextInput DIR FILES LINES SEED");
      System.exit(2);
    }
    generate(FileSystem.get(new Configuration()), new Path(args[0]), Integer.parseInt(args[1]),
        Integer.parseInt(args[2]), Long.parseLong(args[3]), System.out);
  }

  /**
   * Writes {@code files} files of {@code lines} lines under {@code dir} and prints each file's
   * block hosts to {@code hosts} as one JSON line.
   */
  public static void generate(FileSystem fs, Path dir, int files, int lines, long seed,
      PrintStream hosts) throws IOException {
    fs.mkdirs(dir);
    for (int i = 0; i < files; i++) {
      Path file = new Path(dir, String.format("part-%03d.txt", i));
      write(fs, file, lines, new Random(seed * 31 + i));
      FileStatus st = fs.getFileStatus(file);
      StringBuilder json = new StringBuilder("{\"path\":\"").append(file.toUri().getPath())
          .append("\",\"hosts\":[");
      BlockLocation[] blocks = fs.getFileBlockLocations(st, 0, st.getLen());
      String[] names = blocks.length == 0 ? new String[0] : blocks[0].getHosts();
      for (int h = 0; h < names.length; h++) {
        json.append(h == 0 ? "" : ",").append('"').append(names[h]).append('"');
      }
      hosts.println(json.append("]}"));
    }
    hosts.flush();
  }

  private static void write(FileSystem fs, Path file, int lines, Random random)
      throws IOException {
    try (Writer out = new OutputStreamWriter(fs.create(file, true), StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      for (int l = 0; l < lines; l++) {
        line.setLength(0);
        for (int w = 0; w < 12; w++) {
          line.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        out.write(line.append('\n').toString());
      }
    }
  }
}
