package io.multizone.lab.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Renders the lab's {@code results.json}: {@code OUT_DIR/report.md}, {@code
 * OUT_DIR/report.html} and, on stdout, the side-by-side summary. The orchestrator runs
 * {@code java -cp HADOOP_CLASSPATH:LAB_JAR io.multizone.lab.report.LabReport RESULTS_JSON
 * OUT_DIR}; tests and other Java callers use the static methods.
 *
 * <p>Exit codes: 0 reports written; 2 bad arguments, or a results file that cannot be read or
 * is malformed (one message on stderr naming the file and what is wrong); 1 the reports could
 * not be written.
 */
public final class LabReport {
  /** Name of the Markdown report in the output directory. */
  public static final String MARKDOWN = "report.md";
  /** Name of the HTML report in the output directory. */
  public static final String HTML = "report.html";

  private LabReport() {
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** What {@link #main} does, with its streams given and its exit code returned. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println("usage: LabReport RESULTS_JSON OUT_DIR"
          + " (writes OUT_DIR/report.md and OUT_DIR/report.html, prints a summary)");
      return 2;
    }
    LabResults results;
    try {
      results = read(Paths.get(args[0]));
    } catch (ResultsException e) {
      err.println("LabReport: " + e.getMessage());
      return 2;
    }
    Path outDir = Paths.get(args[1]);
    try {
      write(results, outDir);
    } catch (IOException e) {
      err.println("LabReport: cannot write the reports to " + outDir + ": " + e);
      return 1;
    }
    out.print(summaryTable(results));
    out.println();
    out.println("reports: " + outDir.resolve(MARKDOWN) + ", " + outDir.resolve(HTML));
    out.flush();
    return 0;
  }

  /** Reads and checks a results file. */
  public static LabResults read(Path resultsJson) throws ResultsException {
    return ResultsReader.read(resultsJson);
  }

  /** Writes {@value #MARKDOWN} and {@value #HTML} into {@code outDir} (created if needed). */
  public static void write(LabResults results, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    Files.write(outDir.resolve(MARKDOWN), markdown(results).getBytes(StandardCharsets.UTF_8));
    Files.write(outDir.resolve(HTML), html(results).getBytes(StandardCharsets.UTF_8));
  }

  /** The Markdown report's text. */
  public static String markdown(LabResults results) {
    return MarkdownReport.render(results);
  }

  /** The HTML report's text. */
  public static String html(LabResults results) {
    return HtmlReport.render(results);
  }

  /** The plain-text side-by-side summary, one block per scenario. */
  public static String summaryTable(LabResults results) {
    return SummaryTable.render(results);
  }
}
