package io.mailflow.cli;

import io.mailflow.admin.TrackingJson;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.tracking.DeliveryReport;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.IndexStatus;
import io.mailflow.tracking.NoSuchMessageException;
import io.mailflow.tracking.TrackingIndex;
import io.mailflow.tracking.TrackingPage;
import io.mailflow.tracking.TrackingQuery;
import io.mailflow.tracking.TrackingQueryException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * TrackingCommand - `mailflow tracking`: Exchange's Get-MessageTrackingLog ({@code search}) and delivery reports
 * ({@code report}) over the message-tracking index. Where the events come from: the indexes a node on this machine
 * keeps in {@code <data-dir>/tracking-index} (opened read-only: the node goes on writing), else a temporary index
 * built from {@code --bootstrap}'s mail.tracking.v1 (progress on stderr), deleted afterwards.
 */
@Command(name = "tracking", mixinStandardHelpOptions = true,
    description = "Message tracking: Get-MessageTrackingLog (search) and delivery reports (report).",
    subcommands = {TrackingCommand.Search.class, TrackingCommand.Report.class})
final class TrackingCommand {
  private TrackingCommand() {}

  /** Where the events come from: {@code --data-dir} (a node's indexes) or {@code --bootstrap} (a temporary one). */
  static final class Source {
    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "A node's data directory: search its tracking-index read-only (default "
            + RunCommand.DEFAULT_DATA_DIR + " when it holds one).")
    Path dataDir;
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,..]",
        description = "Build a temporary index from this cluster's mail.tracking.v1 (repeat for more clusters; "
            + "default 127.0.0.1:" + RunCommand.DEFAULT_KAFKA_PORT + " when no node's index is here).")
    List<String> bootstrap = new ArrayList<>();
    @Option(names = "--kafka-timeout", defaultValue = "60", paramLabel = "SECONDS",
        description = "How long a temporary index may take to catch up (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;
  }

  /** The search behind a command, and what to delete when done. */
  private record Opened(FederatedTrackingSearch search, Path temporary) implements AutoCloseable {
    @Override
    public void close() {
      search.close();
      if (temporary != null) {
        try (Stream<Path> walk = Files.walk(temporary)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
          // a temporary directory left behind: the system's temp cleaning takes it
        }
      }
    }
  }

  /** Bad input: one line naming the option and the value, exit 2. */
  static final class BadOption extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadOption(String message) {
      super(message);
    }
  }

  static Opened open(Source source, PrintWriter err) {
    if (source.timeoutSeconds <= 0) {
      throw new BadOption("--kafka-timeout '" + source.timeoutSeconds + "' is not a positive number of seconds");
    }
    if (source.bootstrap.isEmpty()) {
      Path dataDir = source.dataDir == null ? Path.of(RunCommand.DEFAULT_DATA_DIR) : source.dataDir;
      Path root = dataDir.resolve(FederatedTrackingSearch.DIRECTORY);
      if (Files.isRegularFile(root.resolve(FederatedTrackingSearch.MANIFEST))) {
        try {
          return new Opened(FederatedTrackingSearch.openReadOnly(root, FederatedTrackingSearch.manifest(root),
              TrackingIndex.Options.defaults()), null);
        } catch (RuntimeException e) {
          throw new CliFailure("cannot read the message-tracking index in " + root + ": " + e.getMessage(), e);
        }
      }
      if (source.dataDir != null) {
        throw new BadOption("--data-dir '" + source.dataDir + "' holds no message-tracking index (" + root
            + "); give --bootstrap to build one from Kafka");
      }
      source.bootstrap.add("127.0.0.1:" + RunCommand.DEFAULT_KAFKA_PORT);
    }
    List<FederatedTrackingSearch.Cluster> clusters = new ArrayList<>();
    for (String b : source.bootstrap) {
      if (b.isBlank() || !b.strip().matches("[^,\\s]+:[0-9]{1,5}(,[^,\\s]+:[0-9]{1,5})*")) {
        throw new BadOption("--bootstrap '" + b + "' is not a list of host:port");
      }
      clusters.add(new FederatedTrackingSearch.Cluster(b.strip(), b.strip()));
    }
    Path temporary;
    try {
      temporary = Files.createTempDirectory("mailflow-tracking-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FederatedTrackingSearch search;
    try {
      search = FederatedTrackingSearch.open(temporary, clusters, TrackingIndex.Options.defaults());
    } catch (RuntimeException e) {
      try (Stream<Path> walk = Files.walk(temporary)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory left behind: the system's temp cleaning takes it
      }
      throw new CliFailure("cannot read mail.tracking.v1 at " + clusters.get(0).bootstrap() + ": " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
    }
    Opened opened = new Opened(search, temporary);
    long started = System.nanoTime();
    Duration timeout = Duration.ofSeconds(source.timeoutSeconds);
    for (FederatedTrackingSearch.Member m : search.members()) {
      if (!m.reachable().getAsBoolean()) {
        err.printf("tracking: %s cannot be reached%n", m.name());
        continue;
      }
      err.printf("tracking: indexing mail.tracking.v1 of %s ...%n", m.name());
      err.flush();
      boolean caughtUp = ((TrackingIndex) m.search()).awaitCaughtUp(timeout);
      IndexStatus s = m.search().status();
      err.printf("tracking: %s: %d events indexed in %d ms%s%n", m.name(), s.eventsIndexed(),
          (System.nanoTime() - started) / 1_000_000, caughtUp ? "" : " (not caught up within " + timeout.toSeconds()
              + " s: answers may miss the newest events)");
      err.flush();
    }
    return opened;
  }

  /** A TrackingQueryException's parameter as this command's option: Sender → --sender, MessageSubject → --subject. */
  static String option(String parameter) {
    String bare = parameter == null ? "" : parameter.startsWith("-") ? parameter.substring(1) : parameter;
    if (bare.equalsIgnoreCase("MessageSubject")) {
      return "--subject";
    }
    StringBuilder out = new StringBuilder("-");
    for (char c : bare.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Runs {@code work}, turning bad input into one line and exit 2. */
  static int guarded(CommandSpec spec, Callable<Integer> work) throws Exception {
    try {
      return work.call();
    } catch (BadOption e) {
      spec.commandLine().getErr().println("mailflow: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return Mailflow.EXIT_CONFIG;
    } catch (TrackingQueryException e) {
      String option = option(e.parameter());
      String message = e.getMessage();
      String name = e.parameter() == null ? "" : e.parameter();
      if (message.startsWith(name + " ")) {
        message = message.substring(name.length() + 1); // "Sender 'x' is ..." → "--sender 'x' is ..."
      }
      spec.commandLine().getErr().println("mailflow: " + option + " " + message);
      spec.commandLine().getErr().flush();
      return Mailflow.EXIT_CONFIG;
    }
  }

  @Command(name = "search", mixinStandardHelpOptions = true,
      description = "Get-MessageTrackingLog: the events matching every filter given, oldest first.")
  static final class Search implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--sender", paramLabel = "ADDRESS", description = "Only events with this sender-address.") String sender;
    @Option(names = "--recipients", paramLabel = "ADDRESS", split = ",",
        description = "Only events naming any of these in recipient-address (comma-separated or repeated).") List<String> recipients;
    @Option(names = "--message-id", paramLabel = "ID", description = "Only this message-id (the Message-ID header, with or without <>).")
    String messageId;
    @Option(names = "--network-message-id", paramLabel = "ID", description = "Only this network-message-id.")
    String networkMessageId;
    @Option(names = "--internal-message-id", paramLabel = "ID", description = "Only this internal-message-id.")
    String internalMessageId;
    @Option(names = "--event-id", paramLabel = "EVENT", description = "Only this event-id: RECEIVE, SUBMIT, DELIVER, SEND, FAIL, DEFER, DSN ...")
    String eventId;
    @Option(names = "--source", paramLabel = "SOURCE", description = "Only this source: SMTP, STOREDRIVER, ROUTING, CATEGORIZER, DSN, ADMIN ...")
    String source;
    @Option(names = "--subject", paramLabel = "TEXT", description = "Only subjects containing this (any case).") String subject;
    @Option(names = "--server", paramLabel = "NAME", description = "Only events of this server-hostname (or its first label).")
    String server;
    @Option(names = "--start", paramLabel = "TIME",
        description = "From this time, included (ISO-8601, a date, now, -2h, -30d ...).") String start;
    @Option(names = "--end", paramLabel = "TIME", description = "Up to this time, excluded (the same forms).") String end;
    @Option(names = "--result-size", paramLabel = "N",
        description = "At most N events (default 1000; Unlimited for all).") String resultSize;
    @Option(names = "--cursor", paramLabel = "CURSOR", description = "The page after the one that printed this cursor.")
    String cursor;
    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
        description = "table, json or csv (Exchange's field names as the header row); default ${DEFAULT-VALUE}.")
    String format;
    @Mixin Source from;

    @Override
    public Integer call() throws Exception {
      return guarded(spec, () -> {
        if (!List.of("table", "json", "csv").contains(format)) {
          throw new BadOption("--format '" + format + "' is not one of table, json, csv");
        }
        Map<String, List<String>> p = new LinkedHashMap<>();
        put(p, "Sender", sender);
        if (recipients != null && !recipients.isEmpty()) {
          p.put("Recipients", recipients);
        }
        put(p, "MessageId", messageId);
        put(p, "NetworkMessageId", networkMessageId);
        put(p, "InternalMessageId", internalMessageId);
        put(p, "EventId", eventId);
        put(p, "Source", source);
        put(p, "MessageSubject", subject);
        put(p, "Server", server);
        put(p, "Start", start);
        put(p, "End", end);
        put(p, "ResultSize", resultSize);
        TrackingQuery query = TrackingQuery.fromParameters(p);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Opened opened = open(from, err)) {
          long p0 = System.nanoTime();
          opened.search().status(); // the clusters' first reachability answers (a fresh JVM's first connections)
          long probed = (System.nanoTime() - p0) / 1_000_000;
          long t0 = System.nanoTime();
          FederatedTrackingSearch.Answer<TrackingPage> answer = opened.search().search(query, cursor);
          long micros = (System.nanoTime() - t0) / 1000;
          TrackingPage page = answer.value();
          switch (format) {
            case "json" -> out.println(TrackingJson.withCoverage(new JsonObject()
                .put("events", TrackingJson.events(page.events())).put("next", page.next())
                .put("total", page.totalHits()), answer).encodePrettily());
            case "csv" -> csv(page.events(), out);
            default -> table(page.events(), out);
          }
          out.flush();
          if (!format.equals("json")) {
            err.printf("tracking: %d of %d events, searched in %.1f ms (clusters probed in %d ms)%s%n",
                page.events().size(), page.totalHits(), micros / 1000.0, probed,
                page.next() == null ? "" : "; next page: --cursor " + page.next());
            answer.unreachable().forEach(u -> err.printf("tracking: unreachable: %s%n", u));
            err.flush();
          }
        }
        return 0;
      });
    }

    private static void put(Map<String, List<String>> p, String name, String value) {
      if (value != null) {
        p.put(name, List.of(value));
      }
    }
  }

  /** Exchange's field names in the log's order (Avro's fields, camelCase to kebab-case), the queue state left out. */
  static List<String> csvHeader() {
    return TrackingEvent.getClassSchema().getFields().stream().map(Schema.Field::name).filter(n -> !n.equals("queue"))
        .map(TrackingJson::exchangeName).toList();
  }

  static void csv(List<TrackingEvent> events, PrintWriter out) throws IOException {
    List<Schema.Field> fields = TrackingEvent.getClassSchema().getFields().stream()
        .filter(f -> !f.name().equals("queue")).toList();
    CSVPrinter printer = CSVFormat.DEFAULT.builder().setHeader(csvHeader().toArray(String[]::new))
        .setRecordSeparator("\n").get().print(out);
    for (TrackingEvent e : events) {
      List<String> row = new ArrayList<>();
      for (Schema.Field f : fields) {
        Object v = e.get(f.pos());
        // multi-valued fields as Exchange writes them: values separated by ';'
        row.add(v == null ? "" : v instanceof List<?> l ? String.join(";", l.stream().map(String::valueOf).toList())
            : v.toString());
      }
      printer.printRecord(row);
    }
    printer.flush();
  }

  static void table(List<TrackingEvent> events, PrintWriter out) {
    String format = "%-24s %-10s %-11s %-28s %-36s %-24s %-10s %s%n";
    out.printf(format, "Timestamp", "EventId", "Source", "Sender", "Recipients", "MessageSubject", "ServerHostname",
        "RecipientStatus");
    for (TrackingEvent e : events) {
      out.printf(format, e.getDateTime(), e.getEventId(), e.getSource(), cut(dash(e.getSenderAddress()), 28),
          cut(String.join(",", e.getRecipientAddress()), 36), cut(dash(e.getMessageSubject()), 24),
          dash(e.getServerHostname()), e.getRecipientStatus().isEmpty() ? "-" : String.join("; ",
              e.getRecipientStatus()));
    }
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static String cut(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "~";
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "The delivery report of one message: a timeline per recipient across servers.")
  static final class Report implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ID", description = "The Message-ID (with or without <>) or network message id.")
    String id;
    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
        description = "text or json; default ${DEFAULT-VALUE}.") String format;
    @Mixin Source from;

    @Override
    public Integer call() throws Exception {
      return guarded(spec, () -> {
        if (!List.of("text", "json").contains(format)) {
          throw new BadOption("--format '" + format + "' is not one of text, json");
        }
        if (id.isBlank()) {
          throw new BadOption("ID '' is empty: give a Message-ID or a network message id");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Opened opened = open(from, spec.commandLine().getErr())) {
          FederatedTrackingSearch.Answer<DeliveryReport> answer;
          try {
            answer = opened.search().report(id.strip());
          } catch (NoSuchMessageException e) {
            throw new CliFailure(e.getMessage(), e);
          }
          if (format.equals("json")) {
            out.println(TrackingJson.withCoverage(TrackingJson.report(answer.value()), answer).encodePrettily());
          } else {
            text(answer, out);
          }
          out.flush();
        }
        return 0;
      });
    }
  }

  /** The report as an admin reads it: the message, then each recipient's line and timeline. */
  static void text(FederatedTrackingSearch.Answer<DeliveryReport> answer, PrintWriter out) {
    DeliveryReport r = answer.value();
    JsonObject json = TrackingJson.report(r);
    out.printf("Message-ID:         %s%n", dash(r.messageId()));
    out.printf("Network message id: %s%n", String.join(", ", r.networkMessageIds()));
    out.printf("From:               %s%n", r.sender() == null ? "-" : r.sender().isEmpty() ? "<>" : r.sender());
    out.printf("Subject:            %s%n", dash(r.subject()));
    out.printf("Submitted:          %s%n", r.submitTime());
    out.printf("Servers:            %s%n", String.join(", ", json.getJsonArray("servers").stream()
        .map(String::valueOf).toList()));
    if (!r.messageEvents().isEmpty()) {
      out.println();
      out.println("Message");
      r.messageEvents().forEach(e -> step(e, out));
    }
    for (DeliveryReport.Recipient rcpt : r.recipients()) {
      out.println();
      out.printf("%s: %s%s%n", rcpt.address(), rcpt.status().wording(),
          rcpt.expandedFrom() == null ? "" : " (through " + rcpt.expandedFrom() + ")");
      rcpt.events().forEach(e -> step(e, out));
    }
    if (!answer.unreachable().isEmpty()) {
      out.println();
      out.printf("Unreachable (events there not included): %s%n", String.join(", ", answer.unreachable()));
    }
    if (!answer.catchingUp().isEmpty()) {
      out.printf("Still indexing: %s%n", String.join(", ", answer.catchingUp().keySet()));
    }
  }

  private static void step(DeliveryReport.Event e, PrintWriter out) {
    out.printf("  %-24s %-8s %-11s %-10s %s%n", e.time(), dash(e.server()), e.source(), e.eventId(),
        e.recipientStatus() == null ? "" : e.recipientStatus());
  }

  static String at(Instant t) {
    return t == null ? "-" : t.toString();
  }
}
