package io.multizone.lab.report;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TestLabReport {
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return LabReport.run(args, new PrintStream(out, true), new PrintStream(err, true));
  }

  private String out() {
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private String err() {
    return new String(err.toByteArray(), StandardCharsets.UTF_8);
  }

  private Path file(String name, String content) throws Exception {
    Path p = tmp.getRoot().toPath().resolve(name);
    Files.write(p, content.getBytes(StandardCharsets.UTF_8));
    return p;
  }

  @Test
  public void writesBothReportsAndPrintsTheSummary() throws Exception {
    Path results = file("results.json", Fixture.json());
    Path outDir = tmp.getRoot().toPath().resolve("report/nested");
    assertEquals(err(), 0, run(results.toString(), outDir.toString()));
    String md = new String(Files.readAllBytes(outDir.resolve("report.md")), StandardCharsets.UTF_8);
    String html =
        new String(Files.readAllBytes(outDir.resolve("report.html")), StandardCharsets.UTF_8);
    assertEquals(MarkdownReport.render(Fixture.results()), md);
    assertEquals(HtmlReport.render(Fixture.results()), html);
    assertTrue(out(), out().startsWith(LabReport.summaryTable(Fixture.results())));
    assertTrue(out(), out().contains("report.html"));
    assertEquals("", err());
  }

  @Test
  public void summaryTableIsSideBySide() throws Exception {
    String summary = LabReport.summaryTable(Fixture.results());
    String[] blocks = summary.split("\n\n");
    assertEquals(summary, 3, blocks.length);
    List<String> zone = Arrays.asList(blocks[0].split("\n"));
    assertEquals("Zone loss under load (zone-loss)", zone.get(0));
    assertEquals(Arrays.asList("Hadoop defaults (stock)", "hadoop-multizone (ours)"),
        columns(zone.get(1)));
    assertEquals(Arrays.asList("acknowledged files unreadable", "3", "0"), columns(zone.get(2)));
    assertEquals(Arrays.asList("time to full replication", "n/a", "38.3 s"),
        columns(zone.get(6)));
    assertEquals(Arrays.asList("outcome", "lost-data", "ok"), columns(zone.get(zone.size() - 1)));
    // Columns line up: every value of the stock column starts at the same offset.
    int at = zone.get(1).indexOf("Hadoop defaults");
    assertEquals('3', zone.get(2).charAt(at));
    assertEquals('l', zone.get(zone.size() - 1).charAt(at));

    List<String> dn = Arrays.asList(blocks[2].split("\n"));
    assertEquals(Arrays.asList("hadoop-multizone (ours)"), columns(dn.get(1)));
    assertEquals(Arrays.asList("outcome", "ok"), columns(dn.get(dn.size() - 1)));
  }

  private static List<String> columns(String line) {
    return Arrays.asList(line.trim().split(" {2,}"));
  }

  @Test
  public void malformedJsonExits2NamingTheFile() throws Exception {
    Path bad = file("broken-results.json", "{\"scenarios\": [ {\"id\": \"x\",, } ]");
    assertEquals(2, run(bad.toString(), tmp.getRoot().toString() + "/out"));
    String message = err();
    assertTrue(message, message.contains(bad.toString()));
    assertTrue(message, message.contains("not valid JSON at line 1"));
    assertEquals("one message line: " + message, 1, message.trim().split("\n").length);
    assertFalse(message, message.contains("Source"));
    assertFalse(Files.exists(tmp.getRoot().toPath().resolve("out")));
    assertEquals("", out());
  }

  @Test
  public void truncatedJsonSaysWhereTheOpenArrayStarted() throws Exception {
    Path bad = file("cut.json", "{\"scenarios\": [\n");
    assertEquals(2, run(bad.toString(), tmp.getRoot().toString()));
    assertEquals("LabReport: " + bad + ": not valid JSON at line 2, column 1: Unexpected"
        + " end-of-input: expected close marker for Array (opened at line 1, column 15)",
        err().trim());
  }

  @Test
  public void wrongShapeExits2NamingTheField() throws Exception {
    Path bad = file("results.json", "{\"scenarios\": [{\"id\": \"x\", \"runs\": \"stock\"}]}");
    assertEquals(2, run(bad.toString(), tmp.getRoot().toString()));
    assertTrue(err(), err().contains(bad + ": scenarios[0].runs: expected an array, found a string"));
  }

  @Test
  public void missingOrEmptyFileExits2() throws Exception {
    Path missing = tmp.getRoot().toPath().resolve("nope.json");
    assertEquals(2, run(missing.toString(), tmp.getRoot().toString()));
    assertTrue(err(), err().contains(missing + ": cannot read"));
    err.reset();
    Path empty = file("empty.json", "");
    assertEquals(2, run(empty.toString(), tmp.getRoot().toString()));
    assertTrue(err(), err().contains(empty + ": empty file"));
  }

  @Test
  public void badArgumentsExit2() {
    assertEquals(2, run("only-one.json"));
    assertTrue(err(), err().startsWith("usage: LabReport RESULTS_JSON OUT_DIR"));
  }
}
