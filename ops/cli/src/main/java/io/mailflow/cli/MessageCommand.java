package io.mailflow.cli;

import io.mailflow.admin.MessageActions;
import io.mailflow.admin.MessageDetail;
import io.mailflow.admin.MessageIndex;
import io.mailflow.admin.MessageJson;
import io.mailflow.admin.MessageQuery;
import io.mailflow.admin.QueueActions;
import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.schemas.avro.ControlRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * MessageCommand - `mailflow message`: Exchange's Get-Message, Export-Message, Suspend-/Resume-/Retry-Message and
 * Remove-Message for the queued copies of the whole cluster. It builds ops/admin's MessageIndex from Kafka, waits
 * until it has caught up, answers and closes it; the actions are MESSAGE control records (MessageActions, shared
 * with the admin API) that the delivery instance owning the copy applies.
 */
@Command(name = "message", mixinStandardHelpOptions = true,
    description = "Queued messages (one routed copy each): list, show, suspend, resume, retry, remove, export.",
    subcommands = {MessageCommand.List.class, MessageCommand.Show.class, MessageCommand.Suspend.class,
        MessageCommand.Resume.class, MessageCommand.Retry.class, MessageCommand.Remove.class,
        MessageCommand.Export.class})
final class MessageCommand {
  static final String CLIENT_ID = "mailflow-message-cli";

  private MessageCommand() {}

  /** The cluster's queued copies now: an index read up to the topics' current ends. */
  static MessageIndex.Snapshot snapshot(KafkaOption kafka) {
    try (MessageIndex index = MessageIndex.start(kafka.bootstrap, CLIENT_ID, kafka.timeout())) {
      return index.snapshot();
    } catch (KafkaUnavailableException e) {
      throw new CliFailure(e.getMessage(), e);
    }
  }

