package io.multizone.lab.job;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Counter;
import org.apache.hadoop.mapreduce.JobCounter;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskID;
import org.apache.hadoop.mapreduce.jobhistory.JobHistoryParser;
import org.apache.hadoop.mapreduce.jobhistory.JobHistoryParser.AMInfo;
import org.apache.hadoop.mapreduce.jobhistory.JobHistoryParser.JobInfo;
import org.apache.hadoop.mapreduce.jobhistory.JobHistoryParser.TaskAttemptInfo;
import org.apache.hadoop.mapreduce.jobhistory.JobHistoryParser.TaskInfo;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.exceptions.YarnException;

/**
 * A finished MapReduce job's attempts, from the history file its ApplicationMaster left in
 * the intermediate done directory (no JobHistory server needed): one JSON object with the
 * job's status, its locality and kill/fail counters, its AM attempts (the ResourceManager's
 * list when it gave one) and every task attempt
 * ({@code task, attempt, type, status, host, start, finish, error}), times in epoch ms.
 */
public final class JobAttempts {
  /** Where the AM leaves history files (Hadoop's default under the staging dir). */
  static final String INTERMEDIATE_DIR = "mapreduce.jobhistory.intermediate-done-dir";

  private JobAttempts() {
  }

  /**
   * One attempt of the job's ApplicationMaster, as the ResourceManager lists it: the history
   * file names only the attempts its own AM knew of (an AM that restarted without recovering
   * its predecessor's history, as after a zone loss took the first AM's host with it, lists
   * itself alone: a quick run of 2026-12-02 17:24 reported 1 where the RM had run 2).
   */
  static final class AmAttempt {
    final String id;
    final String state;
    final String host;
    final long start;

    AmAttempt(String id, String state, String host, long start) {
      this.id = id;
      this.state = state;
      this.host = host;
      this.start = start;
    }
  }

  /** The application's AM attempts from the ResourceManager; empty if it cannot say. */
  static List<AmAttempt> amAttempts(YarnClient yarn, ApplicationId app) {
    List<AmAttempt> out = new ArrayList<>();
    try {
      for (ApplicationAttemptReport r : yarn.getApplicationAttempts(app)) {
        out.add(new AmAttempt(r.getApplicationAttemptId().toString(),
            String.valueOf(r.getYarnApplicationAttemptState()), r.getHost(), r.getStartTime()));
      }
    } catch (IOException | YarnException | RuntimeException e) {
      System.err.println("lab: could not list the application's attempts: " + e);
      out.clear();
    }
    return out;
  }

  /**
   * Whether an AM will leave a history file: only one that unregistered does, so the last
   * attempt (the ResourceManager's word) must be FINISHING or FINISHED; unknown when the RM
   * gave no list. A job whose last AM died (stock's zone-loss job of the 07:17 quick run of
   * 2026-12-03: its second AM could not read the job's files, all in the zone lost) leaves
   * none, and the lab waited the whole 120 s for it.
   */
  static boolean historyExpected(List<AmAttempt> amAttempts) {
    AmAttempt last = null;
    for (AmAttempt a : amAttempts) {
      if (last == null || a.id.compareTo(last.id) > 0) {
        last = a;
      }
    }
    return last == null || "FINISHING".equals(last.state) || "FINISHED".equals(last.state);
  }

