// The RPO-0 oracle of the cross-zone tests (issue 11), run from source by
// `hadoop-local CONF_DIR ackedops write LOG STOPFILE | verify LOG [--metadata-only]`.
//
// write: loops until STOPFILE exists; iteration i works in its own directory
//   /ops/<LOG's file name>/d<i>:
//   mkdir d, create d/f (bytes from seed i), rename d/f -> d/g, create d/t, delete d/t,
//   setReplication d/g 3 (up: no replica is dropped, whichever zone is cut off). Each operation that returned normally (acknowledged) is appended
//   to LOG as "ack OP ARGS" and flushed before the next one starts; one that threw is
//   logged "fail OP ARGS" (outcome unknown) and the rest of that iteration is skipped.
// verify: applies the acknowledged operations in order to a model of the namespace; paths
//   touched by a failed operation are uncertain and not checked. Every directory and file
//   the model holds must exist; files must read back byte for byte with the model's length
//   and replication; every path the model removed (rename source, delete) must be absent.
//   Prints one summary line; exits 1 listing what differs.
import java.io.BufferedReader;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;

public class AckedOps {
  static byte[] content(long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[1024 + r.nextInt(7 * 1024)];
    r.nextBytes(b);
    return b;
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("write")) {
      write(new File(args[1]), new File(args[2]));
    } else if (args.length >= 2 && args[0].equals("verify")) {
      System.exit(verify(new File(args[1]), args.length > 2 && args[2].equals("--metadata-only")));
    } else {
      System.err.println("usage: AckedOps write LOG STOPFILE | verify LOG [--metadata-only]");
      System.exit(2);
    }
  }

  static void write(File log, File stop) throws Exception {
    FileSystem fs = FileSystem.get(new Configuration());
    try (PrintWriter out = new PrintWriter(new FileWriter(log, true))) {
      for (int i = 0; !stop.exists(); i++) {
        String d = "/ops/" + log.getName() + "/d" + i;
        String[][] ops = {
          {"mkdir", d}, {"create", d + "/f", String.valueOf(i)}, {"rename", d + "/f", d + "/g"},
          {"create", d + "/t", String.valueOf(100000 + i)}, {"delete", d + "/t"},
          {"setrep", d + "/g", "3"}};
        for (String[] op : ops) {
          String line = String.join(" ", op);
          try {
            apply(fs, op);
            out.println("ack " + line);
            out.flush();
          } catch (Exception e) {
            out.println("fail " + line);
            out.flush();
            System.err.println("fail " + line + ": " + e.getClass().getSimpleName());
            Thread.sleep(500);
            break;
          }
        }
      }
    }
  }

  static void apply(FileSystem fs, String[] op) throws Exception {
    switch (op[0]) {
      case "mkdir":
        if (!fs.mkdirs(new Path(op[1]))) throw new IllegalStateException("mkdirs false");
        break;
      case "create":
        try (FSDataOutputStream o = fs.create(new Path(op[1]), false)) {
          o.write(content(Long.parseLong(op[2])));
        }
        break;
      case "rename":
        if (!fs.rename(new Path(op[1]), new Path(op[2]))) throw new IllegalStateException("rename false");
        break;
      case "delete":
        if (!fs.delete(new Path(op[1]), false)) throw new IllegalStateException("delete false");
        break;
      case "setrep":
        if (!fs.setReplication(new Path(op[1]), Short.parseShort(op[2]))) {
          throw new IllegalStateException("setReplication false");
        }
        break;
      default:
        throw new IllegalArgumentException(op[0]);
    }
  }

  /** What the model expects of one path. */
  static final class Entry {
    final boolean dir;
    long seed;
    short rep;

    Entry(boolean dir, long seed, short rep) {
      this.dir = dir;
      this.seed = seed;
      this.rep = rep;
    }
  }

  static int verify(File log, boolean metadataOnly) throws Exception {
    Map<String, Entry> model = new LinkedHashMap<>();
    Set<String> absent = new HashSet<>();
    Set<String> uncertain = new HashSet<>();
    int acked = 0;
    try (BufferedReader in = new BufferedReader(new FileReader(log))) {
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.split(" ");
        if (w.length < 3) continue; // a line cut by a kill: never acknowledged
        String[] op = Arrays.copyOfRange(w, 1, w.length);
        if (w[0].equals("fail")) {
          for (int k = 1; k < op.length && op[k].startsWith("/"); k++) uncertain.add(op[k]);
          continue;
        }
        acked++;
        switch (op[0]) {
          case "mkdir": model.put(op[1], new Entry(true, 0, (short) 0)); break;
          case "create": model.put(op[1], new Entry(false, Long.parseLong(op[2]), (short) 2)); absent.remove(op[1]); break;
          case "rename": model.put(op[2], model.remove(op[1])); absent.add(op[1]); break;
          case "delete": model.remove(op[1]); absent.add(op[1]); break;
          case "setrep": model.get(op[1]).rep = Short.parseShort(op[2]); break;
          default: throw new IllegalArgumentException(line);
        }
      }
    }
    FileSystem fs = FileSystem.get(new Configuration());
    List<String> bad = new ArrayList<>();
    int dirs = 0, files = 0;
    long bytes = 0;
    for (Map.Entry<String, Entry> e : model.entrySet()) {
      if (uncertain.contains(e.getKey())) continue;
      Path p = new Path(e.getKey());
      FileStatus st;
      try {
        st = fs.getFileStatus(p);
      } catch (FileNotFoundException x) {
        bad.add("missing " + e.getKey());
        continue;
      }
      Entry m = e.getValue();
      if (m.dir) {
        if (!st.isDirectory()) bad.add("not a directory " + e.getKey());
        dirs++;
        continue;
      }
      byte[] want = content(m.seed);
      if (st.getLen() != want.length) bad.add("length " + e.getKey() + " " + st.getLen() + " != " + want.length);
      if (st.getReplication() != m.rep) bad.add("replication " + e.getKey() + " " + st.getReplication() + " != " + m.rep);
      if (!metadataOnly) {
        byte[] got = new byte[want.length];
        try (FSDataInputStream i = fs.open(p)) {
          IOUtils.readFully(i, got, 0, got.length);
        } catch (Exception x) {
          bad.add("unreadable " + e.getKey() + ": " + x.getClass().getSimpleName());
          continue;
        }
        if (!Arrays.equals(got, want)) bad.add("content " + e.getKey());
        bytes += got.length;
      }
      files++;
    }
    int gone = 0;
    for (String a : absent) {
      if (uncertain.contains(a) || model.containsKey(a)) continue;
      if (fs.exists(new Path(a))) bad.add("present but removed " + a);
      gone++;
    }
    System.out.println("verified " + acked + " acked ops: " + dirs + " dirs, " + files + " files ("
        + bytes + " bytes read back), " + gone + " removed paths absent, " + uncertain.size()
        + " uncertain paths, " + bad.size() + " differences");
    for (int k = 0; k < Math.min(bad.size(), 20); k++) System.out.println("  " + bad.get(k));
    return bad.isEmpty() ? 0 : 1;
  }
}
