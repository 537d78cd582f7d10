import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.server.namenode.NNThroughputBenchmark;

/**
 * Runs Hadoop's NNThroughputBenchmark phases one after the other in one JVM, so the
 * measured phases run on a warmed-up JIT (used by bin/nn-edits-benchmark).
 *
 * <p>Usage: EditsBench THREADS WARMUP_OPS OPS OP... (OP: create or mkdirs). The
 * Configuration comes from the classpath (a conf dir with hdfs-site.xml); fs.defaultFS must
 * be unset so that NNThroughputBenchmark starts its own NameNode in this JVM (on the
 * already formatted name and edits dirs; it never formats). Each phase starts and stops
 * that NameNode. Prints "PHASE name ops" before each phase; NNThroughputBenchmark prints
 * "Ops per sec: X" (log4j, INFO) after it.
 */
public final class EditsBench {
  private EditsBench() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: EditsBench THREADS WARMUP_OPS OPS OP...");
      System.exit(2);
    }
    String threads = args[0];
    int warmup = Integer.parseInt(args[1]);
    String ops = args[2];
    if (warmup > 0) {
      phase("warmup", "create", threads, Integer.toString(warmup), "/warmup");
    }
    for (int i = 3; i < args.length; i++) {
      phase(args[i], args[i], threads, ops, "/bench");
    }
  }

  private static void phase(String name, String op, String threads, String ops,
      String base) throws Exception {
    System.out.println("PHASE " + name + " " + ops);
    System.out.flush();
    String countFlag = "mkdirs".equals(op) ? "-dirs" : "-files";
    String perDirFlag = "mkdirs".equals(op) ? "-dirsPerDir" : "-filesPerDir";
    NNThroughputBenchmark.runBenchmark(new HdfsConfiguration(), new String[] {
        "-op", op, "-threads", threads, countFlag, ops, perDirFlag, "64",
        "-baseDirName", base});
    System.out.flush();
  }
}
