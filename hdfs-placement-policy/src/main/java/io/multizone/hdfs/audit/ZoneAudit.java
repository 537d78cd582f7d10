package io.multizone.hdfs.audit;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;

import io.multizone.hdfs.config.ZonePlacementConfig;
import io.multizone.zone.ZoneModelConfig;
import io.multizone.zone.ZoneResolver;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.protocol.HdfsFileStatus;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;

/**
 * {@code zone-audit}: how exposed the data under a path is to the loss of one zone, measured
 * from the block locations any HDFS client can list (no superuser, any placement policy, so
 * it can be run before installing ours). Reports replicas per zone, blocks and files held in
 * one zone only, and for each zone what its loss would do now: files unreadable, replicated
 * blocks left with one replica, erasure-coded groups left below their data units.
 *
 * <pre>
 * hadoop jar hdfs-placement-policy.jar io.multizone.hdfs.audit.ZoneAudit [-D...] [--json]
 *     [--progress] [--list N] [PATH]
 * </pre>
 *
 * Exit status: {@value #CLEAN} clean, {@value #AT_RISK} at risk (a file unreadable if some
 * zone died, a block in one zone only, or a file already missing a block), {@value #BAD_INPUT}
 * bad input (unknown option, bad path, unreachable cluster), with one message naming it.
 */
public class ZoneAudit extends Configured implements Tool {

  public static final int CLEAN = 0;
  public static final int AT_RISK = 1;
  public static final int BAD_INPUT = 2;

  static final int DEFAULT_LIST = 10;

  static final String USAGE = "Usage: zone-audit [-D key=value ...] [--json] [--progress]"
      + " [--list N] [PATH]\n"
      + "  PATH        file or directory to audit, recursively (default /)\n"
      + "  --json      one JSON object on stdout instead of the table\n"
      + "  --progress  a progress line on stderr every "
      + ZonePlacementConfig.AUDIT_PROGRESS_INTERVAL_MS_KEY + " ms (default "
      + ZonePlacementConfig.AUDIT_PROGRESS_INTERVAL_MS_DEFAULT + ")\n"
      + "  --list N    paths listed per zone and per problem (default " + DEFAULT_LIST + ");"
      + " counts are always complete\n"
      + "Exit status: 0 clean, 1 at risk (a file unreadable if some zone died, or a block in"
      + " one zone only), 2 bad input.\n";

  private final PrintStream out;
  private final PrintStream err;

  public ZoneAudit() {
    this(System.out, System.err);
  }

