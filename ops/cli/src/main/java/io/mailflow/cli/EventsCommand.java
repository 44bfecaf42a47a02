package io.mailflow.cli;

import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.codec.EventJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * EventsCommand - `mailflow events tail`: tracking or protocol events as JSON lines, for jq or a loader: the JSON form
 * the topic holds when its format is Json ({@link EventJson}, Exchange's field names), whatever the format is.
 */
@Command(name = "events", description = "Read mailflow's event streams.", subcommands = EventsCommand.Tail.class,
    mixinStandardHelpOptions = true)
final class EventsCommand {

  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = "Print message-tracking or protocol-log events as JSON lines (Exchange field names).")
  static final class Tail implements Callable<Integer> {
    enum Stream { tracking, protocol }

    @Spec CommandSpec spec;

    @Option(names = "--topic", required = true, description = "tracking or protocol")
    Stream stream;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:" + RunCommand.DEFAULT_KAFKA_PORT,
        description = "Kafka bootstrap servers (default: the broker of `mailflow run`, ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(names = "--from-beginning", description = "Start with the oldest retained event instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--max-events", description = "Stop after this many events (default: run until interrupted).")
    long maxEvents = Long.MAX_VALUE;

    @Option(names = "--idle-exit", description = "Stop after this many seconds without a new event (default: never).")
    long idleExitSeconds = 0;

    @Override
    public Integer call() {
      return stream == Stream.tracking ? tail(Topics.TRACKING) : tail(Topics.PROTOCOL);
    }

    private <V extends SpecificRecord> int tail(Topic<V> topic) {
      PrintWriter out = spec.commandLine().getOut();
      try (TopicReader<V> reader = fromBeginning
          ? TopicReader.fromBeginning(bootstrap, topic) : TopicReader.fromEnd(bootstrap, topic)) {
        long printed = 0;
        long idleSince = System.nanoTime();
        while (printed < maxEvents) {
          List<TopicReader.Entry<V>> entries = reader.poll(Duration.ofMillis(200));
          if (entries.isEmpty()) {
            if (idleExitSeconds > 0 && System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(idleExitSeconds)) {
              break;
            }
            continue;
          }
          idleSince = System.nanoTime();
          for (TopicReader.Entry<V> entry : entries) {
            if (entry.decoded()) {
              out.println(EventJson.toJson(entry.value()));
            } else {
              spec.commandLine().getErr().println("mailflow: skipping " + entry.origin() + ": "
                  + entry.error().getMessage());
            }
            out.flush();
            if (++printed >= maxEvents) {
              break;
            }
          }
        }
      }
      return 0;
    }
  }
}
