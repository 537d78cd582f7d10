import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.net.NetworkTopology;
import org.apache.hadoop.net.NodeBase;
import org.apache.hadoop.net.ScriptBasedMapping;

/**
 * Test helper: resolves hosts through Hadoop's own ScriptBasedMapping, as the NameNode and
 * the ResourceManager do, then adds them to a NetworkTopology.
 *
 * <pre>java -cp HADOOP_CLASSPATH HadoopResolve.java SCRIPT NUMBER_ARGS HOST...</pre>
 *
 * Prints "resolved: [loc, ...]" (or "resolved: null" when Hadoop rejected the script's
 * answer), then "topology: racks=N leaves=N" or "topology: InvalidTopologyException ...".
 */
public class HadoopResolve {
  public static void main(String[] args) {
    Configuration conf = new Configuration(false);
    conf.set("net.topology.script.file.name", args[0]);
    conf.setInt("net.topology.script.number.args", Integer.parseInt(args[1]));
    List<String> names = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      names.add(args[i]);
    }
    List<String> locations = new ScriptBasedMapping(conf).resolve(names);
    System.out.println("resolved: " + locations);
    if (locations == null) {
      // What the NameNode does with a null answer: the one-level default rack.
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
      System.out.println("topology: racks=" + topology.getNumOfRacks()
          + " leaves=" + topology.getNumOfLeaves());
    } catch (RuntimeException e) {
      System.out.println("topology: " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
  }
}
