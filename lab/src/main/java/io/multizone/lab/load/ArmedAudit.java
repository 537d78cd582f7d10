package io.multizone.lab.load;

import io.multizone.hdfs.audit.ZoneAudit;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.hdfs.HdfsConfiguration;

/**
 * Our zone-audit, started ahead and fired on cue: the JVM starts, audits PATH once to warm
 * up (classes loaded, NameNode connection made), then waits for TRIGGER to exist and writes
 * the audit's JSON to OUT (complete or absent). On the lab's two busy cores a client JVM
 * takes up to a minute to start while a job launches its tasks; the zone-loss scenario needs
 * the audit of the moment just before the fault, not a minute later. Gives up after 15
 * minutes without a cue.
 *
 * <p>Usage: {@code ArmedAudit PATH TRIGGER OUT}
 */
public final class ArmedAudit {
  private static final long WAIT_MS = 15 * 60 * 1000L;

  private ArmedAudit() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 3) {
      System.err.println("usage: ArmedAudit PATH TRIGGER OUT");
      System.exit(2);
    }
    String[] audit = {"--json", args[0]};
    File trigger = new File(args[1]);
    File out = new File(args[2]);
    HdfsConfiguration conf = new HdfsConfiguration();
    try (PrintStream nowhere = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
      }
    })) {
      run(conf, audit, nowhere);
    }
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (!trigger.exists()) {
      if (System.currentTimeMillis() > deadline) {
        System.exit(1);
      }
      Thread.sleep(100);
    }
    File tmp = new File(out.getPath() + ".tmp");
    try (PrintStream json = new PrintStream(new FileOutputStream(tmp), true,
        StandardCharsets.UTF_8.name())) {
      run(conf, audit, json);
    }
    Files.move(tmp.toPath(), out.toPath(), StandardCopyOption.ATOMIC_MOVE);
  }

  private static void run(HdfsConfiguration conf, String[] args, PrintStream out) {
    ZoneAudit tool = new ZoneAudit(out, System.err);
    tool.setConf(conf);
    tool.run(args);
  }
}
