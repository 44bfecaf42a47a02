package io.mailflow.delivery.agent;

import io.mailflow.dsn.PythonDsn;
import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delay and success DSNs on the embedded broker (shrunken retry schedule, Exchange's 4 h
 * DelayNotificationTimeout): one delay DSN per copy however often it is retried, Action delivered for the
 * mailbox store and relayed for SMTP when NOTIFY=SUCCESS, none for NOTIFY=NEVER or a replayed copy. The
 * DSNs are read back with Python's email package.
 */
class DeliveryNoticesIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static ScriptedSmtpServer smartHost;
  private static ScriptedSmtpServer dsnAware;
  private static DeliveryRig rig;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("notices-it");
    smartHost = rig.smartHost(new ScriptedSmtpServer.Script()
        .rcpt("slow@fabrikam.test", "451 4.7.1 Try again later")
        .rcpt("slow-too@fabrikam.test", "451 4.7.1 Try again later")
        .rcptOnce("once@fabrikam.test", "451 4.7.1 Greylisted")
        .rcpt("refused@fabrikam.test", "550 5.1.1 User unknown"));
    dsnAware = rig.smartHost(new ScriptedSmtpServer.Script()
        .ehlo(List.of("250-dsn.test Hello", "250-PIPELINING", "250-DSN", "250 ENHANCEDSTATUSCODES"))
        .rcpt("refused@dsn.test", "550 5.1.1 User unknown"));
    tracking = rig.tracking;
    submissions = rig.submissions;
    rig.start(DeliveryRig.organization(DeliveryRig.connector("Outbound", "fabrikam.test", smartHost),
        DeliveryRig.connector("DsnAware", "dsn.test", dsnAware)), dataDir.resolve("mailstore"),
        FastRetries.options());
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static void publish(DeliveryItem item) throws Exception {
    rig.publish(item);
  }

  private static List<TrackingEvent> awaitEvents(String nmid, String eventId, int count) {
    return tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId), count, WAIT);
  }

  private static boolean about(SubmittedMessage m, String nmid, String subjectPrefix) {
    return m.getEnvelope().getSubject().startsWith(subjectPrefix)
        && body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>");
  }

  private static ResolvedRecipient notifying(ResolvedRecipient r, DsnNotify... notify) {
    return ResolvedRecipient.newBuilder(r).setNotify(List.of(notify)).build();
  }

  private static ResolvedRecipient mailbox(String address) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.MAILBOX).setMailboxDatabase("DB01").build();
  }

  /** A copy received {@code ago}, one recipient refused for now (451) by the smart host. */
  private static DeliveryItem slow(String nmid, Duration ago, ResolvedRecipient... recipients) {
    return item(nmid, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound",
        Instant.now().minus(ago), recipients);
  }

  /**
   * Published after the copies of a test on the same queue (key, hence partition): once its delay DSN is
   * there, any the earlier copies were due is there too. (Retries are not waited for: the delay topics are
   * shared with other test classes whose copies wait minutes, and each partition is forwarded in order.)
   */
  private static void barrier() throws Exception {
    String control = UUID.randomUUID().toString();
    publish(slow(control, Duration.ofDays(2).minusSeconds(5), external("slow@fabrikam.test", null)));
    submissions.await(m -> about(m, control, "Delivery delayed:"), 1, WAIT);
  }

  @Test
  void aCopyDeferredPastTheDelayThresholdGetsOneDelayDsnNotOnePerRetry() throws Exception {
    String nmid = UUID.randomUUID().toString();
    try (TopicTail<DeliveryItem> retries = new TopicTail<>(SharedKafka.bootstrapServers(), Topics.RETRY_1M)) {
      // received 4 h + long ago (and 30 s before expiry, so its retries end soon with a failure DSN)
      publish(slow(nmid, Duration.ofDays(2).minusSeconds(30),
          notifying(external("slow@fabrikam.test", "rfc822;slow@fabrikam.test"), DsnNotify.DELAY, DsnNotify.FAILURE),
          notifying(external("slow-too@fabrikam.test", null), DsnNotify.FAILURE)));

      SubmittedMessage delay = submissions.await(m -> about(m, nmid, "Delivery delayed:"), 1, WAIT).get(0);
      DeliveryItem deferred = retries.await(i -> nmid.equals(i.getEnvelope().getNetworkMessageId()), 1, WAIT).get(0);
      assertTrue(deferred.getDelayNotified(), "the deferred copy remembers its delay DSN");
      // the retry, as RetryForwarder puts it back on mail.delivery.v1: deferred again, no second delay DSN
      publish(DeliveryItem.newBuilder(deferred).setNotBefore(null).build());
      awaitEvents(nmid, "DEFER", 2);
      barrier();

      assertEquals(1, submissions.matching(m -> about(m, nmid, "Delivery delayed:")).size(),
          "one delay DSN, not one per retry");
      assertEquals("", delay.getEnvelope().getSender());
      assertEquals("alice@contoso.test", delay.getRecipients().get(0).getAddress());
      List<String> parsed = PythonDsn.parse(body(delay).getBytes(UTF_8), dataDir);
      assertEquals(List.of("0", "Delivery delayed: Report " + nmid, "delivery-status", "ENV-" + nmid),
          List.of(PythonDsn.value(parsed, "defects"), PythonDsn.value(parsed, "subject"),
              PythonDsn.value(parsed, "report-type"), PythonDsn.value(parsed, "envelope-id")));
      assertEquals(List.of("recipient rfc822; slow@fabrikam.test | rfc822; slow@fabrikam.test | delayed | 4.7.1 | "
          + "dns; 127.0.0.1 | smtp; 451 4.7.1 Try again later"), PythonDsn.recipients(parsed),
          "only the recipient whose NOTIFY has DELAY is reported");
      TrackingEvent dsnEvent = tracking.await(e -> e.getNetworkMessageId().equals(nmid)
          && e.getEventId().equals("DSN") && delay.getEnvelope().getNetworkMessageId().equals(e.getReference()),
          1, WAIT).get(0);
      assertTrue(dsnEvent.getSourceContext().startsWith("delay notification"), dsnEvent.getSourceContext());
    }
  }

  @Test
  void aCopyDeferredBeforeTheDelayThresholdGetsNoDelayDsn() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(slow(nmid, Duration.ofHours(3).plusMinutes(59),
        notifying(external("once@fabrikam.test", null), DsnNotify.DELAY, DsnNotify.SUCCESS)));
    awaitEvents(nmid, "DEFER", 1);
    barrier();
    assertEquals(List.of(), submissions.matching(m -> about(m, nmid, "Delivery delayed:")));
  }

  @Test
  void notifySuccessForAMailboxRecipientGetsADeliveredDsn() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, "carol@contoso.test", DeliveryType.SmtpDeliveryToMailbox, null, Instant.now(),
        notifying(mailbox("frank@contoso.test"), DsnNotify.SUCCESS), mailbox("grace@contoso.test")));

    SubmittedMessage dsn = submissions.await(m -> about(m, nmid, "Delivered:"), 1, WAIT).get(0);
    assertEquals(List.of("carol@contoso.test"), dsn.getRecipients().stream().map(r -> r.getAddress()).toList());
    List<String> parsed = PythonDsn.parse(body(dsn).getBytes(UTF_8), dataDir);
    assertEquals(List.of("0", "Delivered: Report " + nmid, "delivery-status", "ENV-" + nmid),
        List.of(PythonDsn.value(parsed, "defects"), PythonDsn.value(parsed, "subject"),
            PythonDsn.value(parsed, "report-type"), PythonDsn.value(parsed, "envelope-id")));
    assertEquals(1, PythonDsn.recipients(parsed).size(), "grace gave no NOTIFY (FAILURE,DELAY by default): "
        + "not reported " + parsed);
    assertTrue(PythonDsn.recipients(parsed).get(0).startsWith(
        "recipient rfc822; frank@contoso.test | None | delivered | 2.0.0 | None | "), "no Remote-MTA for the store");
  }

  @Test
  void notifySuccessForASmtpRecipientGetsARelayedDsnNamingTheRemote() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, "dave@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        notifying(external("henry@fabrikam.test", null), DsnNotify.SUCCESS, DsnNotify.FAILURE)));

    SubmittedMessage dsn = submissions.await(m -> about(m, nmid, "Relayed:"), 1, WAIT).get(0);
    List<String> parsed = PythonDsn.parse(body(dsn).getBytes(UTF_8), dataDir);
    assertTrue(PythonDsn.recipients(parsed).get(0).startsWith(
        "recipient rfc822; henry@fabrikam.test | None | relayed | 2.6.0 | dns; 127.0.0.1 | "), parsed.toString());
    assertEquals(List.of("RCPT TO:<henry@fabrikam.test>"), smartHost.commandsStartingWith("RCPT TO:<HENRY@"),
        "no NOTIFY for a server that does not offer DSN");
  }

  @Test
  void aServerOfferingDsnGetsNotifyOrcptRetAndEnvidAndWeSendNoSuccessDsn() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem copy = item(nmid, "gina@contoso.test", DeliveryType.SmartHostConnectorDelivery, "DsnAware",
        Instant.now(), notifying(external("ivy@dsn.test", "rfc822;ivy+2Bx@dsn.test"), DsnNotify.SUCCESS,
            DsnNotify.FAILURE), external("jon@dsn.test", null));
    publish(DeliveryItem.newBuilder(copy).setEnvelope(Envelope.newBuilder(copy.getEnvelope())
        .setDsnRet(io.mailflow.schemas.avro.DsnRet.HDRS).build()).build());
    awaitEvents(nmid, "SEND", 1);
    // the same queue: once the control's failure DSN is there, a success DSN about the first would be too
    String control = UUID.randomUUID().toString();
    publish(item(control, "gina@contoso.test", DeliveryType.SmartHostConnectorDelivery, "DsnAware", Instant.now(),
        external("refused@dsn.test", null)));
    submissions.await(m -> about(m, control, "Undeliverable:"), 1, WAIT);

    assertEquals(List.of(), submissions.matching(m -> body(m).contains(nmid)), "the next hop reports, not us");
    assertTrue(dsnAware.commandsStartingWith("MAIL").stream()
        .anyMatch(c -> c.endsWith(" RET=HDRS ENVID=ENV-" + nmid)), dsnAware.commandsStartingWith("MAIL").toString());
    assertTrue(dsnAware.commandsStartingWith("RCPT").contains(
        "RCPT TO:<ivy@dsn.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;ivy+2Bx@dsn.test"),
        dsnAware.commandsStartingWith("RCPT").toString());
    assertTrue(dsnAware.commandsStartingWith("RCPT").contains("RCPT TO:<jon@dsn.test>"),
        "no NOTIFY given, none passed on: " + dsnAware.commandsStartingWith("RCPT"));
  }

  @Test
  void notifyNeverAndReplayedCopiesGetNoSuccessDsn() throws Exception {
    String never = UUID.randomUUID().toString();
    publish(item(never, "erin@contoso.test", DeliveryType.SmtpDeliveryToMailbox, null, Instant.now(),
        notifying(mailbox("ivan@contoso.test"), DsnNotify.NEVER)));
    String replayed = UUID.randomUUID().toString();
    publish(DeliveryItem.newBuilder(item(replayed, "erin@contoso.test", DeliveryType.SmtpDeliveryToMailbox, null,
            Instant.now(), notifying(mailbox("judy@contoso.test"), DsnNotify.SUCCESS)))
        .setReplayOf("mail.delivery.v1-0@7").build());
    awaitEvents(never, "DELIVER", 1);
    awaitEvents(replayed, "DELIVER", 1);
    // published after both on the same queue: once its notice is there, theirs would be too
    String control = UUID.randomUUID().toString();
    publish(item(control, "erin@contoso.test", DeliveryType.SmtpDeliveryToMailbox, null, Instant.now(),
        notifying(mailbox("kim@contoso.test"), DsnNotify.SUCCESS)));
    submissions.await(m -> about(m, control, "Delivered:"), 1, WAIT);

    assertEquals(List.of(), submissions.matching(m -> body(m).contains(never)));
    assertEquals(List.of(), submissions.matching(m -> body(m).contains(replayed)));
  }

  @Test
  void aMessageReplayedFromTheSubmissionQueueGetsNoDsnWhenItFails() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem copy = item(nmid, "fay@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound",
        Instant.now(), external("refused@fabrikam.test", null));
    // routing's copy of a submission `mailflow replay --topic submission` re-published: the mark is on the envelope
    DeliveryItem marked = DeliveryItem.newBuilder(copy)
        .setEnvelope(Envelope.newBuilder(copy.getEnvelope()).setReplayOf("mail.submission.v1-1@3").build()).build();
    publish(marked);
    awaitEvents(nmid, "FAIL", 1);
    String control = UUID.randomUUID().toString();
    publish(item(control, "fay@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("refused@fabrikam.test", null)));
    submissions.await(m -> about(m, control, "Undeliverable:"), 1, WAIT);

    assertEquals(List.of(), submissions.matching(m -> body(m).contains(nmid)));
  }
}
