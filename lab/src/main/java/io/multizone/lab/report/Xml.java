package io.multizone.lab.report;

/**
 * Escaping for the HTML report and its SVG, which are written as well-formed XML (XHTML-style)
 * so any XML parser can read them: the five markup characters become entities and characters
 * XML forbids (control characters other than tab and newline) are dropped.
 */
public final class Xml {
  private Xml() {
  }

  /** Text or attribute content (double- or single-quoted); null reads as "". */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<':
          b.append("&lt;");
          break;
        case '>':
          b.append("&gt;");
          break;
        case '&':
          b.append("&amp;");
          break;
        case '"':
          b.append("&quot;");
          break;
        case '\'':
          b.append("&#39;");
          break;
        default:
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            if (c != 0xFFFE && c != 0xFFFF) {
              b.append(c);
            }
          }
      }
    }
    return b.toString();
  }

  /** A value usable as an id or class token: letters, digits, '-' and '_' only. */
  public static String token(String s) {
    if (s == null || s.isEmpty()) {
      return "x";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_') ? c : '-');
    }
    return b.toString();
  }
}
