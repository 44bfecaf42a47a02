package io.mailflow.cli;

import io.mailflow.admin.QueueActions;
import io.mailflow.admin.QueueStates;
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
 * (state Suspended, Active, Retry), which every delivery instance reads; `list` is built from the
 * QUEUESTATE events on mail.tracking.v1 and the control state, read from Kafka, not from a delivery process.
 * Both are ops/admin's QueueActions and QueueStates, which the admin API's /api/v1/queues uses too.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Delivery queues: list, suspend, resume, retry.",
    subcommands = {QueueCommand.Suspend.class, QueueCommand.Resume.class, QueueCommand.Retry.class,
        QueueCommand.List.class})
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
      description = "Get-Queue: each queue's latest state per server, from mail.tracking.v1, and its admin setting.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Override
    public Integer call() {
      java.util.List<QueueStates.Row> rows;
      try {
        rows = QueueStates.read(kafka.bootstrap, kafka.timeout(), "mailflow-queue-cli");
      } catch (KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-60s %-28s %-10s %12s %-24s %-24s %s%n";
      out.printf(format, "Identity", "DeliveryType", "Status", "MessageCount", "NextHopDomain", "NextRetryTime",
          "LastError");
      for (QueueStates.Row q : rows) {
        out.printf(format, q.qualifiedIdentity(), orDash(q.deliveryType()), orDash(q.status()), q.messageCount(),
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
}
