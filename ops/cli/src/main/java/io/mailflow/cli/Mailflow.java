package io.mailflow.cli;

import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.embedded.EmbeddedKafkaException;
import io.mailflow.organization.OrganizationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Mailflow - the `mailflow` command: run everything on one machine, one role per process on a cluster,
 * load test, and read event streams.
 */
@Command(name = "mailflow", mixinStandardHelpOptions = true, version = "mailflow " + Mailflow.VERSION,
    description = "Exchange-style mail transport on Apache Kafka.",
    subcommands = {RunCommand.class, BrokerCommand.class, RoleCommand.Edge.class, RoleCommand.Categorizer.class,
        RoleCommand.Routing.class, RoleCommand.Delivery.class, LoadTestCommand.class, EventsCommand.class,
        RouteCommand.class, ConnectorsCommand.class, DirectoryCommand.class, ReplayCommand.class, QueueCommand.class,
        MessageCommand.class, SiteCommand.class, PoisonCommand.class, TrackingCommand.class, CommandLine.HelpCommand.class})
public final class Mailflow {
  /** This build's version, in `--version` and in the log's start line. */
  static final String VERSION = "0.1.0";
  /** Exit code for a configuration the user must fix. */
  static final int EXIT_CONFIG = 2;
  /** Exit code for a failure at run time (Kafka unreachable, port busy ...). */
  static final int EXIT_FAILURE = 1;

  public static void main(String[] args) {
    LogFile.configure(args);
    io.mailflow.schemas.codec.AvroCodec.trustGeneratedClasses();
    System.exit(commandLine().execute(args));
  }

  /** The command line with mailflow's error handling: one clear line, no stack trace, non-zero exit. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Mailflow());
    if (LogFile.path() != null) { // System.err is the log file now; the one-line errors still go to the terminal
      cli.setErr(LogFile.terminal());
    }
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("mailflow: " + oneLine(e));
      commandLine.getErr().flush();
      return e instanceof OrganizationException ? EXIT_CONFIG : EXIT_FAILURE;
    });
    return cli;
  }

  private static String oneLine(Throwable e) {
    if (e instanceof OrganizationException || e instanceof CliFailure || e instanceof EmbeddedKafkaException
        || e instanceof KafkaUnavailableException) {
      return e.getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return e.getMessage() == null ? root.toString() : e.getMessage();
  }
}
