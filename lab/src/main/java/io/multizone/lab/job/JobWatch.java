package io.multizone.lab.job;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Watches a running job until it ends: the ResourceManager decides when it has ended, asked
 * every round on the caller's thread, since it has the final status the moment the AM
 * unregisters. The AM is asked for a progress line on a thread of its own, one call at a
 * time, and a round whose call has not come back writes no line: a call to an AM lost with
 * its zone blocks in the MapReduce client's connect retries (it asks the RM for the new AM's
 * address only after them) and then, once the AM has exited, on a JobHistory server the lab
 * does not run. Asked on the caller's thread, that call made the lab learn of a job's end 53
 * and 61 s late (quick run 2026-12-03 05:50, both halves' AM in the zone lost).
 */
final class JobWatch {
  /** The job's final state from the ResourceManager; null while it runs. */
  interface FinalState {
    String get() throws IOException;
  }

  /** One progress line (with its line end) from the job's AM; raises what the call raised. */
  interface ProgressCall {
    String line() throws IOException, InterruptedException;
  }

  private JobWatch() {
  }

  /** Writes progress lines to OUT every PERIOD_MS until the job ends; its final state. */
  static String watch(FinalState rm, ProgressCall am, PrintWriter out, long periodMs)
      throws IOException, InterruptedException {
    ExecutorService amCalls = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lab-am-progress");
      t.setDaemon(true);
      return t;
    });
    Future<String> call = null;
    try {
      while (true) {
        String state = rm.get();
        if (state != null) {
          return state;
        }
        if (call != null && call.isDone()) {
          try {
            out.printf("%s", call.get());
          } catch (ExecutionException e) {
            // The AM is away (lost, restarting or exited): the RM says when the job ends.
          }
          call = null;
        }
        if (call == null) {
          call = amCalls.submit(am::line);
        }
        Thread.sleep(periodMs);
      }
    } finally {
      amCalls.shutdownNow();
    }
  }
}
