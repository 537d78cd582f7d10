package io.multizone.yarn.mapreduce;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.TaskCompletionEvent;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.output.NullOutputFormat;
import org.apache.hadoop.util.JarFinder;

/** A map-only job of {@link ZoneProbeMapper}s over one directory, and what its attempts said. */
final class ProbeJob {
  /** What one attempt wrote: where it ran, its split's file, the bytes it read. */
  static final class Attempt {
    final String id;
    final String host;
    final String file;
    final long bytes;

    Attempt(String id, String line) {
      String[] f = line.trim().split("\t");
      this.id = id;
      this.host = f[0];
      this.file = f[1];
      this.bytes = Long.parseLong(f[2]);
    }

    /** @return whether this attempt is a task's first */
    boolean first() {
      return id.endsWith("_0");
    }

    @Override
    public String toString() {
      return id + " on " + host + " (" + file + ", " + bytes + " bytes)";
    }
  }

  final Job job;
  final Path probeDir;

  ProbeJob(Configuration clusterConf, String name, Path input, Path probeDir, boolean hold)
      throws IOException {
    Configuration conf = new Configuration(clusterConf);
    conf.set(ZoneProbeMapper.PROBE_DIR_KEY, probeDir.toString());
    conf.setBoolean(ZoneProbeMapper.HOLD_KEY, hold);
    conf.setBoolean(MRJobConfig.MAP_SPECULATIVE, false);
    this.job = Job.getInstance(conf, name);
    this.probeDir = probeDir;
    job.setJar(JarFinder.getJar(ZoneProbeMapper.class));
    job.setMapperClass(ZoneProbeMapper.class);
    job.setNumReduceTasks(0);
    job.setOutputKeyClass(NullWritable.class);
    job.setOutputValueClass(NullWritable.class);
    job.setOutputFormatClass(NullOutputFormat.class);
    FileInputFormat.addInputPath(job, input);
    probeDir.getFileSystem(conf).mkdirs(probeDir);
  }

  /** @return every attempt's probe so far, by attempt id */
  Map<String, Attempt> attempts() throws IOException {
    Map<String, Attempt> out = new LinkedHashMap<>();
    ZoneMapReduceCluster.readProbes(probeDir.getFileSystem(job.getConfiguration()), probeDir,
        "attempt_")
        .forEach((name, line) -> out.put(name, new Attempt(name, line)));
    return out;
  }

  /** Lets a held first attempt finish. */
  void release() throws IOException {
    probeDir.getFileSystem(job.getConfiguration())
        .create(new Path(probeDir, ZoneProbeMapper.RELEASE)).close();
  }

  /** @return every task completion event of the job */
  List<TaskCompletionEvent> completionEvents() throws IOException, InterruptedException {
    List<TaskCompletionEvent> all = new ArrayList<>();
    for (int from = 0;;) {
      TaskCompletionEvent[] events = job.getTaskCompletionEvents(from, 100);
      if (events.length == 0) {
        return all;
      }
      all.addAll(Arrays.asList(events));
      from += events.length;
    }
  }

  /** Waits (generous deadline, no timing asserted) until the job is complete. */
  boolean awaitCompletion(long deadlineMs) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + deadlineMs;
    while (!job.isComplete()) {
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(500);
    }
    return true;
  }
}
