package io.multizone.lab.job;

import io.multizone.lab.load.TextInput;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringTokenizer;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TIPStatus;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.JobStatus;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.Reducer;
import org.apache.hadoop.mapreduce.TaskReport;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.TypeConverter;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.exceptions.YarnException;

/**
 * Hadoop's wordcount with paced maps: each map pauses {@code lab.map.line-pause-ms} after every
 * line, so maps run long enough for the lab to lose a zone or a DataNode under them. Each map
 * sets its status to the file it reads, so the lab can tell which running map is data-local
 * where (from the MapReduce AM's REST API). The driver writes {@code PROGRESS_FILE} lines
 * ({@code split INDEX PATH HOST,HOST,...} per map, the file it reads and the hosts it asked
 * for, then {@code submitted JOB_ID APP_ID
 * EPOCH_MS}, then {@code progress EPOCH_MS MAP REDUCE STARTED}
 * every second, STARTED the maps launched so far (their container running, reading or not),
 * then {@code finished EPOCH_MS STATE}) and, once done, the job's attempts as JSON
 * (see {@link JobAttempts}) to {@code RESULT_JSON}. Exit 0 if the job succeeded, 1 if not.
 * With {@code lab.input.files} set it first writes its input with {@link TextInput} (one JVM
 * for both: a client JVM takes tens of seconds to start on the lab's busy machine).
 *
 * <p>Usage: {@code PacedWordCount [-D k=v]... IN OUT PROGRESS_FILE RESULT_JSON}
 */
public final class PacedWordCount extends Configured implements Tool {
  /** Milliseconds each map pauses after each line it read. */
  public static final String LINE_PAUSE_MS = "lab.map.line-pause-ms";
  /** Input files to write into IN before the job (0: IN exists). */
  public static final String INPUT_FILES = "lab.input.files";
  /** Lines per input file. */
  public static final String INPUT_LINES = "lab.input.lines";
  /** Seed of the input's words. */
  public static final String INPUT_SEED = "lab.input.seed";
  /** Where the input files' block hosts go (JSON lines, see {@link TextInput}). */
  public static final String INPUT_HOSTS_FILE = "lab.input.hosts-file";

  /** Tokenises lines, pausing after each. */
  public static class PacedMapper extends Mapper<LongWritable, Text, Text, IntWritable> {
    private static final IntWritable ONE = new IntWritable(1);
    private final Text word = new Text();
    private long pause;

    @Override
    protected void setup(Context context) throws IOException {
      pause = context.getConfiguration().getLong(LINE_PAUSE_MS, 0);
      String input = context.getInputSplit() instanceof FileSplit
          ? ((FileSplit) context.getInputSplit()).getPath().toUri().getPath() : "?";
      context.setStatus("input=" + input + " host=" + InetAddress.getLocalHost().getHostAddress());
    }

    @Override
    protected void map(LongWritable key, Text value, Context context)
        throws IOException, InterruptedException {
      StringTokenizer tokens = new StringTokenizer(value.toString());
      while (tokens.hasMoreTokens()) {
        word.set(tokens.nextToken());
        context.write(word, ONE);
      }
      if (pause > 0) {
        Thread.sleep(pause);
      }
    }
  }

  /** Sums the counts of a word. */
  public static class SumReducer extends Reducer<Text, IntWritable, Text, IntWritable> {
    private final IntWritable sum = new IntWritable();

