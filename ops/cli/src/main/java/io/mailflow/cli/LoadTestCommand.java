package io.mailflow.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * LoadTestCommand - `mailflow loadtest`: real SMTP sessions against a target, throughput and the latency
 * of "end of DATA sent → 250" (the time a client waits for the Kafka-acknowledged acceptance).
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = "Send messages over SMTP and report throughput and latency percentiles.")
final class LoadTestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, description = "HOST:PORT of the SMTP server (e.g. 127.0.0.1:2525)")
  String target;

  @Option(names = "--connections", defaultValue = "20", description = "Concurrent SMTP sessions (default ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--messages", defaultValue = "1000", description = "Messages in all (default ${DEFAULT-VALUE})")
  int messages;

  @Option(names = "--size", defaultValue = "1024", description = "Approximate message size in bytes (default ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--rcpt", defaultValue = "alice@contoso.test",
      description = "Envelope recipient, or a comma-separated list used round-robin, one per message"
          + " (default ${DEFAULT-VALUE})")
  String recipient;

  @Option(names = "--from", defaultValue = "loadtest@example.com", description = "Envelope sender (default ${DEFAULT-VALUE})")
  String sender;

  @Option(names = "--messages-per-session", defaultValue = "0",
      description = "Messages one connection sends before it QUITs and the next connection opens; 1 measures"
          + " session set-up (a fresh connection per message); 0 keeps each connection for the whole run"
          + " (default ${DEFAULT-VALUE})")
  int messagesPerSession;

  @Option(names = "--time-limit", defaultValue = "600", description = "Stop after this many seconds whatever is left (default ${DEFAULT-VALUE})")
  int timeLimitSeconds;

  @Override
  public Integer call() throws Exception {
    if (connections < 1 || messages < 1 || size < 1) {
      throw new CliFailure("--connections, --messages and --size must be at least 1");
    }
    if (messagesPerSession < 0) {
      throw new CliFailure("--messages-per-session must be 0 (no limit) or more, got " + messagesPerSession);
    }
    LoadGenerator.Target address = LoadGenerator.Target.parse(target);
    LoadGenerator generator = new LoadGenerator(address, sender, LoadGenerator.recipients(recipient), size);
    LoadGenerator.Report report = generator.run(connections, messages, messagesPerSession,
        TimeUnit.SECONDS.toNanos(timeLimitSeconds));
    print(report, spec.commandLine().getOut());
    return report.accepted() == 0 ? 1 : 0;
  }

  private void print(LoadGenerator.Report report, PrintWriter out) {
    double seconds = report.elapsedNanos() / 1e9;
    Histogram latency = report.latencyMicros();
    out.printf("target            %s%n", target);
    out.printf("connections       %d%n", connections);
    out.printf("message size      %d bytes%n", size);
    out.printf("per session       %s%n", messagesPerSession == 0 ? "all (connections reused)"
        : messagesPerSession + (messagesPerSession == 1 ? " message" : " messages"));
    out.printf("accepted          %d of %d%n", report.accepted(), messages);
    Map<String, Long> refused = new TreeMap<>(report.refusedByReply());
    refused.forEach((reply, count) -> out.printf("refused           %d x %s%n", count, reply));
    if (report.connectionFailures() > 0) {
      out.printf("connection errors %d (last: %s)%n", report.connectionFailures(), report.lastConnectionError());
    }
    out.printf("elapsed           %.2f s%n", seconds);
    out.printf("throughput        %.1f msg/s%n", report.accepted() / seconds);
    out.printf("sessions          %d (%.1f sessions/s)%n", report.sessions(), report.sessions() / seconds);
    if (latency.getTotalCount() > 0) {
      out.printf("latency DATA->250 p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n",
          latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(90) / 1000.0,
          latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0);
    }
    out.flush();
  }
}
