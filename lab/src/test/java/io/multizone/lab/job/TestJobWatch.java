package io.multizone.lab.job;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * The job watch ends when the ResourceManager says the job has, whatever the AM calls do. The
 * stuck AM below stands for an AM lost with its zone: the MapReduce client's call to it blocks
 * in connect retries. Control, checked once: with the AM asked on the watching thread (as
 * before ac18ea6), {@code endsWhenTheResourceManagerSaysSoWhileTheAmCallIsStuck} never
 * returned and failed on its deadline.
 */
public class TestJobWatch {
  private static final long PERIOD_MS = 10;

  @Test(timeout = 60_000)
  public void endsWhenTheResourceManagerSaysSoWhileTheAmCallIsStuck() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger asked = new AtomicInteger();
    AtomicInteger amCalls = new AtomicInteger();
    StringWriter out = new StringWriter();

    // The RM counts its answers only once the AM call has begun (no reliance on how soon the
    // watch's thread runs it), and says the job ended at the fifth.
    String state = JobWatch.watch(
        () -> amCalls.get() == 0 || asked.incrementAndGet() < 5 ? null : "SUCCEEDED",
        () -> {
          amCalls.incrementAndGet();
          never.await();
          return "progress never\n";
        }, new PrintWriter(out, true), PERIOD_MS);

    assertEquals("SUCCEEDED", state);
    assertEquals(5, asked.get());
    assertEquals("one AM call at a time: the stuck one", 1, amCalls.get());
    assertEquals("", out.toString());
  }

  @Test(timeout = 60_000)
  public void writesEachLineTheAmGaveAndSkipsTheCallsThatFailed() throws Exception {
    AtomicInteger amCalls = new AtomicInteger();
    StringWriter out = new StringWriter();

    // The RM says the job ended once the AM has been called 5 times: calls 1 to 4 have come
    // back by then (one call at a time), and their lines are written before the next call.
    String state = JobWatch.watch(() -> amCalls.get() < 5 ? null : "FAILED", () -> {
      int n = amCalls.incrementAndGet();
      if (n % 2 == 0) {
        throw new IOException("AM away");
      }
      return "progress " + n + "\n";
    }, new PrintWriter(out, true), PERIOD_MS);

    assertEquals("FAILED", state);
    assertTrue(out.toString(), out.toString().startsWith("progress 1\nprogress 3\n"));
    assertTrue(out.toString(), !out.toString().contains("progress 2")
        && !out.toString().contains("progress 4"));
  }
}