  /**
   * Waits (up to 120 s, or 10 s when no history file is expected: see
   * {@link #historyExpected}) for the job's history file, parses it and writes the JSON; the
   * AM attempts are the ResourceManager's ({@code amAttempts}) unless that list is empty.
   */
  static void write(Configuration conf, String jobId, List<AmAttempt> amAttempts, File out)
      throws IOException, InterruptedException {
    String staging = conf.get("yarn.app.mapreduce.am.staging-dir", "/tmp/hadoop-yarn/staging");
    Path dir = new Path(conf.get(INTERMEDIATE_DIR, staging + "/history/done_intermediate"));
    FileSystem fs = dir.getFileSystem(conf);
    Path jhist = null;
    int polls = historyExpected(amAttempts) ? 240 : 20;
    for (int i = 0; i < polls && jhist == null; i++) {
      FileStatus[] found = fs.globStatus(new Path(dir, "*/" + jobId + "*.jhist"));
      if (found != null && found.length > 0) {
        jhist = found[0].getPath();
      } else {
        Thread.sleep(500);
      }
    }
    String json;
    if (jhist == null) {
      json = "{\"job\":\"" + jobId + "\",\"error\":\"no history file under " + dir + "\"}";
    } else {
      json = toJson(new JobHistoryParser(fs, jhist).parse(), amAttempts);
    }
    Files.write(out.toPath(), (json + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static String toJson(JobInfo info, List<AmAttempt> rmAttempts) {
    StringBuilder s = new StringBuilder("{");
    field(s, "job", info.getJobId().toString()).append(',');
    field(s, "status", info.getJobStatus()).append(',');
    s.append("\"submit\":").append(info.getSubmitTime()).append(',');
    s.append("\"launch\":").append(info.getLaunchTime()).append(',');
    s.append("\"finish\":").append(info.getFinishTime()).append(',');
    s.append("\"counters\":{");
    JobCounter[] keys = {JobCounter.DATA_LOCAL_MAPS, JobCounter.RACK_LOCAL_MAPS,
        JobCounter.OTHER_LOCAL_MAPS, JobCounter.NUM_KILLED_MAPS, JobCounter.NUM_FAILED_MAPS,
        JobCounter.TOTAL_LAUNCHED_MAPS, JobCounter.NUM_KILLED_REDUCES,
        JobCounter.NUM_FAILED_REDUCES};
    for (int i = 0; i < keys.length; i++) {
      Counter c = info.getTotalCounters() == null ? null
          : info.getTotalCounters().findCounter(keys[i]);
      s.append(i == 0 ? "" : ",").append('"').append(keys[i].name()).append("\":")
          .append(c == null ? 0 : c.getValue());
    }
    s.append("},\"am_attempts\":[");
    List<AmAttempt> ams = rmAttempts;
    if (ams.isEmpty() && info.getAMInfos() != null) {
      ams = new ArrayList<>();
      for (AMInfo a : info.getAMInfos()) {
        ams.add(new AmAttempt(String.valueOf(a.getAppAttemptId()), null,
            a.getNodeManagerHost(), a.getStartTime()));
      }
    }
    for (int i = 0; i < ams.size(); i++) {
      s.append(i == 0 ? "{" : ",{");
      field(s, "attempt", ams.get(i).id).append(',');
      field(s, "state", ams.get(i).state).append(',');
      field(s, "host", ams.get(i).host).append(',');
      s.append("\"start\":").append(ams.get(i).start).append('}');
    }
    s.append("],\"attempts\":[");
    boolean first = true;
    for (Map.Entry<TaskID, TaskInfo> task : info.getAllTasks().entrySet()) {
      for (Map.Entry<TaskAttemptID, TaskAttemptInfo> a
          : task.getValue().getAllTaskAttempts().entrySet()) {
        TaskAttemptInfo ai = a.getValue();
        s.append(first ? "{" : ",{");
        first = false;
        field(s, "task", task.getKey().toString()).append(',');
        field(s, "attempt", a.getKey().toString()).append(',');
        field(s, "type", String.valueOf(task.getValue().getTaskType())).append(',');
        field(s, "status", ai.getTaskStatus()).append(',');
        field(s, "host", ai.getHostname()).append(',');
        s.append("\"start\":").append(ai.getStartTime()).append(',');
        s.append("\"finish\":").append(ai.getFinishTime()).append(',');
        field(s, "error", ai.getError()).append('}');
      }
    }
    return s.append("]}").toString();
  }

  private static StringBuilder field(StringBuilder s, String name, String value) {
    s.append('"').append(name).append("\":");
    if (value == null) {
      return s.append("null");
    }
    s.append('"');
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c < 0x20) {
        s.append(' ');
      } else {
        s.append(c);
      }
    }
    return s.append('"');
  }
}
