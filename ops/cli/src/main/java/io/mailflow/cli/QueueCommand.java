package io.mailflow.cli;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * QueueCommand - `mailflow queue`: Exchange's Suspend-Queue, Resume-Queue, Retry-Queue and Get-Queue for
 * the delivery queues (next-hop keys). The actions are ControlRecords on the compacted mail.control.v1
 * (state Suspended, Active, Retry), which every delivery instance reads; `list` is built from the
 * QUEUESTATE events on mail.tracking.v1 and the control state, read from Kafka, not from a delivery process.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Delivery queues: list, suspend, resume, retry.",
    subcommands = {QueueCommand.Suspend.class, QueueCommand.Resume.class, QueueCommand.Retry.class,
        QueueCommand.List.class})
final class QueueCommand {

  /** A command that writes one control record for a queue. */
  abstract static class Action implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Option(names = "--next-hop", required = true, paramLabel = "KEY",
        description = "The queue: its next-hop key, the record key of mail.delivery.v1 (see `mailflow queue list`).")
    String nextHop;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept with the setting.")
    String reason;

    /** The control record's state. */
    private final String state;
    /** What the action did, as the confirmation says it. */
    private final String done;

    Action(String state, String done) {
      this.state = state;
      this.done = done;
    }

    /** Refuses the action given the queue's current setting, if it must. */
    void check(Optional<ControlRecord> current) {}

    @Override
    public Integer call() {
      if (nextHop.isBlank()) {
        throw new CliFailure("--next-hop must name a queue (a next-hop key), not an empty string");
      }
      try (ControlView view = kafka.control("mailflow-queue-cli")) {
        check(view.get(ControlKind.QUEUE, nextHop));
      }
      ControlRecord record = kafka.setControl(ControlKind.QUEUE, nextHop, state, reason, "mailflow-queue-cli");
      PrintWriter out = spec.commandLine().getOut();
      out.println("queue " + nextHop + " " + done + " by " + record.getSetBy()
          + (reason == null ? "" : " (" + reason + ")"));
      out.flush();
      return 0;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = "Suspend-Queue: no delivery attempts; the copies wait (and still expire after 2 days).")
  static final class Suspend extends Action {
    Suspend() {
      super("Suspended", "suspended");
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume-Queue: the queue's next due copy is attempted.")
  static final class Resume extends Action {
    Resume() {
      super("Active", "resumed");
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Retry-Queue: a queue in Retry connects now, and its copies waiting on delay topics go now.")
  static final class Retry extends Action {
    Retry() {
      super("Retry", "retried now");
    }

    @Override
    void check(Optional<ControlRecord> current) {
      current.filter(r -> "Suspended".equals(r.getState())).ifPresent(r -> {
        throw new CliFailure("queue " + nextHop + " is suspended (by " + r.getSetBy() + "); resume it first");
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Get-Queue: each queue's latest state per server, from mail.tracking.v1, and its admin setting.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Override
    public Integer call() {
      Map<String, TrackingEvent> latest = new TreeMap<>();
      Duration timeout = kafka.timeout();
      try (TopicReader<TrackingEvent> reader = TopicReader.between(kafka.bootstrap, Topics.TRACKING, Instant.EPOCH,
          Instant.now(), timeout)) {
        long idleLimit = TimeUnit.SECONDS.toNanos(Math.max(30, timeout.toSeconds() * 2));
        long last = System.nanoTime();
        while (!reader.finished()) {
          if (System.nanoTime() - last > idleLimit) {
            throw new CliFailure("reading " + Topics.TRACKING.name() + " at " + kafka.bootstrap + " stalled");
          }
          for (TopicReader.Entry<TrackingEvent> e : reader.poll(Duration.ofMillis(200))) {
            last = System.nanoTime();
            if (e.decoded() && e.value().getQueue() != null) {
              latest.put(e.value().getServerHostname() + "\\" + e.value().getQueue().getIdentity(), e.value());
            }
          }
        }
      } catch (KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      Map<String, ControlRecord> settings;
      try (ControlView view = kafka.control("mailflow-queue-cli")) {
        settings = view.all();
      }
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-60s %-28s %-10s %12s %-24s %-24s %s%n";
      out.printf(format, "Identity", "DeliveryType", "Status", "MessageCount", "NextHopDomain", "NextRetryTime",
          "LastError");
      java.util.Set<String> shown = new java.util.HashSet<>();
      for (TrackingEvent e : latest.values()) {
        QueueState q = e.getQueue();
        shown.add(q.getIdentity());
        out.printf(format, e.getServerHostname() + "\\" + q.getIdentity(), orDash(q.getDeliveryType()),
            q.getStatus(), q.getMessageCount(), orDash(q.getNextHopDomain()),
            q.getNextRetryTime() == null ? "-" : q.getNextRetryTime().toString(),
            orDash(q.getLastError()) + admin(settings.get(ControlView.key(ControlKind.QUEUE, q.getIdentity()))));
      }
      for (ControlRecord r : settings.values()) {
        if (r.getKind() == ControlKind.QUEUE && !shown.contains(r.getTarget())) {
          out.printf(format, "*\\" + r.getTarget(), "-", "Suspended".equals(r.getState()) ? "Suspended" : "-", 0, "-",
              "-", "-" + admin(r)); // set by an admin, no delivery instance has reported the queue yet
        }
      }
      out.flush();
      return 0;
    }

    private static String orDash(String s) {
      return s == null || s.isEmpty() ? "-" : s;
    }

    private static String admin(ControlRecord r) {
      return r == null ? "" : " [admin: " + r.getState() + " by " + r.getSetBy() + " at " + r.getSetAt()
          + (r.getReason() == null ? "" : ": " + r.getReason()) + "]";
    }
  }
}
