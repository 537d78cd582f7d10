package io.multizone.lab.report;

import static io.multizone.lab.report.Fixture.list;
import static io.multizone.lab.report.Fixture.markdownRow;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.BeforeClass;
import org.junit.Test;

public class TestMarkdownReport {
  private static String md;

  @BeforeClass
  public static void render() throws Exception {
    md = MarkdownReport.render(Fixture.results());
  }

  @Test
  public void factsAndHosts() {
    assertTrue(md, md.startsWith("# hadoop-multizone lab\n"));
    assertTrue(md, md.contains("- Hadoop version: 3.4.2\n"));
    assertTrue(md, md.contains("- mode: netns\n"));
    assertTrue(md, md.contains("- quick: yes\n"));
    assertTrue(md, md.contains("- seed: 42\n"));
    assertTrue(md, md.contains("- started: 2026-12-01T00:40:00Z\n"));
    assertEquals(list("/zone-a/rack-2", "198.18.1.22", "datanode, nodemanager").subList(0, 3),
        markdownRow(md, "Hosts", "h-a2").subList(1, 4));
    assertEquals("zone-b", markdownRow(md, "Hosts", "h-b1").get(0));
  }

  @Test
  public void stockColumnComesFirstWhateverTheFileOrder() {
    assertEquals(list("Hadoop defaults (stock)", "hadoop-multizone (ours)"),
        markdownRow(md, "Zone loss under load", "figure"));
  }

  @Test
  public void eachColumnHoldsItsRunsValues() {
    String s = "Zone loss under load";
    // Lower is better and the runs differ: the better cell is bold.
    assertEquals(list("3", "**0**"), markdownRow(md, s, "acknowledged files unreadable"));
    assertEquals(list("1,234,000 B", "1,234,567 B"), markdownRow(md, s, "bytes written"));
    assertEquals(list("81.2 s", "**64.0 s**"), markdownRow(md, s, "job duration"));
    assertEquals(list("zone-b", "zone-b"), markdownRow(md, s, "zone killed"));
    assertEquals(list("lost-data", "ok"), markdownRow(md, s, "outcome"));
  }

  @Test
  public void nullAndMissingFiguresReadNa() {
    String s = "Zone loss under load";
    // null in stock: n/a, and nothing to compare against so nothing is bold.
    assertEquals(list("n/a", "38.3 s"), markdownRow(md, s, "time to full replication"));
    // Only ours reports it.
    assertEquals(list("n/a", "17"), markdownRow(md, s, "blocks re-spread"));
  }

  @Test
  public void rowsAreTheUnionOfKeysInOrderOfFirstAppearance() {
    int from = md.indexOf("## Zone loss under load");
    List<String> labels = new ArrayList<String>();
    for (String line : md.substring(from, md.indexOf("\n## ", from + 3)).split("\n")) {
      if (line.startsWith("| ") && !line.startsWith("| figure")) {
        labels.add(Fixture.cells(line).get(0));
      }
    }
    assertEquals(list("acknowledged files unreadable", "bytes written", "job duration",
        "zone killed", "time to full replication", "blocks re-spread", "outcome"), labels);
  }

  @Test
  public void singleRunScenarioHasOneColumn() {
    assertEquals(list("hadoop-multizone (ours)"), markdownRow(md, "DataNode loss", "figure"));
    assertEquals(list("0"), markdownRow(md, "DataNode loss", "acknowledged files unreadable"));
    assertEquals(list("h-b1"), markdownRow(md, "DataNode loss", "host killed"));
    assertEquals(list("ok"), markdownRow(md, "DataNode loss", "outcome"));
  }

  @Test
  public void summaryNotesAndEvents() {
    assertTrue(md, md.contains("A writer keeps creating files"));
    assertTrue(md, md.contains("- Hadoop defaults: 3 acknowledged files had every replica"));
    assertTrue(md, md.contains("- `    3.2 s` fault: zone-b killed\n"));
    assertTrue(md, md.contains("- `   40.0 s` detected: 3 DataNodes dead\n"));
    assertTrue(md, md.contains("- `  123.4 s` end of run\n"));
    // Events are listed by time whatever the file order.
    assertTrue(md.indexOf("41.5 s` recovered") > md.indexOf("39.5 s` detected"));
  }

  @Test
  public void markupInTextIsEscaped() {
    assertEquals(list("n/a", "47.5 s"),
        markdownRow(md, "NameNode machine loss", "namespace unavailable \\<&> \"quoted\""));
    assertEquals(list("n/a", "12.5%"),
        markdownRow(md, "NameNode machine loss", "share of writes retried"));
    assertTrue(md, md.contains("client saw \\<RemoteException> & gave up"));
  }
}
