package io.multizone.lab.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.split.JobSplit;
import org.apache.hadoop.mapreduce.split.SplitMetaInfoReader;

/**
 * The input file and the hosts of each map of a submitted job, in map order (map {@code i}
 * reads entry {@code i}), read back from the split files the job client wrote into the job's
 * staging directory: the same files the MapReduce AM reads to create its map tasks and their
 * container asks, so the order is the framework's own (it sorts splits by size) and the hosts
 * are the ones the scheduler was asked for (a file's block hosts read right after it was
 * closed may still lack a replica whose report had not reached the NameNode). With it the lab
 * knows which file a map reads, and whether its container runs on one of those hosts, as
 * soon as the container is launched, instead of waiting tens of seconds for the map's JVM to
 * report its status.
 */
final class SubmittedSplits {
  private SubmittedSplits() {
  }

  /**
   * One line per split, "PATH HOST,HOST,..." ("?" for the path of a split that is not a file
   * split).
   */
  static List<String> describe(Job job) throws IOException {
    Configuration conf = job.getConfiguration();
    String dir = conf.get(MRJobConfig.MAPREDUCE_JOB_DIR);
    if (dir == null) {
      throw new IOException(MRJobConfig.MAPREDUCE_JOB_DIR + " not set: job not submitted");
    }
    Path jobDir = new Path(dir);
    FileSystem fs = jobDir.getFileSystem(conf);
    List<String> paths = new ArrayList<>();
    for (JobSplit.TaskSplitMetaInfo meta
        : SplitMetaInfoReader.readSplitMetaInfo(job.getJobID(), fs, conf, jobDir)) {
      JobSplit.TaskSplitIndex index = meta.getSplitIndex();
      try (FSDataInputStream in = fs.open(new Path(index.getSplitLocation()))) {
        in.seek(index.getStartOffset());
        String splitClass = Text.readString(in);
        String path = "?";
        if (FileSplit.class.getName().equals(splitClass)) {
          FileSplit split = new FileSplit();
          split.readFields(in);
          path = split.getPath().toUri().getPath();
        }
        paths.add(path + " " + String.join(",", meta.getLocations()));
      }
    }
    return paths;
  }
}
