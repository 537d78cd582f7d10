package io.multizone.hdfs.testutil;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.hadoop.hdfs.server.blockmanagement.BlockPlacementPolicy;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;

/**
 * Counts the INFO-or-louder lines the placement code logs (Hadoop's
 * {@code BlockPlacementPolicy} logger, which the default policies and ours share, and the
 * {@code io.multizone} loggers), with those loggers opened to INFO while it is attached: what
 * a NameNode running at its default INFO level would write. Counted lines are not printed.
 */
public final class LogLineCounter extends AppenderSkeleton implements AutoCloseable {

  private static final String[] LOGGERS = {BlockPlacementPolicy.class.getName(), "io.multizone"};

  private final AtomicLong lines = new AtomicLong();
  private final Level[] saved = new Level[LOGGERS.length];
  private final boolean[] savedAdditivity = new boolean[LOGGERS.length];

  /** Attaches a counter; close it to detach and restore the levels. */
  public static LogLineCounter attach() {
    LogLineCounter c = new LogLineCounter();
    for (int i = 0; i < LOGGERS.length; i++) {
      Logger l = Logger.getLogger(LOGGERS[i]);
      c.saved[i] = l.getLevel();
      c.savedAdditivity[i] = l.getAdditivity();
      l.setLevel(Level.INFO);
      l.setAdditivity(false); // counted, not printed
      l.addAppender(c);
    }
    return c;
  }

  /** Lines counted so far. */
  public long lines() {
    return lines.get();
  }

  @Override
  protected void append(LoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.INFO)) {
      lines.incrementAndGet();
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < LOGGERS.length; i++) {
      Logger l = Logger.getLogger(LOGGERS[i]);
      l.removeAppender(this);
      l.setLevel(saved[i]);
      l.setAdditivity(savedAdditivity[i]);
    }
  }

  @Override
  public boolean requiresLayout() {
    return false;
  }
}
