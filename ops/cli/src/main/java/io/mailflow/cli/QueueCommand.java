package io.mailflow.cli;

import io.mailflow.admin.MessageIndex;
import io.mailflow.admin.QueueActions;
import io.mailflow.admin.QueueView;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.schemas.avro.ControlRecord;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * QueueCommand - `mailflow queue`: Exchange's Suspend-Queue, Resume-Queue, Retry-Queue and Get-Queue for
 * the delivery queues (next-hop keys). The actions are ControlRecords on the compacted mail.control.v1
 * (state Suspended, Active, Retry), which every delivery instance reads; `list` and `digest` count the copies
 * with ops/admin's MessageIndex (read from Kafka up to now, not asked of a delivery process) and take status, last
 * error and next retry time from the QUEUESTATE events on mail.tracking.v1. Both are ops/admin's QueueActions and
 * QueueView, which the admin API's /api/v1/queues uses too.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
    description = "Delivery queues: list, digest, suspend, resume, retry.",
    subcommands = {QueueCommand.Suspend.class, QueueCommand.Resume.class, QueueCommand.Retry.class,
        QueueCommand.List.class, QueueCommand.Digest.class})
final class QueueCommand {

  /** A command that writes one control record for a queue (QueueActions, shared with the admin API). */
  abstract static class Action implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Option(names = "--next-hop", required = true, paramLabel = "KEY",
        description = "The queue: its next-hop key, the record key of mail.delivery.v1 (see `mailflow queue list`).")
    String nextHop;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept with the setting.")
    String reason;

    private final QueueActions.Action action;

    Action(QueueActions.Action action) {
      this.action = action;
    }

    @Override
    public Integer call() {
      if (nextHop.isBlank()) {
        throw new CliFailure("--next-hop must name a queue (a next-hop key), not an empty string");
      }
      ControlRecord record;
      try {
        record = QueueActions.apply(kafka.bootstrap, action, nextHop, reason,
            new QueueActions.Actor(KafkaOption.who(), "cli", null, QueueActions.thisMachine()), kafka.timeout(),
            "mailflow-queue-cli");
      } catch (QueueActions.Refused | KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("queue " + nextHop + " " + action.done + " by " + record.getSetBy()
          + (reason == null ? "" : " (" + reason + ")"));
      out.flush();
      return 0;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = "Suspend-Queue: no delivery attempts; the copies wait (and still expire after 2 days).")
  static final class Suspend extends Action {
    Suspend() {
      super(QueueActions.Action.SUSPEND);
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume-Queue: the queue's next due copy is attempted.")
  static final class Resume extends Action {
    Resume() {
      super(QueueActions.Action.RESUME);
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Retry-Queue: a queue in Retry connects now, and its copies waiting on delay topics go now.")
  static final class Retry extends Action {
    Retry() {
      super(QueueActions.Action.RETRY);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Get-Queue: every queue of the cluster with its queued copies counted, status and last error.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Override
    public Integer call() {
      MessageIndex.Snapshot snapshot = MessageCommand.snapshot(kafka);
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-60s %-28s %-10s %12s %-24s %-24s %s%n";
      out.printf(format, "Identity", "DeliveryType", "Status", "MessageCount", "NextHopDomain", "NextRetryTime",
          "LastError");
      for (QueueView.Row q : QueueView.rows(snapshot)) {
        out.printf(format, q.identity(), orDash(q.deliveryType()), orDash(q.status()), q.messageCount(),
            orDash(q.nextHopDomain()), q.nextRetryTime() == null ? "-" : q.nextRetryTime().toString(),
            orDash(q.lastError()) + admin(q.admin()));
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

  @Command(name = "digest", mixinStandardHelpOptions = true,
      description = "Get-QueueDigest: queued copies grouped, with qshape's age histogram (minutes).")
  static final class Digest implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;
    @Option(names = "--group-by", defaultValue = "nextHopDomain", paramLabel = "FIELD",
        description = "nextHopDomain, lastError or deliveryType (default ${DEFAULT-VALUE}).")
    String groupBy;

    @Override
    public Integer call() {
      if (!QueueView.GROUP_BY.contains(groupBy)) {
        throw new CliFailure("--group-by must be one of " + String.join(", ", QueueView.GROUP_BY) + ", not '"
            + groupBy + "'");
      }
      java.util.List<QueueView.Group> groups = QueueView.digest(MessageCommand.snapshot(kafka), groupBy);
      PrintWriter out = spec.commandLine().getOut();
      StringBuilder header = new StringBuilder(String.format("%-40s %12s %10s", capitalized(groupBy), "MessageCount",
          "QueueCount"));
      QueueView.AGE_BUCKETS.forEach(b -> header.append(String.format(" %6s", b)));
      out.println(header);
      for (QueueView.Group g : groups) {
        StringBuilder line = new StringBuilder(String.format("%-40s %12d %10d", g.key(), g.messageCount(),
            g.queueCount()));
        for (int n : g.ages()) {
          line.append(String.format(" %6d", n));
        }
        out.println(line);
      }
      out.flush();
      return 0;
    }

    private static String capitalized(String s) {
      return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
  }
}
