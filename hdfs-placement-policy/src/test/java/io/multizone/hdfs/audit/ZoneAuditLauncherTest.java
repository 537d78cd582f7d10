package io.multizone.hdfs.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * bin/zone-audit, the launcher: finds a Hadoop client, runs the audit class through
 * {@code hadoop jar}, passes the arguments and the exit status through, asks for progress
 * lines only when told to (stderr is never a terminal here), and explains what is missing.
 * A stand-in {@code hadoop} records its arguments; another one runs the real class with this
 * JVM's classpath, so the real {@code main} (ToolRunner, exit status) is exercised too.
 */
public class ZoneAuditLauncherTest {

  private static final File SCRIPT = new File("../bin/zone-audit").getAbsoluteFile();

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private File jar;

  @Before
  public void setUp() throws IOException {
    assertTrue(SCRIPT + " exists", SCRIPT.canExecute());
    jar = tmp.newFile("hdfs-placement-policy-test.jar");
  }

  static final class Result {
    int rc;
    String out;
    String err;
  }

  private Result run(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(Arrays.asList("bash", SCRIPT.getPath()));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("HADOOP_HOME");
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().put("ZONE_AUDIT_JAR", jar.getPath());
    pb.environment().putAll(env);
    File out = tmp.newFile();
    File err = tmp.newFile();
    pb.redirectOutput(out).redirectError(err);
    Process p = pb.start();
    Result r = new Result();
    r.rc = p.waitFor();
    r.out = new String(Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8);
    r.err = new String(Files.readAllBytes(err.toPath()), StandardCharsets.UTF_8);
    return r;
  }

  /** A stand-in `hadoop` that records its arguments one per line and exits with rc. */
  private File recordingHadoop(int rc) throws IOException {
    return recordingHadoop(tmp.newFolder(), rc);
  }

  private static File recordingHadoop(File dir, int rc) throws IOException {
    File hadoop = new File(dir, "hadoop");
    Files.write(hadoop.toPath(), ("#!/bin/sh\nprintf '%s\\n' \"$@\" > " + dir + "/args\n"
        + "printf '%s\\n' \"$HADOOP_CLASSPATH\" > " + dir + "/cp\nexit " + rc + "\n")
        .getBytes(StandardCharsets.UTF_8));
    assertTrue(hadoop.setExecutable(true));
    return dir;
  }

  private static String read(File f) throws IOException {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }

  @Test
  public void shellcheckClean() throws Exception {
    assumeTrue("shellcheck installed", new File("/usr/bin/shellcheck").canExecute());
    Process p = new ProcessBuilder("shellcheck", "-o", "all", SCRIPT.getPath())
        .redirectErrorStream(true).start();
    String output = new String(readAll(p), StandardCharsets.UTF_8);
    assertEquals(output, 0, p.waitFor());
  }

  private static byte[] readAll(Process p) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = p.getInputStream().read(buf)) > 0) {
      b.write(buf, 0, n);
    }
    return b.toByteArray();
  }

  @Test
  public void withoutHadoopItExplainsAndExitsTwo() throws Exception {
    Result r = run(Collections.emptyMap(), "/");
    assertEquals(r.err, 2, r.rc);
    assertTrue(r.err, r.err.contains("no Hadoop client found")
        && r.err.contains("HADOOP_HOME"));
  }

  @Test
  public void missingJarIsNamed() throws Exception {
    File dir = recordingHadoop(0);
    Map<String, String> env = new HashMap<>();
    env.put("PATH", dir + ":/usr/bin:/bin");
    env.put("ZONE_AUDIT_JAR", "/no/such.jar");
    Result r = run(env, "/");
    assertEquals(2, r.rc);
    assertTrue(r.err, r.err.contains("\"/no/such.jar\""));
  }

  @Test
  public void runsTheClassThroughHadoopJarAndPassesTheExitStatus() throws Exception {
    File dir = recordingHadoop(1);
    Map<String, String> env = new HashMap<>();
    env.put("PATH", dir + ":/usr/bin:/bin");
    env.put("HADOOP_CLASSPATH", "/extra.jar");
    env.put("MULTIZONE_COMMON_JAR", jar.getPath());
    Result r = run(env, "-D", "multizone.zone.depth=2", "--json", "/x");
    assertEquals(r.err, 1, r.rc);
    // stderr is a file here: no progress unless asked.
    assertEquals("jar\n" + jar + "\nio.multizone.hdfs.audit.ZoneAudit\n-D\nmultizone.zone.depth=2"
        + "\n--json\n/x\n", read(new File(dir, "args")));
    assertEquals(jar + ":/extra.jar\n", read(new File(dir, "cp")));
    r = run(env, "--progress", "/x");
    assertEquals("jar\n" + jar + "\nio.multizone.hdfs.audit.ZoneAudit\n--progress\n/x\n",
        read(new File(dir, "args")));
    r = run(env, "--no-progress");
    assertEquals("jar\n" + jar + "\nio.multizone.hdfs.audit.ZoneAudit\n",
        read(new File(dir, "args")));
  }

  @Test
  public void hadoopHomeIsUsedWhenHadoopIsNotOnPath() throws Exception {
    File home = tmp.newFolder();
    File bin = new File(home, "bin");
    assertTrue(bin.mkdir());
    recordingHadoop(bin, 0);
    Map<String, String> env = new HashMap<>();
    env.put("HADOOP_HOME", home.getPath());
    Result r = run(env, "/y");
    assertEquals(r.err, 0, r.rc);
    assertEquals("jar\n" + jar + "\nio.multizone.hdfs.audit.ZoneAudit\n/y\n",
        read(new File(home, "bin/args")));
  }

  /** `hadoop jar JAR CLASS ARGS` as this JVM: the real main, its exit status. */
  @Test
  public void realMainThroughTheLauncher() throws Exception {
    File dir = tmp.newFolder();
    File hadoop = new File(dir, "hadoop");
    String java = System.getProperty("java.home") + "/bin/java";
    File cp = new File(dir, "classpath");
    Files.write(cp.toPath(), System.getProperty("java.class.path")
        .getBytes(StandardCharsets.UTF_8));
    Files.write(hadoop.toPath(), ("#!/bin/sh\nshift 2\nexec " + java
        + " -Dlog4j.configuration=log4j-quiet.properties -cp \"$(cat " + cp + ")\" \"$@\"\n")
        .getBytes(StandardCharsets.UTF_8));
    assertTrue(hadoop.setExecutable(true));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", dir + ":/usr/bin:/bin");
    Result r = run(env, "--help");
    assertEquals(r.err, 0, r.rc);
    assertTrue(r.out, r.out.startsWith("Usage: zone-audit"));
    r = run(env, "-D", "ipc.client.connect.max.retries=0", "hdfs://127.0.0.1:1/");
    assertEquals(r.err, 2, r.rc);
    assertTrue(r.err, r.err.contains("zone-audit: cannot reach the NameNode of"
        + " 'hdfs://127.0.0.1:1/'"));
    r = run(env, "--frobnicate");
    assertEquals(r.err, 2, r.rc);
    assertTrue(r.err, r.err.contains("unknown option '--frobnicate'"));
  }
}
