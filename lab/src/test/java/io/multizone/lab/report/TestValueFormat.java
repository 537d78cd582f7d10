package io.multizone.lab.report;

import static org.junit.Assert.assertEquals;

import java.math.BigInteger;

import org.junit.Test;

public class TestValueFormat {
  @Test
  public void integersGetThousandsSeparators() {
    assertEquals("0", ValueFormat.value(0L));
    assertEquals("999", ValueFormat.value(999L));
    assertEquals("1,234,567", ValueFormat.value(1234567L));
    assertEquals("-12,000", ValueFormat.value(-12000L));
    assertEquals("123,456,789,012,345,678,901",
        ValueFormat.value(new BigInteger("123456789012345678901")));
  }

  @Test
  public void decimalsToOnePlaceHalfUp() {
    assertEquals("81.2", ValueFormat.value(81.2));
    assertEquals("81.3", ValueFormat.value(81.25));
    assertEquals("64.0", ValueFormat.value(64.04));
    assertEquals("55.0", ValueFormat.value(55.0));
    assertEquals("12,345.7", ValueFormat.value(12345.67));
  }

  @Test
  public void otherValues() {
    assertEquals("n/a", ValueFormat.value(null));
    assertEquals("n/a", ValueFormat.value(null, "s"));
    assertEquals("yes", ValueFormat.value(true));
    assertEquals("no", ValueFormat.value(false));
    assertEquals("zone-b", ValueFormat.value("zone-b"));
  }

  @Test
  public void unitsAreAppended() {
    assertEquals("81.2 s", ValueFormat.value(81.2, "s"));
    assertEquals("1,234,567 B", ValueFormat.value(1234567L, "B"));
    assertEquals("12.5%", ValueFormat.value(12.5, "%"));
    assertEquals("3", ValueFormat.value(3L, ""));
    assertEquals("3", ValueFormat.value(3L, null));
  }

  @Test
  public void seconds() {
    assertEquals("3.2 s", ValueFormat.seconds(3.2));
    assertEquals("0.0 s", ValueFormat.seconds(0));
    assertEquals("1,200.0 s", ValueFormat.seconds(1200));
  }
}
