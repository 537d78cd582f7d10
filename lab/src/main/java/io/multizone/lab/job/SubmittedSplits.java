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
 * The input file of each map of a submitted job, in map order (map {@code i} reads entry
 * {@code i}), read back from the split files the job client wrote into the job's staging
 * directory: the same files the MapReduce AM reads to create its map tasks, so the order is
 * the framework's own (it sorts splits by size), not one the lab would have to recompute.
 * With it the lab knows which file a map reads as soon as its container is launched, instead
 * of waiting tens of seconds for the map's JVM to start and report its status.
 */
final class SubmittedSplits {
  private SubmittedSplits() {
  }

  /** The paths of a submitted job's file splits; "?" for a split that is not a file split. */
  static List<String> paths(Job job) throws IOException {
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
        if (FileSplit.class.getName().equals(splitClass)) {
          FileSplit split = new FileSplit();
          split.readFields(in);
          paths.add(split.getPath().toUri().getPath());
        } else {
          paths.add("?");
        }
      }
    }
    return paths;
  }
}