  /** For tests: where the report and the messages go. */
  public ZoneAudit(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Input the audit refuses, with the message to print. */
  static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message);
    }
  }

  @Override
  public int run(String[] args) {
    boolean json = false;
    boolean progress = false;
    int list = DEFAULT_LIST;
    String pathArg = null;
    boolean options = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (options && a.equals("--")) {
        options = false;
      } else if (options && (a.equals("-h") || a.equals("--help"))) {
        out.print(USAGE);
        return CLEAN;
      } else if (options && a.equals("--json")) {
        json = true;
      } else if (options && a.equals("--progress")) {
        progress = true;
      } else if (options && (a.equals("--list") || a.startsWith("--list="))) {
        String v;
        if (a.startsWith("--list=")) {
          v = a.substring("--list=".length());
        } else if (i + 1 < args.length) {
          v = args[++i];
        } else {
          return bad("option '--list' needs a value (a whole number >= 0)");
        }
        try {
          list = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          list = -1;
        }
        if (list < 0) {
          return bad("invalid value for '--list': '" + v + "' (expected a whole number >= 0)");
        }
      } else if (options && a.startsWith("-") && a.length() > 1) {
        return bad("unknown option '" + a + "'");
      } else if (pathArg != null) {
        return bad("one PATH only, got '" + pathArg + "' and '" + a + "'");
      } else {
        pathArg = a;
      }
    }
    if (pathArg == null) {
      pathArg = "/";
    }
    Configuration conf = getConf() != null ? getConf() : new HdfsConfiguration();
    try {
      return audit(conf, pathArg, json, progress, list);
    } catch (BadInput e) {
      return bad(e.getMessage());
    } catch (IllegalArgumentException e) {
      // A malformed multizone.zone.depth or progress interval: the message names the key.
      return bad(e.getMessage());
    } catch (IOException e) {
      return bad("scan of '" + pathArg + "' failed: " + firstLine(e));
    }
  }

  private int audit(Configuration conf, String pathArg, boolean json, boolean progress,
      int list) throws BadInput, IOException {
    ZoneResolver resolver = ZoneModelConfig.resolver(conf);
    long interval = ZonePlacementConfig.auditProgressIntervalMs(conf);
    int threads = ZonePlacementConfig.auditThreads(conf);
    DistributedFileSystem dfs;
    Path path;
    try {
      path = new Path(pathArg);
      FileSystem fs = path.getFileSystem(conf);
      if (!(fs instanceof DistributedFileSystem)) {
        // viewfs and other mount tables: audit the HDFS path the mount resolves to.
        path = fs.resolvePath(path);
        fs = path.getFileSystem(conf);
      }
      if (!(fs instanceof DistributedFileSystem)) {
        throw new BadInput("'" + pathArg + "' is not on HDFS (its file system is "
            + fs.getUri() + "); give an hdfs:// path or set fs.defaultFS");
      }
      dfs = (DistributedFileSystem) fs;
    } catch (FileNotFoundException e) {
      throw new BadInput("no such path: '" + pathArg + "'");
    } catch (IOException | IllegalArgumentException e) {
      throw new BadInput("cannot use path '" + pathArg + "': " + firstLine(e));
    }
    URI uri = dfs.getUri();
    String src = path.toUri().getPath();
    if (src == null || src.isEmpty()) {
      src = "/";
    }
    if (!src.startsWith("/")) {
      src = dfs.getWorkingDirectory().toUri().getPath() + "/" + src;
    }
    src = new Path(src).toUri().getPath();
    HdfsFileStatus root;
    try {
      root = dfs.getClient().getFileInfo(src);
    } catch (AccessControlException e) {
      throw new BadInput("permission denied on '" + pathArg + "': " + firstLine(e));
    } catch (IOException e) {
      throw new BadInput("cannot reach the NameNode of '" + pathArg + "' (" + uri + "): "
          + firstLine(e));
    }
    if (root == null) {
      throw new BadInput("no such path: '" + pathArg + "' (" + uri + src + ")");
    }
    ZoneTally tally = new ZoneTally(resolver, list);
    long start = System.nanoTime();
    ZoneAuditScanner.Progress p = progress ? new ProgressLine(err, interval, start) : t -> { };
    new ZoneAuditScanner(dfs.getClient(), tally, p, threads).scan(src, root);
    double seconds = (System.nanoTime() - start) / 1e9;
    AuditReport report = new AuditReport(uri + src, resolver.depth(), seconds, tally);
    out.print(json ? report.json() : report.table());
    out.flush();
    return tally.atRisk() ? AT_RISK : CLEAN;
  }

  private int bad(String message) {
    err.println("zone-audit: " + message);
    err.print(USAGE);
    err.flush();
    return BAD_INPUT;
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** A progress line on stderr, at most once per interval. */
  static final class ProgressLine implements ZoneAuditScanner.Progress {
    private final PrintStream err;
    private final long intervalNanos;
    private final long start;
    private long next;

    ProgressLine(PrintStream err, long intervalMs, long start) {
      this.err = err;
      this.intervalNanos = intervalMs * 1_000_000L;
      this.start = start;
      this.next = start + intervalNanos;
    }

    @Override
    public void update(ZoneTally t) {
      long now = System.nanoTime();
      if (now < next) {
        return;
      }
      next = now + intervalNanos;
      double s = (now - start) / 1e9;
      err.printf("zone-audit: %,d files, %,d blocks in %.0f s (%,.0f blocks/s)%n", t.files(),
          t.blocks(), s, t.blocks() / Math.max(s, 1e-9));
      err.flush();
    }
  }

  public static void main(String[] args) {
    int rc;
    try {
      rc = ToolRunner.run(new HdfsConfiguration(), new ZoneAudit(), args);
    } catch (Exception e) {
      System.err.println("zone-audit: " + firstLine(e));
      System.err.print(USAGE);
      rc = BAD_INPUT;
    }
    System.exit(rc);
  }
}
