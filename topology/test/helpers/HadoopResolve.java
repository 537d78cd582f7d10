import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.NodeBase;
import org.apache.hadoop.net.ScriptBasedMapping;

/**
 * Test helper: resolves hosts through Hadoop's own ScriptBasedMapping, as the NameNode and
 * the ResourceManager do, then adds them to a NetworkTopology. Several scripts can be given
 * (comma-separated) to pay for one JVM start only.
 *
 * <pre>java -cp HADOOP_CLASSPATH HadoopResolve.java SCRIPT[,SCRIPT...] NUMBER_ARGS HOST...</pre>
 *
 * Prints per script N (from 1) "N resolved: [loc, ...]" (or "N resolved: null" when Hadoop
 * rejected the script's answer), then "N topology: racks=R leaves=L" or
 * "N topology: InvalidTopologyException ...".
 */
public class HadoopResolve {
  public static void main(String[] args) {
    String[] scripts = args[0].split(",");
    List<String> names = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      names.add(args[i]);
    }
    for (int n = 0; n < scripts.length; n++) {
      resolve(n + 1, scripts[n], Integer.parseInt(args[1]), names);
    }
  }

  private static void resolve(int n, String script, int numberArgs, List<String> names) {
    Configuration conf = new Configuration(false);
    conf.set("net.topology.script.file.name", script);
    conf.setInt("net.topology.script.number.args", numberArgs);
    List<String> locations = new ScriptBasedMapping(conf).resolve(names);
    System.out.println(n + " resolved: " + locations);
    if (locations == null) {
      // What the NameNode does with a null answer: the one-level default rack (here next to
      // one node already registered at /zone/rack).
      locations = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        locations.add(i == 0 ? "/zone-a/rack-1" : NetworkTopology.DEFAULT_RACK);
      }
    }
    NetworkTopology topology = NetworkTopology.getInstance(conf);
    try {
      for (int i = 0; i < names.size(); i++) {
        topology.add(new NodeBase("node-" + i, locations.get(i)));
      }
      System.out.println(n + " topology: racks=" + topology.getNumOfRacks()
          + " leaves=" + topology.getNumOfLeaves());
    } catch (RuntimeException e) {
      System.out.println(n + " topology: " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
  }
}
