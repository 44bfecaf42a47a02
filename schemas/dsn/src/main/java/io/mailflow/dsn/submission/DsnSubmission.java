package io.mailflow.dsn.submission;

import io.mailflow.dsn.Dsn;
import io.mailflow.dsn.DsnBuilder;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.OriginalMessage;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.smtp.Notify;
import io.mailflow.smtp.Ret;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * DsnSubmission - builds a report as this server ({@code Reporting-MTA} its {@link Organization#serverFqdn() FQDN}, {@code From:} the
 * postmaster of the default domain) and wraps it into a {@link SubmittedMessage} for mail.submission.v1,
 * from {@code <>} to the original sender, so it flows through categorizer, routing and delivery like any
 * message. Shared by every stage that writes DSNs (delivery's NDRs, the categorizer's), so they read alike;
 * stages call it through {@link DsnReports}, which adds the tracking events.
 */
public final class DsnSubmission {

  /** The receive connector a DSN's envelope names: it was made here, not received. */
  public static final String RECEIVE_CONNECTOR = "mailflow DSN";

  private final Organization organization;
  private final String reportingMta;
  private final DsnBuilder builder;

  public DsnSubmission(Organization organization) {
    this.organization = Objects.requireNonNull(organization, "organization");
    this.reportingMta = organization.serverFqdn();
    this.builder = new DsnBuilder(reportingMta, "postmaster@" + postmasterDomain(organization, reportingMta));
  }

  /** A report and its submission record. */
  public record Submitted(Dsn dsn, SubmittedMessage message) {
    /** The DSN's network message id (the record key on mail.submission.v1). */
    public String networkMessageId() {
      return message.getEnvelope().getNetworkMessageId();
    }
  }

  /** The report builder this server writes with (for callers that submit the record themselves). */
  public DsnBuilder builder() {
    return builder;
  }

  /** The Reporting-MTA: this server's FQDN. */
  public String reportingMta() {
    return reportingMta;
  }

  /**
   * Builds the report and its submission.
   *
   * @param networkMessageId the DSN's own network message id: derive it ({@link ReportKind#networkMessageId})
   *     from what it reports on, so processing the same input twice yields the same id
   * @param now the DSN's Date and received-at
   */
  public Submitted submit(OriginalMessage original, List<DsnRecipient> recipients, String networkMessageId,
      Instant now) {
    Dsn dsn = builder.build(original, recipients,
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
    return new Submitted(dsn, message);
  }

  /** The original's envelope facts a report repeats (sender, ENVID, arrival, RET) and its content. */
  public static OriginalMessage original(Envelope envelope, byte[] content, boolean headersOnly) {
    return new OriginalMessage(envelope.getSender(), envelope.getEnvId(), envelope.getReceivedAt(),
        ret(envelope.getDsnRet()), content, headersOnly);
  }

  /** RFC 3461 RET as the report builder reads it; null stays null (HDRS). */
  public static Ret ret(DsnRet ret) {
    return ret == null ? null : Ret.valueOf(ret.name());
  }

  /**
   * notify - a recipient's NOTIFY from a record (Avro {@code DsnNotify}, mapped by name) as the policy reads
   * it; empty stays empty (the default). The one such mapping: every stage reading a record uses it.
   */
  public static Set<Notify> notify(List<DsnNotify> notify) {
    Set<Notify> set = EnumSet.noneOf(Notify.class);
    for (DsnNotify n : notify) {
      set.add(Notify.valueOf(n.name()));
    }
    return set;
  }

  private static String postmasterDomain(Organization organization, String fqdn) {
    return organization.acceptedDomains().isEmpty() ? fqdn : bareDomain(organization.defaultDomain());
  }

  private static String bareDomain(AcceptedDomain domain) {
    String name = domain.domainName();
    return name.startsWith("*.") ? name.substring(2) : name;
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
