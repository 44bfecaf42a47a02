package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.dsn.Dsn;
import io.mailflow.delivery.core.dsn.DsnAction;
import io.mailflow.delivery.core.dsn.DsnBuilder;
import io.mailflow.delivery.core.dsn.DsnPolicy;
import io.mailflow.delivery.core.dsn.DsnRecipient;
import io.mailflow.delivery.core.dsn.NotifyOn;
import io.mailflow.delivery.core.dsn.OriginalMessage;
import io.mailflow.kafka.TrackingEvents;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * DsnGenerator - turns the recipients of one copy that failed for good into one non-delivery report
 * (RFC 3464, built by delivery/core's {@link DsnBuilder}) submitted to mail.submission.v1 from
 * {@code <>} to the original sender, so it flows through the pipeline like any message; plus the DSN
 * tracking events that link the two messages.
 *
 * <p>Rules: no DSN about a message from {@code <>}; a recipient is reported only if its NOTIFY allows
 * a failure DSN ({@link DsnPolicy}). The DSN's network message id is derived from the copy and its
 * failed recipients, so a copy processed twice (at-least-once) yields the same id and the mailbox
 * store absorbs the repeat.
 */
final class DsnGenerator {

  /** The receive connector a DSN's envelope names: it was made here, not received. */
  static final String RECEIVE_CONNECTOR = "mailflow DSN";
  static final String SOURCE = "DSN";

  private final Organization organization;
  private final DsnBuilder builder;
  private final String reportingMta;
  private final Clock clock;

  DsnGenerator(Organization organization, Clock clock) {
    this.organization = organization;
    this.reportingMta = serverFqdn(organization);
    this.builder = new DsnBuilder(reportingMta, "postmaster@" + postmasterDomain(organization, reportingMta));
    this.clock = clock;
  }

  /** The DSN submission and its tracking events. */
  record Generated(SubmittedMessage message, List<TrackingEvent> events) {}

  /**
   * The DSN for the recipients of {@code item} whose outcome is {@link DeliveryOutcome.Permanent}, if
   * any of them may be reported.
   *
   * @param outcomes one per recipient of {@code item}, in order
   * @param content the copy as it was delivered (returned as headers, or whole for RET=FULL)
   * @param remoteHost the host that gave the replies, or null when no remote did
   */
  Optional<Generated> forFailures(DeliveryItem item, List<DeliveryOutcome> outcomes, byte[] content,
      String remoteHost) {
    return forFailures(item, outcomes, MessageSource.of(content), remoteHost);
  }

  /**
   * The same for a copy whose content may be claim-checked: then only its head (the header section) is
   * at hand, and RET=FULL returns the headers with a line saying the message was too large to return
   * (RFC 3464 allows headers only). A DSN travels inline, so it never carries a large body back.
   */
  Optional<Generated> forFailures(DeliveryItem item, List<DeliveryOutcome> outcomes, MessageSource content,
      String remoteHost) {
    Envelope original = item.getEnvelope();
    List<DsnRecipient> reported = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      if (!(outcomes.get(i) instanceof DeliveryOutcome.Permanent failed)) {
        continue;
      }
      ResolvedRecipient recipient = item.getRecipients().get(i);
      if (DsnPolicy.allows(original.getSender(), notify(recipient), DsnAction.FAILED)) {
        reported.add(new DsnRecipient(failed.recipient(), recipient.getOrcpt(), DsnAction.FAILED, failed.reply(),
            remoteHost));
      }
    }
    if (reported.isEmpty()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    String networkMessageId = dsnNetworkMessageId(item, reported);
    Dsn dsn = builder.build(
        new OriginalMessage(original.getSender(), original.getEnvId(), original.getReceivedAt(),
            original.getDsnRet() == null ? null : OriginalMessage.Return.valueOf(original.getDsnRet().name()),
            content.head(), !content.inline()),
        reported,
        new DsnBuilder.Stamp(now, "<" + networkMessageId + "@" + reportingMta + ">",
            "mailflow-dsn-" + networkMessageId));
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(networkMessageId)
        .setReceivedAt(now)
        .setReceivingServer(organization.serverName())
        .setReceiveConnector(RECEIVE_CONNECTOR)
        .setSessionId("")
        .setClientIp("")
        .setClientHostname(reportingMta)
        .setSender(dsn.envelopeSender())
        .setMessageIdHeader(dsn.messageId())
        .setSubject(dsn.subject())
        .setSize(dsn.content().length)
        .setBodyType(isAscii(dsn.content()) ? BodyType.SEVEN_BIT : BodyType.EIGHT_BIT_MIME)
        .build();
    SubmittedMessage message = SubmittedMessage.newBuilder()
        .setEnvelope(envelope)
        .setRecipients(List.of(Recipient.newBuilder().setAddress(dsn.recipient()).build()))
        .setBody(new InlineBody(ByteBuffer.wrap(dsn.content())))
        .build();
    List<String> addresses = reported.stream().map(DsnRecipient::finalRecipient).toList();
    List<String> statuses = reported.stream().map(r -> r.reply().toString()).toList();
    // Exchange's report link, both ways: the original names its DSN, the DSN names what it reports on.
    TrackingEvent aboutOriginal = TrackingEvents.about(original, organization.serverName(), SOURCE, "DSN",
            addresses, statuses)
        .setInternalMessageId(item.getInternalMessageId())
        .setReference(networkMessageId)
        .setRelatedRecipientAddress(original.getSender())
        .setSourceContext("non-delivery report " + dsn.messageId() + " to " + original.getSender())
        .build();
    TrackingEvent aboutDsn = TrackingEvents.about(envelope, organization.serverName(), SOURCE, "DSN",
            List.of(dsn.recipient()), List.of())
        .setReference(original.getNetworkMessageId())
        .setSourceContext("reports " + String.join(", ", addresses) + " of " + original.getMessageIdHeader())
        .build();
    return Optional.of(new Generated(message, List.of(aboutOriginal, aboutDsn)));
  }

  /**
   * A delay or success notice ({@link DeliveryNotices} picks the recipients and their actions): the same
   * report, envelope and two-way tracking link as a non-delivery report. Its network message id is derived
   * from the copy, {@code kind} and the recipients, so a copy processed twice yields the same id.
   *
   * @param reported the recipients to report, each with its action (delayed, delivered, relayed)
   * @param kind what the notice is, for the id and the tracking text: "delay notification", "delivery report"
   */
  Optional<Generated> forNotice(DeliveryItem item, List<DsnRecipient> reported, MessageSource content, String kind) {
    if (reported.isEmpty()) {
      return Optional.empty();
    }
    Envelope original = item.getEnvelope();
    Instant now = clock.instant();
    StringBuilder name = new StringBuilder(kind).append(':').append(item.getInternalMessageId());
    reported.forEach(r -> name.append(':').append(r.finalRecipient()));
    String networkMessageId = UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8)).toString();
    Dsn dsn = builder.build(
        new OriginalMessage(original.getSender(), original.getEnvId(), original.getReceivedAt(),
            original.getDsnRet() == null ? null : OriginalMessage.Return.valueOf(original.getDsnRet().name()),
            content.head(), !content.inline()),
        reported,
        new DsnBuilder.Stamp(now, "<" + networkMessageId + "@" + reportingMta + ">",
            "mailflow-dsn-" + networkMessageId));
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(networkMessageId)
        .setReceivedAt(now)
        .setReceivingServer(organization.serverName())
        .setReceiveConnector(RECEIVE_CONNECTOR)
        .setSessionId("")
        .setClientIp("")
        .setClientHostname(reportingMta)
        .setSender(dsn.envelopeSender())
        .setMessageIdHeader(dsn.messageId())
        .setSubject(dsn.subject())
        .setSize(dsn.content().length)
        .setBodyType(isAscii(dsn.content()) ? BodyType.SEVEN_BIT : BodyType.EIGHT_BIT_MIME)
        .build();
    SubmittedMessage message = SubmittedMessage.newBuilder()
        .setEnvelope(envelope)
        .setRecipients(List.of(Recipient.newBuilder().setAddress(dsn.recipient()).build()))
        .setBody(new InlineBody(ByteBuffer.wrap(dsn.content())))
        .build();
    List<String> addresses = reported.stream().map(DsnRecipient::finalRecipient).toList();
    List<String> statuses = reported.stream().map(r -> r.action().field() + " " + r.reply()).toList();
    TrackingEvent aboutOriginal = TrackingEvents.about(original, organization.serverName(), SOURCE, "DSN",
            addresses, statuses)
        .setInternalMessageId(item.getInternalMessageId())
        .setReference(networkMessageId)
        .setRelatedRecipientAddress(original.getSender())
        .setSourceContext(kind + " " + dsn.messageId() + " to " + original.getSender())
        .build();
    TrackingEvent aboutDsn = TrackingEvents.about(envelope, organization.serverName(), SOURCE, "DSN",
            List.of(dsn.recipient()), List.of())
        .setReference(original.getNetworkMessageId())
        .setSourceContext(kind + " on " + String.join(", ", addresses) + " of " + original.getMessageIdHeader())
        .build();
    return Optional.of(new Generated(message, List.of(aboutOriginal, aboutDsn)));
  }

  /** This server's FQDN: the server name if it has a dot, else the name under the default domain. */
  static String serverFqdn(Organization organization) {
    String name = organization.serverName();
    if (name.contains(".") || organization.acceptedDomains().isEmpty()) {
      return name;
    }
    return name + "." + bareDomain(organization.defaultDomain());
  }

  private static String postmasterDomain(Organization organization, String fqdn) {
    return organization.acceptedDomains().isEmpty() ? fqdn : bareDomain(organization.defaultDomain());
  }

  private static String bareDomain(AcceptedDomain domain) {
    String name = domain.domainName();
    return name.startsWith("*.") ? name.substring(2) : name;
  }

  private static Set<NotifyOn> notify(ResolvedRecipient recipient) {
    Set<NotifyOn> set = EnumSet.noneOf(NotifyOn.class);
    for (DsnNotify n : recipient.getNotify()) {
      set.add(NotifyOn.valueOf(n.name()));
    }
    return set;
  }

  private static String dsnNetworkMessageId(DeliveryItem item, List<DsnRecipient> reported) {
    StringBuilder name = new StringBuilder("dsn:").append(item.getInternalMessageId());
    reported.forEach(r -> name.append(':').append(r.finalRecipient()));
    return UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }
}
