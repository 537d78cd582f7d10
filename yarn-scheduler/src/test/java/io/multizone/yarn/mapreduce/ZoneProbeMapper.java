package io.multizone.yarn.mapreduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;

/**
 * A map task that says where it ran: each attempt writes {@code <probe dir>/<attempt id>}
 * holding the NodeManager host it ran on (YARN's {@code NM_HOST}), the file of its split
 * and the bytes it read (a task's split carries no hosts: the test knows them). With {@link #HOLD_KEY} set, a first attempt then waits until
 * {@code <probe dir>/release} exists, so a test can act while it runs; reruns never wait.
 */
public class ZoneProbeMapper extends Mapper<LongWritable, Text, NullWritable, NullWritable> {
  static final String PROBE_DIR_KEY = "multizone.test.probe-dir";
  static final String HOLD_KEY = "multizone.test.hold-first-attempt";
  static final String RELEASE = "release";

  private long bytes;

  @Override
  protected void map(LongWritable key, Text value, Context context) {
    bytes += value.getLength() + 1;
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    Configuration conf = context.getConfiguration();
    Path dir = new Path(conf.get(PROBE_DIR_KEY));
    FileSystem fs = dir.getFileSystem(conf);
    FileSplit split = (FileSplit) context.getInputSplit();
    String line = System.getenv("NM_HOST") + "\t" + split.getPath().toUri().getPath() + "\t"
        + bytes + "\n";
    try (FSDataOutputStream out = fs.create(new Path(dir,
        context.getTaskAttemptID().toString()))) {
      out.write(line.getBytes(StandardCharsets.UTF_8));
    }
    if (conf.getBoolean(HOLD_KEY, false) && context.getTaskAttemptID().getId() == 0) {
      Path release = new Path(dir, RELEASE);
      while (!fs.exists(release)) {
        context.progress();
        Thread.sleep(200);
      }
    }
  }
}
