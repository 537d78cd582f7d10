package io.multizone.lab.report;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.BeforeClass;
import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

public class TestHtmlReport {
  private static LabResults results;
  private static String html;
  private static Document doc;
  private static final XPath XPATH = XPathFactory.newInstance().newXPath();

  @BeforeClass
  public static void render() throws Exception {
    results = Fixture.results();
    html = HtmlReport.render(results);
    doc = parse(html);
  }

  static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    f.setValidating(false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  static NodeList nodes(Object context, String xpath) throws Exception {
    return (NodeList) XPATH.evaluate(xpath, context, XPathConstants.NODESET);
  }

  static String text(Object context, String xpath) throws Exception {
    return XPATH.evaluate(xpath, context);
  }

  @Test
  public void selfContained() {
    String rest = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assertFalse("external URL in\n" + html, rest.contains("http://"));
    assertFalse("external URL in\n" + html, rest.contains("https://"));
    assertFalse(html.contains("<script"));
    assertFalse(html.contains("<link"));
    assertFalse(html.contains("url("));
  }

  @Test
  public void factsAndHosts() throws Exception {
    assertEquals("hadoop-multizone lab", text(doc, "/html/body/main/h1"));
    assertEquals("3.4.2", text(doc, "//dl[@class='facts']/div[dt='Hadoop version']/dd"));
    assertEquals("yes", text(doc, "//dl[@class='facts']/div[dt='quick']/dd"));
    assertEquals(7, nodes(doc, "//table[@class='hosts']/tbody/tr").getLength());
    assertEquals("198.18.2.22",
        text(doc, "//table[@class='hosts']/tbody/tr[td/code='h-b2']/td[4]"));
  }

  @Test
  public void figuresTableAndBadges() throws Exception {
    Node zone = section("zone-loss");
    assertEquals(2, nodes(zone, ".//table[@class='figures']/thead/tr/th[position()>1]")
        .getLength());
    assertEquals("Hadoop defaults",
        text(zone, ".//table[@class='figures']/thead/tr/th[2]/text()"));
    assertEquals("1,234,000 B", text(zone, ".//tr[@data-key='bytes_written']/td[1]"));
    assertEquals("1,234,567 B", text(zone, ".//tr[@data-key='bytes_written']/td[2]"));
    assertEquals("n/a", text(zone, ".//tr[@data-key='time_to_replicated_s']/td[1]"));
    assertEquals("best", text(zone, ".//tr[@data-key='files_unreadable']/td[2]/@class"));
    assertEquals("badge bad", text(zone, ".//tr[@class='outcome']/td[1]/span/@class"));
    assertEquals("lost-data", text(zone, ".//tr[@class='outcome']/td[1]/span"));
    assertEquals("badge ok", text(zone, ".//tr[@class='outcome']/td[2]/span/@class"));
    assertEquals("ok", text(zone, ".//tr[@class='outcome']/td[2]/span"));
  }

  @Test
  public void oneSvgPerScenarioOneLanePerRunStockFirst() throws Exception {
    assertEquals(3, nodes(doc, "//svg").getLength());
    for (LabResults.Scenario s : results.scenarios()) {
      Node sec = section(s.id());
      assertEquals(1, nodes(sec, ".//svg").getLength());
      NodeList lanes = nodes(sec, ".//svg/g[@class='lane']");
      assertEquals(s.id(), s.runs().size(), lanes.getLength());
      for (int i = 0; i < lanes.getLength(); i++) {
        assertEquals(s.runs().get(i).policy(),
            ((Element) lanes.item(i)).getAttribute("data-policy"));
      }
    }
    NodeList zoneLanes = nodes(section("zone-loss"), ".//svg/g[@class='lane']");
    assertEquals("stock", ((Element) zoneLanes.item(0)).getAttribute("data-policy"));
    assertTrue(laneTop(zoneLanes.item(0)) < laneTop(zoneLanes.item(1)));
  }

  @Test
  public void oneMarkerPerEventAndOnePolylinePerSeries() throws Exception {
    for (LabResults.Scenario s : results.scenarios()) {
      NodeList lanes = nodes(section(s.id()), ".//svg/g[@class='lane']");
      for (int i = 0; i < lanes.getLength(); i++) {
        LabResults.Timeline tl = s.runs().get(i).timeline();
        int events = tl == null ? 0 : tl.events().size();
        assertEquals(s.id() + " lane " + i, events,
            nodes(lanes.item(i), "g[@class='event']").getLength());
        assertEquals(events, nodes(lanes.item(i), "g[@class='event']/*[@class='marker']")
            .getLength());
        NodeList lines = nodes(lanes.item(i), "polyline[@class='series']");
        int series = tl == null ? 0 : tl.series().size();
        assertEquals(series, lines.getLength());
        for (int j = 0; j < series; j++) {
          String points = ((Element) lines.item(j)).getAttribute("points").trim();
          assertEquals(tl.series().get(j).points().size(), points.split("\\s+").length);
        }
      }
    }
  }

  @Test
  public void unknownKindIsNeutral() throws Exception {
    Element verify = (Element) nodes(doc, "//g[@data-kind='verify']/*[@class='marker']").item(0);
    assertEquals(TimelineSvg.colour("other"), verify.getAttribute("fill"));
    assertEquals(TimelineSvg.colour("fault"),
        ((Element) nodes(doc, "//g[@data-kind='fault']/*[@class='marker']").item(0))
            .getAttribute("fill"));
  }

  @Test
  public void sharedAxisHasTickLabelsInSeconds() throws Exception {
    // zone-loss: the latest time is stock's end, 123.4 s: ticks every 20 s up to 140 s.
    NodeList ticks = nodes(section("zone-loss"), ".//svg//text[@class='tick']");
    List<String> labels = new ArrayList<String>();
    for (int i = 0; i < ticks.getLength(); i++) {
      labels.add(ticks.item(i).getTextContent());
    }
    assertEquals(Fixture.list("0 s", "20 s", "40 s", "60 s", "80 s", "100 s", "120 s",
        "140 s"), labels);
  }

  @Test
  public void eventLabelsDoNotOverlap() throws Exception {
    for (LabResults.Scenario s : results.scenarios()) {
      NodeList lanes = nodes(section(s.id()), ".//svg/g[@class='lane']");
      for (int i = 0; i < lanes.getLength(); i++) {
        NodeList labels = nodes(lanes.item(i), "g[@class='event-labels']/text");
        assertEquals(nodes(lanes.item(i), "g[@class='event']").getLength(), labels.getLength());
        for (int a = 0; a < labels.getLength(); a++) {
          for (int b = a + 1; b < labels.getLength(); b++) {
            double[] x = extent((Element) labels.item(a));
            double[] y = extent((Element) labels.item(b));
            boolean sameRow = x[2] == y[2];
            assertFalse(s.id() + ": '" + labels.item(a).getTextContent() + "' overlaps '"
                + labels.item(b).getTextContent() + "'",
                sameRow && x[0] < y[1] && y[0] < x[1]);
          }
        }
      }
    }
  }

  @Test
  public void textIsEscapedAndSurvives() throws Exception {
    Node nn = section("nn-machine-loss");
    assertEquals("namespace unavailable <&> \"quoted\"",
        text(nn, ".//tr[@data-key='unavailable_s']/th"));
    assertEquals("NN host <h-nn> & disk gone", text(nn, ".//text[@class='event-label']"));
    assertTrue(text(nn, ".//ul[@class='notes']/li")
        .endsWith("client saw <RemoteException> & gave up"));
  }

  @Test
  public void singleRunScenario() throws Exception {
    Node dn = section("datanode-loss");
    assertEquals(1, nodes(dn, ".//table[@class='figures']/thead/tr/th[position()>1]")
        .getLength());
    assertEquals("0", text(dn, ".//tr[@data-key='files_unreadable']/td[1]"));
    assertEquals("", text(dn, ".//tr[@data-key='files_unreadable']/td[1]/@class"));
    assertEquals(1, nodes(dn, ".//svg/g[@class='lane']").getLength());
    assertTrue(text(dn, ".//svg/g[@class='lane']").contains("no timeline recorded"));
    // Nothing timed in this scenario: no time axis to pretend otherwise.
    assertEquals(0, nodes(dn, ".//svg//text[@class='tick']").getLength());
  }

  private static Node section(String id) throws Exception {
    Node n = nodes(doc, "//section[@id='scenario-" + id + "']").item(0);
    if (n == null) {
      throw new AssertionError("no section for " + id);
    }
    return n;
  }

  private static double laneTop(Node lane) throws Exception {
    return Double.parseDouble(text(lane, "rect[@class='band']/@y"));
  }

  /** {start, end, y} of a label, with the renderer's own width estimate. */
  private static double[] extent(Element text) {
    double x = Double.parseDouble(text.getAttribute("x"));
    double w = text.getTextContent().length() * TimelineSvg.CHAR_WIDTH;
    boolean end = "end".equals(text.getAttribute("text-anchor"));
    return new double[] {end ? x - w : x, end ? x : x + w,
        Double.parseDouble(text.getAttribute("y"))};
  }
}
