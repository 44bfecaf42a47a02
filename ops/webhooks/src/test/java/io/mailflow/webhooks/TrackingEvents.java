package io.mailflow.webhooks;

import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Instant;
import java.util.List;

/** TrackingEvents - tracking events as the stages write them (field by field as delivery and DsnReports set them). */
final class TrackingEvents {
  static final Instant AT = Instant.parse("2026-12-07T21:00:00Z");

  private TrackingEvents() {}

  static TrackingEvent.Builder about(String networkMessageId, String source, String eventId, List<String> recipients,
      List<String> statuses) {
    return TrackingEvent.newBuilder().setDateTime(AT).setServerHostname("EX01").setSource(source).setEventId(eventId)
        .setNetworkMessageId(networkMessageId).setMessageId("<" + networkMessageId + "@contoso.test>")
        .setMessageSubject("Quarterly report").setSenderAddress("alice@contoso.test")
        .setReturnPath("alice@contoso.test").setTotalBytes(2048).setRecipientAddress(recipients)
        .setRecipientStatus(statuses).setRecipientCount(recipients.size());
  }

  static TrackingEvent deliver(String nmid, String recipient) {
    return about(nmid, "STOREDRIVER", "DELIVER", List.of(recipient), List.of("250 2.0.0 delivered"))
        .setConnectorId(null).setSourceContext("attempt 1; next hop SmtpDeliveryToMailbox/db01").build();
  }

  static TrackingEvent sendOut(String nmid, List<String> recipients) {
    return about(nmid, "SMTP", "SEND", recipients, recipients.stream().map(r -> "250 2.0.0 OK queued").toList())
        .setConnectorId("Internet").setServerIp("192.0.2.25")
        .setSourceContext("attempt 1; next hop DnsConnectorDelivery/fabrikam.test; tried 192.0.2.25:25").build();
  }

  static TrackingEvent sendToOtherSite(String nmid, String recipient) {
    return about(nmid, "SMTP", "SEND", List.of(recipient), List.of("250 2.0.0 OK"))
        .setConnectorId(TrackingNotifications.INTRA_ORGANIZATION_CONNECTOR)
        .setSourceContext("attempt 1; next hop SmtpRelayToRemoteAdSite/Site2; servers EX02").build();
  }

  static TrackingEvent defer(String nmid, String recipient) {
    return about(nmid, "SMTP", "DEFER", List.of(recipient), List.of("451 4.4.0 remote busy"))
        .setConnectorId("Internet").setSourceContext("attempt 1; next hop DnsConnectorDelivery/fabrikam.test; "
            + "tried 192.0.2.25:25; deferred to mail.retry.1m.v1 until 2026-12-07T21:01:00Z").build();
  }

  static TrackingEvent fail(String nmid, String recipient) {
    return about(nmid, "SMTP", "FAIL", List.of(recipient), List.of("550 5.1.1 User unknown"))
        .setConnectorId("Internet").setSourceContext("attempt 1; next hop DnsConnectorDelivery/fabrikam.test").build();
  }

  /** The DSN event about the original (DsnReports' aboutOriginal) of a non-delivery report. */
  static TrackingEvent ndrAboutOriginal(String nmid, String recipient) {
    return about(nmid, "DSN", "DSN", List.of(recipient), List.of("550 5.1.1 User unknown"))
        .setReference("dsn-" + nmid).setRelatedRecipientAddress("alice@contoso.test")
        .setSourceContext("non-delivery report <dsn-" + nmid + "@contoso.test> to alice@contoso.test").build();
  }

  /** The DSN event about the report message itself (DsnReports' aboutDsn). */
  static TrackingEvent ndrAboutReport(String nmid) {
    return about("dsn-" + nmid, "DSN", "DSN", List.of("alice@contoso.test"), List.of()).setReference(nmid)
        .setSourceContext("reports bob@fabrikam.test of <" + nmid + "@contoso.test>").build();
  }

  static TrackingEvent delayNotification(String nmid, String recipient) {
    return about(nmid, "DSN", "DSN", List.of(recipient), List.of("delayed 451 4.4.0 remote busy"))
        .setReference("delay-" + nmid).setRelatedRecipientAddress("alice@contoso.test")
        .setSourceContext("delay notification <delay-" + nmid + "@contoso.test> to alice@contoso.test").build();
  }

  static TrackingEvent receive(String nmid) {
    return about(nmid, "SMTP", "RECEIVE", List.of("bob@fabrikam.test"), List.of()).build();
  }

  static TrackingEvent queueState() {
    return TrackingEvent.newBuilder().setDateTime(AT).setServerHostname("EX01").setSource("QUEUE")
        .setEventId("QUEUESTATE").setNetworkMessageId("").build();
  }
}
