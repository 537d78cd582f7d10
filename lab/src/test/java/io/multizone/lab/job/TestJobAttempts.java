package io.multizone.lab.job;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import org.junit.Test;

/**
 * A history file is waited for only when the job's last AM unregistered (it writes the file
 * then); a job whose last AM died leaves none. Control, checked once: with every job
 * expecting a history file (the 120 s wait of before 0ab69fb),
 * {@code notExpectedWhenTheLastAmDied} fails.
 */
public class TestJobAttempts {
  private static JobAttempts.AmAttempt am(int n, String state) {
    return new JobAttempts.AmAttempt("appattempt_1_0001_00000" + n, state, "h", 0);
  }

  @Test
  public void expectedWhenTheLastAmUnregistered() {
    assertTrue(JobAttempts.historyExpected(Arrays.asList(am(2, "FINISHED"), am(1, "FAILED"))));
    assertTrue(JobAttempts.historyExpected(Collections.singletonList(am(1, "FINISHING"))));
  }

  @Test
  public void notExpectedWhenTheLastAmDied() {
    assertFalse(JobAttempts.historyExpected(Arrays.asList(am(1, "FINISHED"), am(2, "FAILED"))));
    assertFalse(JobAttempts.historyExpected(Collections.singletonList(am(1, "KILLED"))));
  }

  @Test
  public void expectedWhenTheResourceManagerGaveNoList() {
    assertTrue(JobAttempts.historyExpected(Collections.emptyList()));
  }
}
