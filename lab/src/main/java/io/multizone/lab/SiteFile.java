package io.multizone.lab;

import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes Hadoop site files from snippets and settings, the way an operator merges our
 * {@code etc/hadoop/multizone/*.xml} snippets into their own site files: every property of
 * each {@code --include FILE} (parsed by Hadoop's own {@link Configuration}, so commented-out
 * examples stay out), then each {@code KEY=VALUE} (later wins). Only those properties are
 * written, sorted by name. Several files per call (one JVM for a whole cluster's files).
 *
 * <p>Usage: {@code SiteFile (--out FILE.xml [--include SNIPPET.xml]... [KEY=VALUE]...)...};
 * an {@code --include} may name a file written earlier in the same call.
 */
public final class SiteFile {
  private SiteFile() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !args[0].equals("--out")) {
      System.err.println("usage: SiteFile (--out FILE.xml [--include SNIPPET.xml]... "
          + "[KEY=VALUE]...)...");
      System.exit(2);
    }
    String out = null;
    Map<String, String> props = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out")) {
        if (out != null) {
          write(out, props);
        }
        out = args[++i];
        props = new TreeMap<>();
      } else if (args[i].equals("--include")) {
        File snippet = new File(args[++i]);
        if (!snippet.isFile()) {
          System.err.println("SiteFile: --include " + snippet + ": no such file");
          System.exit(2);
        }
        Configuration c = new Configuration(false);
        c.addResource(new Path(snippet.getAbsolutePath()));
        for (Map.Entry<String, String> e : c) {
          props.put(e.getKey(), e.getValue());
        }
      } else {
        int eq = args[i].indexOf('=');
        if (eq <= 0) {
          System.err.println("SiteFile: expected KEY=VALUE, got '" + args[i] + "'");
          System.exit(2);
        }
        props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
    }
    write(out, props);
  }

  private static void write(String file, Map<String, String> props) throws Exception {
    try (Writer out = new OutputStreamWriter(new FileOutputStream(file),
        StandardCharsets.UTF_8)) {
      out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n");
      for (Map.Entry<String, String> e : props.entrySet()) {
        out.write("  <property>\n    <name>" + escape(e.getKey()) + "</name>\n    <value>"
            + escape(e.getValue()) + "</value>\n  </property>\n");
      }
      out.write("</configuration>\n");
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
