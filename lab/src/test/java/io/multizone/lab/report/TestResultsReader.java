package io.multizone.lab.report;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.math.BigInteger;

import org.junit.Test;

public class TestResultsReader {
  /** JSON with single quotes for readability. */
  private static LabResults parse(String json) throws ResultsException {
    return ResultsReader.parse(json.replace('\'', '"'), "r.json");
  }

  private static String error(String json) {
    try {
      parse(json);
    } catch (ResultsException e) {
      return e.getMessage();
    }
    fail("accepted " + json);
    return null;
  }

  @Test
  public void valuesKeepTheirTypes() throws Exception {
    LabResults r = parse("{'scenarios':[{'id':'s','runs':[{'policy':'ours','figures':["
        + "{'key':'a','value':3},{'key':'b','value':81.2},{'key':'c','value':'zone-b'},"
        + "{'key':'d','value':true},{'key':'e','value':null},{'key':'f'},"
        + "{'key':'g','value':123456789012345678901}]}]}]}");
    LabResults.Run run = r.scenarios().get(0).runs().get(0);
    assertEquals(3L, run.figure("a").value());
    assertEquals(81.2, run.figure("b").value());
    assertEquals("zone-b", run.figure("c").value());
    assertEquals(Boolean.TRUE, run.figure("d").value());
    assertNull(run.figure("e").value());
    assertNull(run.figure("f").value());
    assertEquals(new BigInteger("123456789012345678901"), run.figure("g").value());
    assertEquals("a", run.figure("a").label());
  }

  @Test
  public void runsAreOrderedStockOursOthers() throws Exception {
    LabResults r = parse("{'scenarios':[{'id':'s','runs':[{'policy':'x'},{'policy':'ours'},"
        + "{'policy':'stock'},{'policy':'y'}]}]}");
    StringBuilder order = new StringBuilder();
    for (LabResults.Run run : r.scenarios().get(0).runs()) {
      order.append(run.policy()).append(' ');
    }
    assertEquals("stock ours x y ", order.toString());
  }

  @Test
  public void minimalFileRendersEverywhere() throws Exception {
    LabResults r = parse("{'scenarios':[{'runs':[{'policy':'ours'}]},{'id':'empty','runs':[]}]}");
    assertEquals("hadoop-multizone lab", r.title());
    assertNull(r.quick());
    String md = MarkdownReport.render(r);
    assertTrue(md, md.contains("- Hadoop version: n/a"));
    assertTrue(md, md.contains("| outcome | n/a |"));
    assertTrue(md, md.contains("No runs."));
    TestHtmlReport.parse(HtmlReport.render(r));
    assertTrue(SummaryTable.render(r).contains("no runs"));
  }

  @Test
  public void wrongShapesNameTheirPath() {
    assertEquals("r.json: the top level: expected an object, found an array", error("[]"));
    assertEquals("r.json: scenarios: missing, expected an array", error("{}"));
    assertEquals("r.json: scenarios[0].runs[0].figures[0].key: missing, every figure needs one",
        error("{'scenarios':[{'runs':[{'figures':[{'value':1}]}]}]}"));
    assertEquals("r.json: scenarios[0].runs[0].figures[0].value: expected a number, string,"
        + " true/false or null, found an object",
        error("{'scenarios':[{'runs':[{'figures':[{'key':'k','value':{}}]}]}]}"));
    assertEquals("r.json: scenarios[0].runs[0].timeline.events[1].t: expected a number,"
        + " found a string",
        error("{'scenarios':[{'runs':[{'timeline':{'events':[{'t':1},{'t':'x'}]}}]}]}"));
    assertEquals("r.json: scenarios[0].runs[0].timeline.series[0].points[0]: expected a"
        + " [t, y] pair, found an array",
        error("{'scenarios':[{'runs':[{'timeline':{'series':[{'points':[[1,2,3]]}]}}]}]}"));
    assertEquals("r.json: quick: expected true or false, found a string",
        error("{'quick':'yes','scenarios':[]}"));
    assertTrue(error("{'scenarios':[]} trailing").startsWith("r.json: not valid JSON at line 1"));
  }

  @Test
  public void ticksUseOneTwoFiveSteps() {
    assertEquals("[0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 140.0]",
        java.util.Arrays.toString(TimelineSvg.ticks(123.4)));
    assertEquals("[0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]",
        java.util.Arrays.toString(TimelineSvg.ticks(30)));
    double[] empty = TimelineSvg.ticks(0); // nothing timed: a 0..1 s axis
    assertEquals(6, empty.length);
    assertEquals(1.0, empty[5], 1e-9);
    assertEquals("0.4 s", TimelineSvg.tickLabel(empty[2], empty[1]));
  }
}
