package io.multizone.yarn.tez;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.multizone.yarn.mapreduce.ZoneMapReduceCluster;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.tez.client.TezClient;
import org.apache.tez.dag.api.DAG;
import org.apache.tez.dag.api.ProcessorDescriptor;
import org.apache.tez.dag.api.TezConfiguration;
import org.apache.tez.dag.api.UserPayload;
import org.apache.tez.dag.api.Vertex;
import org.apache.tez.dag.api.client.DAGClient;
import org.apache.tez.dag.api.client.DAGStatus;
import org.apache.tez.dag.api.client.Progress;
import org.apache.tez.mapreduce.input.MRInput;

/**
 * A one-vertex Tez DAG of {@link ZoneProbeProcessor}s over one HDFS directory (one task per
 * file: MRInput splits generated in the AM with their block hosts as location hints, no
 * grouping), submitted to a {@link ZoneMapReduceCluster}, and what its attempts said.
 *
 * <p>Tez's jars reach the AM and task containers the way Tez's own MiniTezCluster does it:
 * {@code tez.ignore.lib.uris} (nothing to localise) and {@code tez.use.cluster.hadoop-libs}
 * with {@code yarn.application.classpath} set to this JVM's class path (surefire's booter
 * JAR, whose manifest lists the test class path). The AM and tasks get the cluster's java
 * options (hosts file, add-opens) through {@code tez.am.launch.cmd-opts} and
 * {@code tez.task.launch.cmd-opts}. Container reuse stays at Tez's default (on).
 */
final class ProbeDag {
  static final String VERTEX = "probe";

  /** What one attempt wrote. */
  static final class Attempt {
    final String id;
    final String host;
    final String file;
    final long bytes;
    final String container;
    /** Tasks its JVM had run, this one included: more than 1 = a reused container. */
    final int taskInJvm;

    Attempt(String id, String line) {
      String[] f = line.trim().split("\t");
      this.id = id;
      this.host = f[0];
      this.file = f[1];
      this.bytes = Long.parseLong(f[2]);
      this.container = f[3];
      this.taskInJvm = Integer.parseInt(f[4]);
    }

    boolean first() {
      return id.endsWith("_0");
    }

    String task() {
      return id.substring(0, id.lastIndexOf('_'));
    }

    @Override
    public String toString() {
      return id + " on " + host + " (" + file + ", " + bytes + " bytes, " + container
          + ", task " + taskInJvm + " of its JVM)";
    }
  }

  final TezConfiguration conf;
  final Path probeDir;
  private final TezClient client;
  private DAGClient dag;

  ProbeDag(ZoneMapReduceCluster cluster, String name, Path input, Path probeDir, int holdTask,
      Map<String, String> tezKeys) throws Exception {
    FileSystem fs = cluster.fs();
    this.probeDir = fs.makeQualified(probeDir);
    fs.mkdirs(this.probeDir);
    conf = new TezConfiguration(cluster.jobConf());
    conf.setBoolean(TezConfiguration.TEZ_IGNORE_LIB_URIS, true);
    conf.setBoolean(TezConfiguration.TEZ_USE_CLUSTER_HADOOP_LIBS, true);
    conf.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH, System.getProperty("java.class.path"));
    conf.set(TezConfiguration.TEZ_AM_LAUNCH_CMD_OPTS, cluster.jvmOpts());
    conf.set(TezConfiguration.TEZ_TASK_LAUNCH_CMD_OPTS, cluster.jvmOpts());
    conf.setInt(TezConfiguration.TEZ_AM_RESOURCE_MEMORY_MB, ZoneMapReduceCluster.MB_PER_CONTAINER);
    conf.setInt(TezConfiguration.TEZ_TASK_RESOURCE_MEMORY_MB,
        ZoneMapReduceCluster.MB_PER_CONTAINER);
    conf.set(TezConfiguration.TEZ_AM_STAGING_DIR, fs.makeQualified(new Path("/tez-staging"))
        .toString());
    conf.setBoolean(TezConfiguration.TEZ_AM_SESSION_MODE, false);
    conf.setInt(TezConfiguration.TEZ_AM_MAX_APP_ATTEMPTS, 1);
    for (Map.Entry<String, String> e : tezKeys.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    Vertex v = Vertex.create(VERTEX, ProcessorDescriptor.create(ZoneProbeProcessor.class
        .getName()).setUserPayload(UserPayload.create(ByteBuffer.wrap(
            ZoneProbeProcessor.payload(this.probeDir, holdTask)))));
    v.addDataSource("in", MRInput.createConfigBuilder(new TezConfiguration(conf),
        TextInputFormat.class, fs.makeQualified(input).toString())
        .groupSplits(false).generateSplitsInAM(true).build());
    this.client = TezClient.create(name, conf);
    client.start();
    this.dag = client.submitDAG(DAG.create(name).addVertex(v));
  }

  /** Waits (generous deadline, no timing asserted) until the DAG ends. */
  DAGStatus awaitCompletion(long deadlineMs) throws Exception {
    long deadline = System.currentTimeMillis() + deadlineMs;
    while (System.currentTimeMillis() < deadline) {
      DAGStatus s = dag.getDAGStatus(null);
      if (s.isCompleted()) {
        return s;
      }
      Thread.sleep(500);
    }
    return null;
  }

  boolean isCompleted() throws Exception {
    return dag.getDAGStatus(null).isCompleted();
  }

  /** @return the probe vertex's progress: task and attempt counts by state */
  Progress vertexProgress() throws Exception {
    return dag.getVertexStatus(VERTEX, null).getProgress();
  }

  /** @return every attempt's probe so far, by attempt ({@code task_<index>_<attempt>}) */
  Map<String, Attempt> attempts() throws IOException {
    Map<String, Attempt> out = new LinkedHashMap<>();
    ZoneMapReduceCluster.readProbes(probeDir.getFileSystem(conf), probeDir, "task_")
        .forEach((name, line) -> out.put(name, new Attempt(name, line)));
    return out;
  }

  /** Lets a held first attempt finish. */
  void release() throws IOException {
    probeDir.getFileSystem(conf).create(new Path(probeDir, ZoneProbeProcessor.RELEASE)).close();
  }

  /**
   * Waits (up to a minute) until YARN has the application finished, then closes the client,
   * so the cluster is not stopped under a Tez AM still shutting down.
   */
  void close() {
    try {
      if (dag != null) {
        dag.close();
      }
    } catch (IOException e) {
      // closing the client below is what matters
    }
    YarnClient yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    try {
      ApplicationId app = client.getAppMasterApplicationId();
      long deadline = System.currentTimeMillis() + 60_000;
      while (app != null && System.currentTimeMillis() < deadline) {
        YarnApplicationState state = yarn.getApplicationReport(app).getYarnApplicationState();
        if (state == YarnApplicationState.FINISHED || state == YarnApplicationState.FAILED
            || state == YarnApplicationState.KILLED) {
          break;
        }
        Thread.sleep(500);
      }
    } catch (Exception e) {
      // best effort: the cluster goes down next
    } finally {
      yarn.stop();
    }
    try {
      client.stop();
    } catch (Exception e) {
      // the cluster goes down next
    }
  }
}