    @Override
    protected void reduce(Text key, Iterable<IntWritable> values, Context context)
        throws IOException, InterruptedException {
      int total = 0;
      for (IntWritable v : values) {
        total += v.get();
      }
      sum.set(total);
      context.write(key, sum);
    }
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: PacedWordCount [-D k=v]... IN OUT PROGRESS_FILE RESULT_JSON");
      return 2;
    }
    Configuration conf = getConf();
    int inputFiles = conf.getInt(INPUT_FILES, 0);
    if (inputFiles > 0) {
      try (PrintStream hosts = new PrintStream(new FileOutputStream(conf.get(INPUT_HOSTS_FILE)),
          true, StandardCharsets.UTF_8.name())) {
        TextInput.generate(FileSystem.get(conf), new Path(args[0]), inputFiles,
            conf.getInt(INPUT_LINES, 100), conf.getLong(INPUT_SEED, 42), hosts);
      }
    }
    Job job = Job.getInstance(conf, "lab-wordcount");
    job.setJarByClass(PacedWordCount.class);
    job.setMapperClass(PacedMapper.class);
    job.setCombinerClass(SumReducer.class);
    job.setReducerClass(SumReducer.class);
    job.setOutputKeyClass(Text.class);
    job.setOutputValueClass(IntWritable.class);
    FileInputFormat.addInputPath(job, new Path(args[0]));
    FileOutputFormat.setOutputPath(job, new Path(args[1]));
    File progressFile = new File(args[2]);
    boolean ok;
    List<JobAttempts.AmAttempt> amAttempts;
    try (PrintWriter progress = new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(progressFile, true), StandardCharsets.UTF_8), true)) {
      job.submit();
      // Which file each map reads, before "submitted": the lab picks its DataNode-loss victim
      // from these as soon as a map's container runs (see SubmittedSplits).
      int maps = 0;
      try {
        List<String> splits = SubmittedSplits.describe(job);
        maps = splits.size();
        for (int i = 0; i < splits.size(); i++) {
          progress.printf("split %d %s%n", i, splits.get(i));
        }
      } catch (IOException | RuntimeException e) {
        System.err.println("lab: could not read the job's splits: " + e);
      }
      progress.printf("submitted %s %s %d%n", job.getJobID(),
          job.getJobID().toString().replace("job_", "application_"), System.currentTimeMillis());
      ApplicationId app = TypeConverter.toYarn(job.getJobID()).getAppId();
      try (YarnClient yarn = YarnClient.createYarnClient()) {
        yarn.init(conf);
        yarn.start();
        AtomicInteger started = new AtomicInteger();
        int mapCount = maps;
        String state = JobWatch.watch(() -> finalStatus(yarn, app),
            () -> progressLine(job, mapCount, started), progress, 1000);
        ok = "SUCCEEDED".equals(state);
        progress.printf("finished %d %s%n", System.currentTimeMillis(), state);
        amAttempts = JobAttempts.amAttempts(yarn, app);
      }
    }
    JobAttempts.write(conf, job.getJobID().toString(), amAttempts, new File(args[3]));
    return ok ? 0 : 1;
  }

  /**
   * Maps whose attempt was launched (running or done); 0 when the AM cannot say. The map
   * progress stays 0 until a map's JVM is up and reading, tens of seconds later on a busy
   * machine: the lab's faults need a running job, not a map half done.
   */
  private static int mapsStarted(Job job) throws InterruptedException {
    int n = 0;
    try {
      for (TaskReport r : job.getTaskReports(TaskType.MAP)) {
        TIPStatus s = r.getCurrentStatus();
        if (s == TIPStatus.RUNNING || s == TIPStatus.COMPLETE) {
          n++;
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return n;
  }

  /** One progress line from the job's AM; raises what the AM call raised. */
  private static String progressLine(Job job, int maps, AtomicInteger started)
      throws IOException, InterruptedException {
    JobStatus status = job.getStatus();
    if (maps == 0 || started.get() < maps) {
      started.set(Math.max(started.get(), mapsStarted(job)));
    }
    return String.format("progress %d %.3f %.3f %d%n", System.currentTimeMillis(),
        status.getMapProgress(), status.getReduceProgress(), started.get());
  }

  /** The application's final status as a job state; null while it runs. */
  private static String finalStatus(YarnClient yarn, ApplicationId app) throws IOException {
    try {
      ApplicationReport r = yarn.getApplicationReport(app);
      FinalApplicationStatus s = r.getFinalApplicationStatus();
      if (s == FinalApplicationStatus.UNDEFINED) {
        return null;
      }
      return s == FinalApplicationStatus.SUCCEEDED ? "SUCCEEDED" : s.toString();
    } catch (YarnException e) {
      return "UNKNOWN";
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(ToolRunner.run(new Configuration(), new PacedWordCount(), args));
  }
}
