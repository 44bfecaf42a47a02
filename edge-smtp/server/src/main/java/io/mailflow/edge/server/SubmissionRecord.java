package io.mailflow.edge.server;

import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.ReceivedMessage;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * SubmissionRecord - turns a message the engine received into the record on mail.submission.v1:
 * envelope (what the edge learned), recipients with their DSN parameters, and the body: inline, or
 * for a message that outgrew the inline limit a {@link BodyReference} to its chunks on mail.bodies.v1.
 */
final class SubmissionRecord {
  private SubmissionRecord() {}

  /** Facts about the message decided by the edge rather than the client. */
  record Stamp(String networkMessageId, Instant receivedAt, String receivingServer, String connectorName,
      String messageIdHeader, String subject) {}

  /**
   * @param body the full message as it will be delivered (trace header included)
   * @param recipientAddress the address each recipient stands for (bare postmaster resolved)
   */
  static SubmittedMessage build(ReceivedMessage message, byte[] body, Stamp stamp,
      Function<RcptTo, String> recipientAddress) {
    return build(message, new InlineBody(ByteBuffer.wrap(body)), body.length, stamp, recipientAddress);
  }

  /** @param body the claim check of a spilled message (its head holds the header section as queued) */
  static SubmittedMessage build(ReceivedMessage message, BodyReference body, Stamp stamp,
      Function<RcptTo, String> recipientAddress) {
    return build(message, body, body.getSize(), stamp, recipientAddress);
  }

  private static SubmittedMessage build(ReceivedMessage message, Object body, long size, Stamp stamp,
      Function<RcptTo, String> recipientAddress) {
    MailFrom from = message.envelope().mailFrom();
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(stamp.networkMessageId())
        .setReceivedAt(stamp.receivedAt())
        .setReceivingServer(stamp.receivingServer())
        .setReceiveConnector(stamp.connectorName())
        .setSessionId(message.session().sessionId())
        .setClientIp(message.session().clientIp())
        .setClientHostname(message.session().heloName())
        .setServerIp(message.session().serverIp())
        .setAuthenticatedAs(message.session().authenticatedAs())
        .setSender(from.reversePath())
        .setMessageIdHeader(stamp.messageIdHeader())
        .setSubject(stamp.subject())
        .setSize(size)
        .setBodyType(bodyType(from))
        .setSmtpUtf8(from.smtpUtf8())
        .setDsnRet(from.ret() == null ? null : DsnRet.valueOf(from.ret().name()))
        .setEnvId(from.envId())
        .build();
    List<Recipient> recipients = message.envelope().recipients().stream()
        .map(r -> Recipient.newBuilder()
            .setAddress(recipientAddress.apply(r))
            .setOrcpt(r.orcpt())
            .setNotify(r.notifyOn().stream().sorted().map(n -> DsnNotify.valueOf(n.name())).toList())
            .build())
        .toList();
    return SubmittedMessage.newBuilder()
        .setEnvelope(envelope)
        .setRecipients(recipients)
        .setBody(body)
        .build();
  }

  private static BodyType bodyType(MailFrom from) {
    return switch (from.bodyType()) {
      case SEVEN_BIT -> BodyType.SEVEN_BIT;
      case EIGHT_BIT_MIME -> BodyType.EIGHT_BIT_MIME;
      case BINARY_MIME -> BodyType.BINARY_MIME;
    };
  }
}
