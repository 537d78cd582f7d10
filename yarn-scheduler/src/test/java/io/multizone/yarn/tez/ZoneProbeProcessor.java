package io.multizone.yarn.tez;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.tez.mapreduce.input.MRInput;
import org.apache.tez.mapreduce.lib.MRReader;
import org.apache.tez.runtime.api.ProcessorContext;
import org.apache.tez.runtime.library.api.KeyValueReader;
import org.apache.tez.runtime.library.processor.SimpleProcessor;

/**
 * A Tez task that says where it ran: it reads its whole {@link MRInput} split, then writes
 * {@code <probe dir>/task_<index>_<attempt>} holding the NodeManager host (YARN's
 * {@code NM_HOST}), the split's file, the bytes read, its container and how many tasks this
 * JVM has run (more than one = a reused container). The payload is
 * {@code <probe dir>\t<task index to hold>}: the first attempt of that task (of every task:
 * {@link #HOLD_EVERY_TASK}) then waits until {@code <probe dir>/release} exists, so a test can
 * act while it runs; reruns never wait.
 */
public class ZoneProbeProcessor extends SimpleProcessor {
  static final String RELEASE = "release";
  /** The hold index that holds every task's first attempt. */
  static final int HOLD_EVERY_TASK = -2;
  private static final AtomicInteger TASKS_IN_JVM = new AtomicInteger();

  public ZoneProbeProcessor(ProcessorContext context) {
    super(context);
  }

  @Override
  public void run() throws Exception {
    int inJvm = TASKS_IN_JVM.incrementAndGet();
    String[] payload = new String(getContext().getUserPayload().deepCopyAsArray(),
        StandardCharsets.UTF_8).split("\t");
    Path dir = new Path(payload[0]);
    int hold = Integer.parseInt(payload[1]);
    MRInput input = (MRInput) getInputs().values().iterator().next();
    KeyValueReader reader = input.getReader();
    long bytes = 0;
    while (reader.next()) {
      bytes += ((Text) reader.getCurrentValue()).getLength() + 1;
    }
    Object split = ((MRReader) reader).getSplit();
    String file = split instanceof FileSplit
        ? ((FileSplit) split).getPath().toUri().getPath() : "?";
    int index = getContext().getTaskIndex();
    int attempt = getContext().getTaskAttemptNumber();
    String line = System.getenv("NM_HOST") + "\t" + file + "\t" + bytes + "\t"
        + System.getenv("CONTAINER_ID") + "\t" + inJvm + "\n";
    FileSystem fs = dir.getFileSystem(new Configuration());
    try (FSDataOutputStream out = fs.create(new Path(dir, "task_" + index + "_" + attempt))) {
      out.write(line.getBytes(StandardCharsets.UTF_8));
    }
    if ((index == hold || hold == HOLD_EVERY_TASK) && attempt == 0) {
      Path release = new Path(dir, RELEASE);
      while (!fs.exists(release)) {
        Thread.sleep(200);
      }
    }
  }

  /** @return the payload for {@link #run()} */
  static byte[] payload(Path probeDir, int holdTask) throws IOException {
    return (probeDir + "\t" + holdTask).getBytes(StandardCharsets.UTF_8);
  }
}
