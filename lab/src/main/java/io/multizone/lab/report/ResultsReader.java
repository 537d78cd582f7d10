package io.multizone.lab.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads {@code results.json} into {@link LabResults} with Jackson's tree model. Lenient about
 * what may be missing (every field but {@code scenarios}, each scenario's {@code runs}, a
 * figure's {@code key}, an event's {@code t} and a series point's coordinates), strict about
 * what is there: a field of the wrong type is an error naming its JSON path, so a broken
 * orchestrator is noticed instead of silently rendering "n/a".
 */
public final class ResultsReader {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Keeps the file's text out of Jackson's messages: ours name the file instead.
          .disable(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION);
  private static final Pattern START_MARKER = Pattern.compile(
      "\\s*\\(start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)\\]\\)");

  private final String source;

  private ResultsReader(String source) {
    this.source = source;
  }

  /** Reads and checks the file; the exception's message names it. */
  public static LabResults read(Path file) throws ResultsException {
    String json;
    try {
      json = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new ResultsException(file + ": cannot read: " + describe(e), e);
    }
    return parse(json, file.toString());
  }

  /**
   * Parses JSON text.
   *
   * @param source what to call the text in messages (usually its file name)
   */
  public static LabResults parse(String json, String source) throws ResultsException {
    return new ResultsReader(source).results(tree(json, source));
  }

  private static JsonNode tree(String json, String source) throws ResultsException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? ""
          : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().split("\n")[0];
      why = START_MARKER.matcher(why).replaceAll(" (opened at line $1, column $2)");
      throw new ResultsException(source + ": not valid JSON" + where + ": " + why, e);
    }
    if (root == null || root.isMissingNode()) {
      throw new ResultsException(source + ": empty file, expected a JSON object");
    }
    return root;
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
  }

  private LabResults results(JsonNode root) throws ResultsException {
    object(root, "the top level");
    List<LabResults.Host> hosts = new ArrayList<LabResults.Host>();
    JsonNode hostNodes = optionalArray(root, "hosts", "hosts");
    for (int i = 0; i < hostNodes.size(); i++) {
      hosts.add(host(hostNodes.get(i), "hosts[" + i + "]"));
    }
    List<LabResults.Scenario> scenarios = new ArrayList<LabResults.Scenario>();
    JsonNode scenarioNodes = requiredArray(root, "scenarios", "scenarios");
    for (int i = 0; i < scenarioNodes.size(); i++) {
      scenarios.add(scenario(scenarioNodes.get(i), "scenarios[" + i + "]"));
    }
    Boolean quick = null;
    JsonNode q = root.get("quick");
    if (present(q)) {
      if (!q.isBoolean()) {
        throw wrong("quick", "true or false", q);
      }
      quick = q.booleanValue();
    }
    return new LabResults(text(root, "title", "title"), text(root, "started", "started"),
        text(root, "hadoop_version", "hadoop_version"), text(root, "mode", "mode"), quick,
        text(root, "seed", "seed"), hosts, scenarios);
  }

  private LabResults.Host host(JsonNode n, String path) throws ResultsException {
    object(n, path);
    List<String> roles = new ArrayList<String>();
    JsonNode r = optionalArray(n, "roles", path + ".roles");
    for (int i = 0; i < r.size(); i++) {
      roles.add(scalarText(r.get(i), path + ".roles[" + i + "]"));
    }
    return new LabResults.Host(text(n, "name", path + ".name"), text(n, "zone", path + ".zone"),
        text(n, "rack", path + ".rack"), text(n, "address", path + ".address"), roles);
  }

  private LabResults.Scenario scenario(JsonNode n, String path) throws ResultsException {
    object(n, path);
    List<LabResults.Run> runs = new ArrayList<LabResults.Run>();
    JsonNode r = requiredArray(n, "runs", path + ".runs");
    for (int i = 0; i < r.size(); i++) {
      runs.add(run(r.get(i), path + ".runs[" + i + "]"));
    }
    return new LabResults.Scenario(text(n, "id", path + ".id"), text(n, "title", path + ".title"),
        text(n, "summary", path + ".summary"), runs);
  }

  private LabResults.Run run(JsonNode n, String path) throws ResultsException {
    object(n, path);
    List<LabResults.Figure> figures = new ArrayList<LabResults.Figure>();
    JsonNode f = optionalArray(n, "figures", path + ".figures");
    for (int i = 0; i < f.size(); i++) {
      figures.add(figure(f.get(i), path + ".figures[" + i + "]"));
    }
    LabResults.Timeline timeline = null;
    JsonNode t = n.get("timeline");
    if (present(t)) {
      timeline = timeline(t, path + ".timeline");
    }
    return new LabResults.Run(text(n, "policy", path + ".policy"),
        text(n, "label", path + ".label"), text(n, "outcome", path + ".outcome"),
        text(n, "note", path + ".note"), figures, timeline);
  }

  private LabResults.Figure figure(JsonNode n, String path) throws ResultsException {
    object(n, path);
    String key = text(n, "key", path + ".key");
    if (LabResults.blank(key)) {
      throw new ResultsException(source + ": " + path + ".key: missing, every figure needs one");
    }
    return new LabResults.Figure(key, text(n, "label", path + ".label"),
        value(n.get("value"), path + ".value"), text(n, "unit", path + ".unit"),
        text(n, "better", path + ".better"));
  }

  private LabResults.Timeline timeline(JsonNode n, String path) throws ResultsException {
    object(n, path);
    Double end = null;
    JsonNode e = n.get("end");
    if (present(e)) {
      end = number(e, path + ".end");
    }
    List<LabResults.Event> events = new ArrayList<LabResults.Event>();
    JsonNode ev = optionalArray(n, "events", path + ".events");
    for (int i = 0; i < ev.size(); i++) {
      String p = path + ".events[" + i + "]";
      JsonNode x = ev.get(i);
      object(x, p);
      events.add(new LabResults.Event(number(x.get("t"), p + ".t"),
          text(x, "kind", p + ".kind"), text(x, "label", p + ".label")));
    }
    List<LabResults.Series> series = new ArrayList<LabResults.Series>();
    JsonNode sv = optionalArray(n, "series", path + ".series");
    for (int i = 0; i < sv.size(); i++) {
      String p = path + ".series[" + i + "]";
      JsonNode x = sv.get(i);
      object(x, p);
      List<double[]> points = new ArrayList<double[]>();
      JsonNode pts = optionalArray(x, "points", p + ".points");
      for (int j = 0; j < pts.size(); j++) {
        String pp = p + ".points[" + j + "]";
        JsonNode pt = pts.get(j);
        if (!pt.isArray() || pt.size() != 2) {
          throw wrong(pp, "a [t, y] pair", pt);
        }
        points.add(new double[] {number(pt.get(0), pp + "[0]"), number(pt.get(1), pp + "[1]")});
      }
      series.add(new LabResults.Series(text(x, "name", p + ".name"), points));
    }
    return new LabResults.Timeline(end, events, series);
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  private void object(JsonNode n, String path) throws ResultsException {
    if (n == null || !n.isObject()) {
      throw wrong(path, "an object", n);
    }
  }

  private JsonNode optionalArray(JsonNode parent, String field, String path)
      throws ResultsException {
    JsonNode n = parent.get(field);
    if (!present(n)) {
      return MAPPER.createArrayNode();
    }
    if (!n.isArray()) {
      throw wrong(path, "an array", n);
    }
    return n;
  }

  private JsonNode requiredArray(JsonNode parent, String field, String path)
      throws ResultsException {
    JsonNode n = parent.get(field);
    if (!present(n)) {
      throw new ResultsException(source + ": " + path + ": missing, expected an array");
    }
    return optionalArray(parent, field, path);
  }

  /** A text field; numbers and booleans are taken as written. Null when absent. */
  private String text(JsonNode parent, String field, String path) throws ResultsException {
    JsonNode n = parent.get(field);
    return present(n) ? scalarText(n, path) : null;
  }

  private String scalarText(JsonNode n, String path) throws ResultsException {
    if (n.isNull()) {
      return null;
    }
    if (!n.isValueNode()) {
      throw wrong(path, "a string", n);
    }
    return n.asText();
  }

  private double number(JsonNode n, String path) throws ResultsException {
    if (!present(n)) {
      throw new ResultsException(source + ": " + path + ": missing, expected a number");
    }
    if (!n.isNumber()) {
      throw wrong(path, "a number", n);
    }
    return n.doubleValue();
  }

  /** A figure's value: Long, BigInteger, Double, String, Boolean or null. */
  private Object value(JsonNode n, String path) throws ResultsException {
    if (!present(n)) {
      return null;
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.bigIntegerValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    throw wrong(path, "a number, string, true/false or null", n);
  }

  private ResultsException wrong(String path, String expected, JsonNode found) {
    return new ResultsException(
        source + ": " + path + ": expected " + expected + ", found " + kind(found));
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    if (n.isObject()) {
      return "an object";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    return n.isNull() ? "null" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