  static String orDash(Object o) {
    return o == null || o.toString().isEmpty() ? "-" : o.toString();
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Get-Message: the queued copies, oldest first, filtered.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;
    @Option(names = "--queue", paramLabel = "KEY", description = "Only this queue (next-hop key, or server\\key).")
    String queue;
    @Option(names = "--sender", paramLabel = "ADDRESS", description = "Only from this sender (* is a wildcard).")
    String sender;
    @Option(names = "--recipient", paramLabel = "ADDRESS", description = "Only to this recipient (* is a wildcard).")
    String recipient;
    @Option(names = "--status", paramLabel = "STATUS", description = "Ready, Retry, Suspended or PendingRemove.")
    String status;
    @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
        description = "Show at most N (1-1000, default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      MessageQuery query;
      try {
        query = new MessageQuery(queue, sender, recipient, status, limit, null);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(e.getMessage().replace("status must", "--status must").replace("limit must",
            "--limit must"));
      }
      JsonObject page = MessageJson.page(snapshot(kafka), query);
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-38s %-32s %-13s %9s %-28s %-4s %-24s %10s %-24s %s%n";
      out.printf(format, "Identity", "FromAddress", "Status", "Size (KB)", "MessageSourceName", "SCL", "DateReceived",
          "RetryCount", "ExpirationTime", "LastError");
      for (Object o : page.getJsonArray("messages")) {
        JsonObject m = (JsonObject) o;
        out.printf(format, m.getString("id"), orDash(m.getString("sender")), m.getString("status"),
            String.format("%.1f", m.getLong("size") / 1024.0), orDash(m.getString("messageSourceName")), "-",
            m.getString("dateReceived"), m.getInteger("retryCount"), m.getString("expirationTime"),
            orDash(m.getString("lastError")));
      }
      int shown = page.getJsonArray("messages").size();
      out.println(shown + " of " + page.getInteger("total") + " message(s)"
          + (shown < page.getInteger("total") ? " (--limit shows more)" : ""));
      out.flush();
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Get-Message | Format-List: one copy with its recipients, envelope, headers and tracking events.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;
    @Parameters(paramLabel = "ID", description = "The message identity (internal message id) `message list` shows.")
    String id;

    @Override
    public Integer call() {
      MessageIndex.Snapshot s = snapshot(kafka);
      MessageIndex.Copy copy = s.copy(id);
      if (copy == null) {
        throw new CliFailure(MessageActions.unknown(s, id));
      }
      JsonObject m;
      try {
        m = MessageJson.detail(kafka.bootstrap, s, copy, kafka.timeout());
      } catch (KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("Identity", m.getString("id"));
      fields.put("Queue", m.getString("queue"));
      fields.put("NetworkMessageId", m.getString("networkMessageId"));
      fields.put("FromAddress", m.getString("sender"));
      fields.put("Status", m.getString("status"));
      fields.put("Size", m.getLong("size") + " B");
      fields.put("Subject", m.getString("subject"));
      fields.put("MessageSourceName", m.getString("messageSourceName"));
      fields.put("DateReceived", m.getString("dateReceived"));
      fields.put("RetryCount", m.getInteger("retryCount"));
      fields.put("ExpirationTime", m.getString("expirationTime"));
      fields.put("LastError", m.getString("lastError"));
      fields.forEach((k, v) -> out.printf("%-18s : %s%n", k, orDash(v)));
      out.println("Recipients         :");
      for (Object o : m.getJsonArray("recipients")) {
        JsonObject r = (JsonObject) o;
        out.printf("  %s  %s  %s%n", r.getString("address"), r.getString("status"), orDash(r.getString("lastReply")));
      }
      out.println("Envelope           :");
      m.getJsonObject("envelope").forEach(e -> {
        if (!(e.getValue() instanceof JsonArray)) {
          out.printf("  %-16s %s%n", e.getKey(), orDash(e.getValue()));
        }
      });
      out.println("Headers            :");
      for (Object o : m.getJsonArray("headers")) {
        JsonObject h = (JsonObject) o;
        out.printf("  %s: %s%n", h.getString("name"), h.getString("value"));
      }
      out.println("TrackingEvents     :");
      for (Object o : m.getJsonArray("trackingEvents")) {
        JsonObject e = (JsonObject) o;
        out.printf("  %s %-12s %-10s %s %s%n", e.getString("dateTime"), e.getString("source"), e.getString("eventId"),
            String.join(",", e.getJsonArray("recipients").stream().map(Object::toString).toList()),
            orDash(e.getString("sourceContext")));
      }
      out.flush();
      return 0;
    }
  }

  /** A command that writes one MESSAGE control record (MessageActions, shared with the admin API). */
  abstract static class Action implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;
    @Parameters(paramLabel = "ID", description = "The message identity (internal message id) `message list` shows.")
    String id;
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept with the setting.")
    String reason;

    private final MessageActions.Action action;
    private final String done;

    Action(MessageActions.Action action, String done) {
      this.action = action;
      this.done = done;
    }

    boolean withNdr() {
      return false;
    }

    @Override
    public Integer call() {
      ControlRecord record;
      try {
        record = MessageActions.applyTo(kafka.bootstrap, snapshot(kafka), action, id, reason, withNdr(),
            new QueueActions.Actor(KafkaOption.who(), "cli", null, QueueActions.thisMachine()), kafka.timeout(),
            CLIENT_ID);
      } catch (MessageActions.Unknown | MessageActions.Refused | KafkaUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("message " + id + " " + done + " by " + record.getSetBy() + " (state " + record.getState() + ")"
          + (reason == null ? "" : ": " + reason));
      out.flush();
      return 0;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = "Suspend-Message: held in its queue without attempts until resumed (it still expires).")
  static final class Suspend extends Action {
    Suspend() {
      super(MessageActions.Action.SUSPEND, "suspended");
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume-Message: delivered on its schedule again.")
  static final class Resume extends Action {
    Resume() {
      super(MessageActions.Action.RESUME, "resumed");
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Retry-Message: a copy waiting for its retry time goes now.")
  static final class Retry extends Action {
    Retry() {
      super(MessageActions.Action.RETRY, "retried now");
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Remove-Message: every recipient fails with 550 4.3.2 QUEUE.Admin; the sender gets an NDR only "
          + "with --with-ndr.")
  static final class Remove extends Action {
    @Option(names = "--with-ndr", description = "Send the sender a non-delivery report (default: no backscatter).")
    boolean withNdr;

    Remove() {
      super(MessageActions.Action.REMOVE, "removed");
    }

    @Override
    boolean withNdr() {
      return withNdr;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Export-Message: the copy as .eml, to a file or standard output.")
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOption kafka;
    @Parameters(paramLabel = "ID", description = "The message identity (internal message id) `message list` shows.")
    String id;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (default: standard output).")
    Path output;

    @Override
    public Integer call() throws IOException {
      MessageIndex.Snapshot s = snapshot(kafka);
      MessageIndex.Copy copy = s.copy(id);
      if (copy == null) {
        throw new CliFailure(MessageActions.unknown(s, id));
      }
      byte[] eml;
      try {
        eml = MessageDetail.raw(kafka.bootstrap, MessageDetail.item(kafka.bootstrap, copy, kafka.timeout()),
            kafka.timeout());
      } catch (KafkaUnavailableException | BodyUnavailableException e) {
        throw new CliFailure(e.getMessage(), e);
      }
      if (output == null) {
        System.out.write(eml);
        System.out.flush();
      } else {
        Files.write(output, eml);
        spec.commandLine().getOut().println("message " + id + " written to " + output + " (" + eml.length
            + " octets)");
        spec.commandLine().getOut().flush();
      }
      return 0;
    }
  }
}
