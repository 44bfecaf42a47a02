// EdgeBenchBroker - a bare embedded Kafka broker for edge.sh: the edge's queue with nobody consuming it,
// so the edge is measured without the categorizer, routing and delivery sharing the cores.
// Run on the mailflow jar with Java's source launcher (nothing to build):
//   java -cp ops/target/mailflow.jar ops/bench/EdgeBenchBroker.java <data dir> <port>
// Prints "broker 127.0.0.1:<port>" once it answers clients; SIGTERM closes it cleanly.
import io.mailflow.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;

public class EdgeBenchBroker {
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: EdgeBenchBroker <data dir> <port>");
      System.exit(2);
    }
    EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-stop"));
    System.out.println("broker " + kafka.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
