package io.mailflow.cli;

import io.mailflow.admin.PoisonActions;
import io.mailflow.admin.PoisonId;
import io.mailflow.admin.PoisonQueue;
import io.mailflow.admin.QueueActions;
import io.mailflow.kafka.KafkaUnavailableException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * PoisonCommand - `mailflow poison`: Exchange's poison message queue. `list` shows what the stages parked on
 * mail.poison.v1 (ops/admin's PoisonQueue); `resubmit ID` writes a parked record back to its topic unchanged and
 * `delete ID` hides it (PoisonActions: a POISON ControlRecord on mail.control.v1 and a tracking event each), as
 * the admin API's /api/v1/poison does.
 */
@Command(name = "poison", mixinStandardHelpOptions = true,
    description = "The poison message queue: records a stage could not process. list, resubmit, delete.",
    subcommands = {PoisonCommand.List.class, PoisonCommand.Resubmit.class, PoisonCommand.Delete.class})
final class PoisonCommand {
  private static final String CLIENT_ID = "mailflow-poison-cli";

  /** A command acting on one entry (PoisonActions, shared with the admin API). */
  abstract static class Action implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Parameters(index = "0", paramLabel = "ID", description = "The entry: <partition>:<offset>, as `poison list` shows it.")
    String id;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept with the decision.")
    String reason;

    private final PoisonActions.Action action;

    Action(PoisonActions.Action action) {
      this.action = action;
    }

    boolean force() {
      return false;
    }

    @Override
    public Integer call() {
      PoisonId poison;
      try {
        poison = PoisonId.parse(id);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PoisonActions.Result result;
      try {
        result = PoisonActions.apply(kafka.bootstrap, action, poison, reason, force(),
            new QueueActions.Actor(KafkaOption.who(), "cli", null, QueueActions.thisMachine()), kafka.timeout(),
            CLIENT_ID);
      } catch (PoisonActions.Unknown | PoisonActions.Refused | KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      String where = result.resubmitted() == null ? "" : " to " + result.resubmitted().topic() + "-"
          + result.resubmitted().partition() + "@" + result.resubmitted().offset();
      out.println("poison " + poison + " " + (result.written() ? action.done : "was " + action.done + " already")
          + where + " by " + result.record().getSetBy()
          + (result.record().getReason() == null ? "" : " (" + result.record().getReason() + ")"));
      out.flush();
      return 0;
    }
  }

  @Command(name = "resubmit", mixinStandardHelpOptions = true,
      description = "Resume-Message on the poison queue: the parked key and value go back, unchanged, to the topic"
          + " the stage read them from.")
  static final class Resubmit extends Action {
    @Option(names = "--force", description = "Resubmit an entry resubmitted or deleted before (the stage may park it"
        + " again).")
    boolean force;

    Resubmit() {
      super(PoisonActions.Action.RESUBMIT);
    }

    @Override
    boolean force() {
      return force;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove-Message on the poison queue: the entry is hidden from the list (mail.poison.v1 keeps the"
          + " record until retention).")
  static final class Delete extends Action {
    Delete() {
      super(PoisonActions.Action.DELETE);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every record the stages parked on mail.poison.v1, oldest first, with its status.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;

    @Option(names = "--all", description = "Show deleted entries too.")
    boolean all;

    @Override
    public Integer call() {
      java.util.List<PoisonQueue.Entry> entries;
      try {
        entries = PoisonQueue.list(kafka.bootstrap, all, kafka.timeout(), CLIENT_ID);
      } catch (KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-14s %-24s %-12s %-22s %-11s %10s %-40s %s%n";
      out.printf(format, "Id", "DateTime", "Stage", "Topic", "Status", "Size", "Key", "Reason");
      for (PoisonQueue.Entry e : entries) {
        out.printf(format, e.id(), e.dateTime(), e.stage(), e.topic() + "-" + e.partition() + "@" + e.offset(),
            e.status(), e.size(), e.key() == null ? "-" : e.key(), e.reason());
      }
      out.flush();
      return 0;
    }
  }
}
