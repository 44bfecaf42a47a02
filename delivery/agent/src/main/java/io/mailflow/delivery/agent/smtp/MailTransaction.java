package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.ReplyClassifier;
import io.mailflow.delivery.core.SmtpDataEncoder;
import io.mailflow.delivery.agent.body.ContentStream;
import io.mailflow.smtp.EhloCapabilities;
import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MailTransaction - one message on an open SMTP (or LMTP) session: MAIL FROM, RCPT TO per recipient, DATA, and
 * the reply after the final dot, turned into one {@link DeliveryOutcome} per recipient.
 *
 * <p>Who decides what: the remote's RCPT reply decides a refused recipient; the reply after the final
 * dot decides every accepted one; a refused MAIL FROM decides them all. A session that breaks leaves
 * recipients the remote had not refused transient, with the failure as their reply. Over LMTP each
 * accepted recipient is decided by its own reply after the final dot (RFC 2033), so one message can be
 * delivered to some, deferred for some and refused for others.
 */
final class MailTransaction {

  private final SmtpConnection connection;
  private final SmtpClientOptions options;
  private final EhloCapabilities capabilities;
  private final OutboundMessage message;
  private final List<String> recipients;
  private final SmtpReply[] rcptReplies;
  /** LMTP: the reply after the final dot for each accepted recipient (RFC 2033 4.2), as they arrive. */
  private final SmtpReply[] dataReplies;
  private final int number;
  private boolean transactionStarted;
  private SmtpReply mailReply;
  private boolean clean;
  private SmtpReply finalReply;

  /** {@code number}: which transaction this is on its connection, from 1. */
  MailTransaction(SmtpConnection connection, SmtpClientOptions options, EhloCapabilities capabilities,
      OutboundMessage message, int number) {
    this.connection = connection;
    this.options = options;
    this.capabilities = capabilities;
    this.message = message;
    this.recipients = message.recipients();
    this.rcptReplies = new SmtpReply[recipients.size()];
    this.dataReplies = new SmtpReply[recipients.size()];
    this.number = number;
  }

  /** The result when the session could not be opened (no connection, refused greeting or hello). */
  static SendResult failedBeforeTransaction(String endpoint, EhloCapabilities capabilities, OutboundMessage message,
      ConnectionFailure failure) {
    List<DeliveryOutcome> outcomes = new ArrayList<>();
    for (String recipient : message.recipients()) {
      outcomes.add(ReplyClassifier.classify(recipient, failure));
    }
    return new SendResult(endpoint, capabilities, outcomes, Map.of(), null, failure, false, 0);
  }

  /** Runs the transaction; always succeeds with a result (unless this class has a bug). */
  Future<SendResult> run() {
    return transaction().transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(result(ar.result(), null));
      }
      if (ar.cause() instanceof SessionFailedException failed) {
        clean = false;
        return Future.succeededFuture(result(outcomesAfter(failed.failure()), failed.failure()));
      }
      clean = false;
      return Future.failedFuture(ar.cause());
    });
  }

  /**
   * True when the connection went away under this transaction before the remote said a word about it,
   * or said 421 to MAIL: the server closed a connection we kept idle. Nothing was handed over, so the
   * message goes again on a fresh connection; that is not a failure of the message.
   */
  boolean staleConnection() {
    if (number <= 1 || !transactionStarted) {
      return false;
    }
    // replies come in order: without a reply to MAIL there was none to anything after it either
    return mailReply == null ? !clean : mailReply.code() == 421;
  }

  /** True when the transaction ended in a known state: the connection may take the next one (after RSET). */
  boolean leftConnectionClean() {
    return clean;
  }

  private Future<List<DeliveryOutcome>> transaction() {
    if (capabilities.sizeLimit() > 0 && message.size() > capabilities.sizeLimit()) {
      clean = true;
      return allRecipients(SmtpReply.of(552, "5.3.4", "Message size " + message.size()
          + " exceeds the fixed maximum message size of " + capabilities.sizeLimit() + " announced by "
          + connection.endpoint()), null);
    }
    if (message.eightBit() && !capabilities.eightBitMime()) {
      clean = true;
      return allRecipients(SmtpReply.of(554, "5.6.3", "Conversion required but not supported: 8-bit message and "
          + connection.endpoint() + " does not offer 8BITMIME"), null);
    }
    StringBuilder mailFrom = new StringBuilder("MAIL FROM:<").append(message.sender()).append('>');
    if (capabilities.size()) {
      mailFrom.append(" SIZE=").append(message.size());
    }
    if (message.eightBit()) {
      mailFrom.append(" BODY=8BITMIME");
    }
    if (passesDsnOn()) {
      mailFrom.append(message.dsn().mailParameters()); // RFC 3461: the next hop reports, not us
    }
    transactionStarted = true;
    return options.isPipelining() && capabilities.pipelining()
        ? pipelinedEnvelope(mailFrom.toString())
        : sequentialEnvelope(mailFrom.toString());
  }

  /** RET/ENVID/NOTIFY/ORCPT go out only to a server that offers DSN (RFC 3461 4.1). */
  private boolean passesDsnOn() {
    return message.dsn() != null && capabilities.dsn();
  }

  private Future<SmtpReply> mail(String mailFrom) {
    return connection.command(mailFrom, "MAIL FROM").onSuccess(reply -> mailReply = reply);
  }

  // RFC 2920: MAIL, every RCPT and DATA go out together; the replies come back in the same order.
  private Future<List<DeliveryOutcome>> pipelinedEnvelope(String mailFrom) {
    Future<SmtpReply> mail = mail(mailFrom);
    List<Future<SmtpReply>> rcpts = new ArrayList<>();
    for (int i = 0; i < recipients.size(); i++) {
      rcpts.add(rcpt(i));
    }
    Future<SmtpReply> data = connection.command("DATA", "DATA");
    Future<Void> allRcpts = Future.succeededFuture();
    for (Future<SmtpReply> r : rcpts) {
      allRcpts = allRcpts.compose(v -> r.mapEmpty());
    }
    Future<Void> envelope = allRcpts;
    return mail.compose(m -> envelope.compose(v -> data.compose(d -> afterEnvelope(m, d))));
  }

  private Future<List<DeliveryOutcome>> sequentialEnvelope(String mailFrom) {
    return mail(mailFrom).compose(mail -> {
      if (!mail.isPositive()) {
        return afterEnvelope(mail, null);
      }
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < recipients.size(); i++) {
        int index = i;
        chain = chain.compose(v -> rcpt(index).mapEmpty());
      }
      return chain.compose(v -> anyAccepted()
          ? connection.command("DATA", "DATA").compose(data -> afterEnvelope(mail, data))
          : afterEnvelope(mail, null));
    });
  }

  private Future<SmtpReply> rcpt(int index) {
    String recipient = recipients.get(index);
    String parameters = passesDsnOn() ? message.dsn().rcptParameters(index) : "";
    return connection.command("RCPT TO:<" + recipient + ">" + parameters, "RCPT TO:<" + recipient + ">")
        .onSuccess(reply -> rcptReplies[index] = reply);
  }

  /** Decides the transaction once the envelope replies are in; {@code data} is null if DATA was not sent. */
  private Future<List<DeliveryOutcome>> afterEnvelope(SmtpReply mail, SmtpReply data) {
    if (!mail.isPositive()) {
      finalReply = mail;
      return abandonData(data).compose(v -> allRecipients(mail, SmtpCommand.MAIL_FROM));
    }
    if (!anyAccepted()) {
      return abandonData(data).map(v -> decide(null, null));
    }
    if (!data.isIntermediate()) {
      finalReply = data;
      // a 250 where 354 belongs leaves us unsure what the server thinks comes next: do not reuse
      clean = !data.isPositive();
      SmtpReply decisive = data.isPositive()
          ? new ConnectionFailure(Kind.PROTOCOL_ERROR, connection.endpoint(), "DATA",
              "answered '" + data + "' where 354 belongs").reply()
          : data;
      return Future.succeededFuture(decide(decisive, data.isPositive() ? null : SmtpCommand.DATA));
    }
    Future<SmtpReply> end = connection.readReply("message transfer");
    ContentStream content = message.content().open();
    Promise<Void> sent = Promise.promise();
    transfer(content, new SmtpDataEncoder(), sent);
    return sent.future().transform(transferred -> {
      if (transferred.failed() && !(transferred.cause() instanceof SessionFailedException)) {
        // The body could not be read: no final dot, or a truncated message would be delivered.
        content.close();
        clean = false;
        connection.close();
        return Future.failedFuture(transferred.cause());
      }
      if (transferred.succeeded()) {
        connection.nowAwaiting("the reply after the final dot");
      }
      if (options.isLmtp()) {
        return end.compose(first -> lmtpReplies(first, 0)).map(last -> {
          finalReply = last;
          clean = true;
          return decideEach();
        });
      }
      return end.map(reply -> {
        finalReply = reply;
        clean = true;
        return decide(reply, SmtpCommand.END_OF_DATA);
      });
    });
  }

  /**
   * The DATA stream piece by piece: the next piece is asked for only once the previous one is in the
   * socket's write queue below its high-water mark ({@link SmtpConnection#writeData} waits for drain), and
   * one encoder carries the line state across pieces, so a '.' that starts a line at a piece boundary is
   * stuffed like any other. The final dot goes out only after the source said the message ended intact.
   */
  private void transfer(ContentStream content, SmtpDataEncoder encoder, Promise<Void> sent) {
    content.next().onComplete(piece -> {
      if (piece.failed()) {
        sent.tryFail(piece.cause());
        return;
      }
      byte[] bytes = piece.result();
      connection.writeData(bytes == null ? encoder.finish() : encoder.encode(bytes), "message transfer")
          .onComplete(written -> {
            if (written.failed()) {
              content.close();
              sent.tryFail(written.cause());
            } else if (bytes == null) {
              sent.tryComplete();
            } else {
              transfer(content, encoder, sent);
            }
          });
    });
  }

  /**
   * RFC 2033 4.2: after the final dot an LMTP server answers once for every recipient it accepted, in
   * RCPT order; {@code reply} is the one for the first accepted recipient from {@code from} on.
   */
  private Future<SmtpReply> lmtpReplies(SmtpReply reply, int from) {
    int i = from;
    while (!rcptReplies[i].isPositive()) {
      i++;
    }
    dataReplies[i] = reply;
    for (int next = i + 1; next < recipients.size(); next++) {
      if (rcptReplies[next].isPositive()) {
        int at = next;
        connection.nowAwaiting("the reply after the final dot");
        return connection.readReply("the reply after the final dot for " + recipients.get(next))
            .compose(r -> lmtpReplies(r, at));
      }
    }
    return Future.succeededFuture(reply);
  }

  /** LMTP: refused recipients by their RCPT reply, accepted ones by their own reply after the dot. */
  private List<DeliveryOutcome> decideEach() {
    List<DeliveryOutcome> outcomes = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply rcpt = rcptReplies[i];
      outcomes.add(rcpt.isPositive()
          ? ReplyClassifier.classify(recipients.get(i), dataReplies[i], SmtpCommand.END_OF_DATA)
          : ReplyClassifier.classify(recipients.get(i), rcpt, SmtpCommand.RCPT_TO));
    }
    return outcomes;
  }

  // RFC 2920 3.1: if DATA was accepted although no recipient was, the client sends the lone dot.
  private Future<Void> abandonData(SmtpReply data) {
    if (data == null || !data.isIntermediate()) {
      clean = true;
      return Future.succeededFuture();
    }
    Future<SmtpReply> end = connection.readReply("empty DATA");
    connection.writeData(".\r\n".getBytes(StandardCharsets.US_ASCII), "empty DATA");
    return end.map(r -> {
      clean = true;
      return (Void) null;
    }).recover(e -> Future.succeededFuture());
  }

  private boolean anyAccepted() {
    for (SmtpReply reply : rcptReplies) {
      if (reply != null && reply.isPositive()) {
        return true;
      }
    }
    return false;
  }

  /** Refused recipients by their RCPT reply, accepted ones by {@code decisive}, the answer to {@code command}. */
  private List<DeliveryOutcome> decide(SmtpReply decisive, SmtpCommand command) {
    List<DeliveryOutcome> outcomes = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply rcpt = rcptReplies[i];
      outcomes.add(rcpt.isPositive() ? ReplyClassifier.classify(recipients.get(i), decisive, command)
          : ReplyClassifier.classify(recipients.get(i), rcpt, SmtpCommand.RCPT_TO));
    }
    return outcomes;
  }

  /** Every recipient by {@code reply}, the answer to {@code command} (null: a refusal of our own). */
  private Future<List<DeliveryOutcome>> allRecipients(SmtpReply reply, SmtpCommand command) {
    List<DeliveryOutcome> outcomes = new ArrayList<>(recipients.size());
    for (String recipient : recipients) {
      outcomes.add(ReplyClassifier.classify(recipient, reply, command));
    }
    return Future.succeededFuture(outcomes);
  }

  /** After a broken session: a recipient the remote refused keeps that answer; the rest are transient. */
  private List<DeliveryOutcome> outcomesAfter(ConnectionFailure failure) {
    List<DeliveryOutcome> outcomes = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply rcpt = rcptReplies[i];
      if (dataReplies[i] != null) { // LMTP: this recipient's fate was settled before the break
        outcomes.add(ReplyClassifier.classify(recipients.get(i), dataReplies[i], SmtpCommand.END_OF_DATA));
        continue;
      }
      outcomes.add(rcpt != null && !rcpt.isPositive()
          ? ReplyClassifier.classify(recipients.get(i), rcpt, SmtpCommand.RCPT_TO)
          : ReplyClassifier.classify(recipients.get(i), failure));
    }
    return outcomes;
  }

  private SendResult result(List<DeliveryOutcome> outcomes, ConnectionFailure failure) {
    Map<String, SmtpReply> replies = new LinkedHashMap<>();
    for (int i = 0; i < recipients.size(); i++) {
      if (rcptReplies[i] != null) {
        replies.put(recipients.get(i), rcptReplies[i]);
      }
    }
    return new SendResult(connection.endpoint(), capabilities, outcomes, replies, finalReply, failure,
        transactionStarted, number);
  }
}
