package io.mailflow.categorizer.kafka;

import static org.awaitility.Awaitility.await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.dsn.PythonDsn;
import io.mailflow.categorizer.EnvelopeLimits;
import io.mailflow.categorizer.ResolutionEventId;
import io.mailflow.categorizer.SendAsCheck;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationException;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CategorizerStageIT {
  private static String bootstrap;
  private static CategorizerStage stage;
  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

  @BeforeAll
  static void start() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    stage = CategorizerStage.start(bootstrap, organization(), StageLoop.Options.defaults().withMeters(METERS));
  }

  @AfterAll
  static void stop() {
    stage.close();
  }

  /**
   * The demo with small transport limits (so splitting and 5.5.3 take few recipients), a mail contact, a
   * group reporting to its manager and a mailbox that keeps a copy and forwards.
   */
  private static Organization organization() {
    try {
      return OrganizationLoader.parse(OrganizationLoader.demoYaml()
          .replace("\ngroups:\n", "\ngroups:\n  - { name: Managed, primarySmtpAddress: managed@contoso.test,"
              + " members: [alice@contoso.test], managedBy: [bob@contoso.test], reportToManagerEnabled: true,"
              + " reportToOriginatorEnabled: false }\n")
          .replace("\nmailboxes:\n", "\nmailboxes:\n  - { name: Keeper, primarySmtpAddress: keeper@contoso.test,"
              + " forwardingSmtpAddress: keeper@example.org, deliverToMailboxAndForward: true }\n")
          + "\ntransportConfig: {maxRecipientEnvelopeLimit: 3, expansionSizeLimit: 2}\n"
          + "contacts: [{name: Pat, primarySmtpAddress: pat@contoso.test, externalEmailAddress: pat@fabrikam.test}]\n",
          "demo-with-limits.yaml");
    } catch (OrganizationException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static List<Recipient> recipients(String... addresses) {
    return Arrays.stream(addresses).map(a -> Recipient.newBuilder().setAddress(a).build()).toList();
  }

  private static SubmittedMessage submitted(String networkMessageId, List<Recipient> recipients) {
    return SubmittedMessage.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId(networkMessageId).setReceivedAt(Instant.now())
            .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("s1")
            .setClientIp("127.0.0.1").setClientHostname("client").setSender("carol@example.com").setSize(3)
            .setSubject("hello team").build())
        .setRecipients(recipients)
        .setBody(new InlineBody(ByteBuffer.wrap("hi\n".getBytes())))
        .build();
  }

  @Test
  void groupRecipientBecomesOneCopyWithEveryMemberAndTrackingEvents() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED);
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      Recipient team = Recipient.newBuilder().setAddress("Team@contoso.test").setNotify(List.of(DsnNotify.NEVER))
          .setOrcpt("rfc822;team@contoso.test").build();
      publisher.send(Topics.SUBMISSION, id, submitted(id, List.of(team))).get();

      List<CategorizedMessage> copies =
          categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 1, Duration.ofSeconds(30));
      List<TrackingEvent> events = tracking.await(e -> e.getNetworkMessageId().equals(id), 1, Duration.ofSeconds(30));

      assertEquals(1, copies.size());
      List<ResolvedRecipient> recipients = copies.get(0).getRecipients();
      assertEquals(List.of("alice@contoso.test", "bob@contoso.test"),
          recipients.stream().map(ResolvedRecipient::getAddress).toList());
      assertEquals(RecipientType.MAILBOX, recipients.get(0).getType());
      assertEquals("DB01", recipients.get(0).getMailboxDatabase());
      assertEquals("team@contoso.test", recipients.get(0).getExpandedFrom());
      assertEquals(List.of(DsnNotify.NEVER), recipients.get(1).getNotify(), "NOTIFY carried from the envelope");
      assertEquals("rfc822;team@contoso.test", recipients.get(1).getOrcpt());
      assertEquals("EXPAND", events.get(0).getEventId());
      assertEquals("CATEGORIZER", events.get(0).getSource());
      assertEquals("team@contoso.test", events.get(0).getRelatedRecipientAddress());
      assertEquals("hello team", events.get(0).getMessageSubject());
      assertEquals(copies.get(0).getInternalMessageId(), events.get(0).getInternalMessageId());
    }
  }

  @Test
  void messageWhoseRecipientsAllFailYieldsNoCopyButAFailEvent() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED)) {
      publisher.send(Topics.SUBMISSION, id,
          submitted(id, List.of(Recipient.newBuilder().setAddress("ghost@contoso.test").build()))).get();

      List<TrackingEvent> events = tracking.await(e -> e.getNetworkMessageId().equals(id), 1, Duration.ofSeconds(30));
      assertEquals("FAIL", events.get(0).getEventId());
      assertEquals(List.of("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found"), events.get(0).getRecipientStatus());
      assertEquals(List.of(), categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 1,
          Duration.ofSeconds(2)));
    }
  }

  @Test
  void recipientsBeyondTheExpansionSizeLimitAreSplitIntoCopiesSharingTheNetworkMessageId() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED)) {
      publisher.send(Topics.SUBMISSION, id, submitted(id, recipients("team@contoso.test", "pat@contoso.test"))).get();

      List<CategorizedMessage> copies =
          categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 2, Duration.ofSeconds(30));
      copies = copies.stream().sorted(Comparator.comparing(c -> c.getRecipients().size(), Comparator.reverseOrder()))
          .toList();
      assertEquals(List.of(List.of("alice@contoso.test", "bob@contoso.test"), List.of("pat@fabrikam.test")),
          copies.stream().map(c -> c.getRecipients().stream().map(ResolvedRecipient::getAddress).toList()).toList());
      assertEquals(Set.of(CategorizerStage.internalMessageId(id, 0), CategorizerStage.internalMessageId(id, 1)),
          copies.stream().map(CategorizedMessage::getInternalMessageId).collect(Collectors.toSet()),
          "each copy its own internal id");
    }
  }

  @Test
  void mailContactIsTrackedAsRedirectToItsExternalAddress() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      publisher.send(Topics.SUBMISSION, id, submitted(id, recipients("pat@contoso.test"))).get();

      TrackingEvent redirect = tracking.await(e -> e.getNetworkMessageId().equals(id), 1, Duration.ofSeconds(30)).get(0);
      assertEquals("REDIRECT", redirect.getEventId());
      assertEquals(List.of("pat@fabrikam.test"), redirect.getRecipientAddress());
      assertEquals("pat@contoso.test", redirect.getRelatedRecipientAddress());
    }
  }

  @Test
  void mailboxNamedDirectlyAndThroughAGroupIsDeliveredOnceAndTrackedAsDuplicateExpand() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED);
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      publisher.send(Topics.SUBMISSION, id, submitted(id, recipients("alice@contoso.test", "team@contoso.test")))
          .get();

      List<CategorizedMessage> copies =
          categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 1, Duration.ofSeconds(30));
      TrackingEvent duplicate = tracking.await(e -> e.getNetworkMessageId().equals(id)
          && e.getEventId().equals("DUPLICATEEXPAND"), 1, Duration.ofSeconds(30)).get(0);
      assertEquals(List.of("alice@contoso.test", "bob@contoso.test"),
          copies.get(0).getRecipients().stream().map(ResolvedRecipient::getAddress).toList(), "alice once");
      assertEquals(List.of("alice@contoso.test"), duplicate.getRecipientAddress());
      assertEquals("team@contoso.test", duplicate.getRelatedRecipientAddress());
    }
  }

  @Test
  void metersCountMessagesRecipientsByResultNdrsAndLatency() throws Exception {
    double messages = count("mailflow.categorizer.messages", "outcome", "categorized");
    double resolved = count("mailflow.categorizer.recipients", "result", "resolved");
    double expanded = count("mailflow.categorizer.recipients", "result", "expanded");
    double failed = count("mailflow.categorizer.recipients", "result", "failed");
    double ndrs = count("mailflow.categorizer.dsns", "kind", "NON_DELIVERY");
    long timed = METERS.get("mailflow.categorizer.processing").timer().count();
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test")) {
      publisher.send(Topics.SUBMISSION, id, submitted(id, recipients("team@contoso.test", "ghost@contoso.test"))).get();
    }
    // other tests' NDRs come back through mail.submission.v1 meanwhile: at least this message's counts
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertTrue(count("mailflow.categorizer.messages", "outcome", "categorized") - messages >= 1);
      assertTrue(count("mailflow.categorizer.recipients", "result", "resolved") - resolved >= 2, "alice and bob");
      assertTrue(count("mailflow.categorizer.recipients", "result", "expanded") - expanded >= 2, "team's members");
      assertTrue(count("mailflow.categorizer.recipients", "result", "failed") - failed >= 1, "ghost");
      assertTrue(count("mailflow.categorizer.dsns", "kind", "NON_DELIVERY") - ndrs >= 1, "an NDR for ghost");
      assertTrue(METERS.get("mailflow.categorizer.processing").timer().count() > timed);
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> METERS.getMeters().stream() // the loop's consumer is bound
        .anyMatch(m -> m.getId().getName().startsWith("kafka.consumer.")
            && "categorizer".equals(m.getId().getTag("stage"))));
  }

  private static double count(String name, String... tags) {
    return METERS.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void everyResolutionStepIsTrackedUnderExchangesEventIdOfTheSameName() {
    for (ResolutionEventId id : ResolutionEventId.values()) {
      assertEquals(id.name(), CategorizerStage.trackingEventId(id).name());
    }
  }

  @Test
  void messageOverTheRecipientEnvelopeLimitFailsWith553AndYieldsNoCopy() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED)) {
      publisher.send(Topics.SUBMISSION, id,
          submitted(id, recipients("team@contoso.test", "x@example.org", "y@example.org", "z@example.org"))).get();

      List<TrackingEvent> events = tracking.await(e -> e.getNetworkMessageId().equals(id) && e.getEventId().equals("FAIL"),
          1, Duration.ofSeconds(30));
      assertEquals(List.of("team@contoso.test", "x@example.org", "y@example.org", "z@example.org"),
          events.get(0).getRecipientAddress());
      assertEquals(List.of(EnvelopeLimits.TOO_MANY_RECIPIENTS, EnvelopeLimits.TOO_MANY_RECIPIENTS,
          EnvelopeLimits.TOO_MANY_RECIPIENTS, EnvelopeLimits.TOO_MANY_RECIPIENTS), events.get(0).getRecipientStatus());
      assertEquals(List.of(), categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 1,
          Duration.ofSeconds(2)));
    }
  }

  @Test
  void managerReportsAndKeptForwardingCopiesAreBifurcatedWithTheirOwnEnvelopeAndInternalIds() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED)) {
      publisher.send(Topics.SUBMISSION, id, submitted(id, recipients("managed@contoso.test", "keeper@contoso.test")))
          .get();

      List<CategorizedMessage> copies =
          categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 3, Duration.ofSeconds(30));
      assertEquals(3, copies.size());
      java.util.Map<String, String> senderByRecipient = copies.stream().collect(Collectors.toMap(
          c -> c.getRecipients().stream().map(ResolvedRecipient::getAddress).collect(Collectors.joining(",")),
          c -> c.getEnvelope().getSender()));
      assertEquals(java.util.Map.of("alice@contoso.test", "bob@contoso.test",
              "keeper@contoso.test", "carol@example.com", "keeper@example.org", "carol@example.com"),
          senderByRecipient, "reports for the managed group go to its manager; forwarding keeps the sender");
      assertEquals(Set.of(CategorizerStage.internalMessageId(id, 0), CategorizerStage.internalMessageId(id, 1),
              CategorizerStage.internalMessageId(id, 2)),
          copies.stream().map(CategorizedMessage::getInternalMessageId).collect(Collectors.toSet()));
    }
  }

  @Test
  void authenticatedSubmissionWithAFromItMayNotSendAsFailsEveryRecipientWith5760() throws Exception {
    String id = UUID.randomUUID().toString();
    SubmittedMessage message = submitted(id, recipients("bob@contoso.test", "x@example.org", "BOB@contoso.test"));
    message.getEnvelope().setAuthenticatedAs("alice@contoso.test");
    message.getEnvelope().setReceiveConnector("Client Frontend EX01");
    message.setBody(new InlineBody(ByteBuffer.wrap("From: Bob <bob@contoso.test>\r\n\r\nhi\r\n".getBytes())));
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<CategorizedMessage> categorized = TopicReader.fromEnd(bootstrap, Topics.CATEGORIZED)) {
      publisher.send(Topics.SUBMISSION, id, message).get();

      TrackingEvent fail = tracking.await(e -> e.getNetworkMessageId().equals(id), 1, Duration.ofSeconds(30)).get(0);
      assertEquals("FAIL", fail.getEventId());
      assertEquals(List.of("bob@contoso.test", "x@example.org"), fail.getRecipientAddress());
      assertEquals(List.of(SendAsCheck.DENIED, SendAsCheck.DENIED), fail.getRecipientStatus());
      assertEquals(List.of(), categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(id), 1,
          Duration.ofSeconds(2)));
    }
  }

  @Test
  void theHeaderOfAClaimCheckedBodyIsItsHead() {
    BodyReference reference = BodyReference.newBuilder().setBodyId("b").setChunkCount(1).setSize(10)
        .setHead(ByteBuffer.wrap("From: a@b.test\r\n\r\n".getBytes())).build();
    assertEquals("From: a@b.test\r\n\r\n", new String(CategorizerStage.head(reference)));
    assertEquals("hi\n", new String(CategorizerStage.head(new InlineBody(ByteBuffer.wrap("hi\n".getBytes())))));
  }

  @Test
  void sameSubmissionProcessedTwiceNamesTheSameCopy() {
    assertEquals(CategorizerStage.internalMessageId("n-1", 0), CategorizerStage.internalMessageId("n-1", 0));
  }

  // ---- non-delivery reports (issue 4) ----

  @TempDir java.nio.file.Path dir;

  /** The NDR the categorizer wrote about message {@code id}: found through its DSN tracking event. */
  private static SubmittedMessage ndrAbout(String id, TopicReader<TrackingEvent> tracking,
      TopicReader<SubmittedMessage> submissions) {
    TrackingEvent dsn = tracking.await(e -> e.getNetworkMessageId().equals(id) && e.getEventId().equals("DSN"), 1,
        Duration.ofSeconds(30)).get(0);
    assertEquals("DSN", dsn.getSource());
    return submissions.await(m -> m.getEnvelope().getNetworkMessageId().equals(dsn.getReference()), 1,
        Duration.ofSeconds(30)).get(0);
  }

  /** No DSN event about {@code id} within a while after its FAIL event (the FAIL proves it was processed). */
  private static void assertNoNdr(String id, TopicReader<TrackingEvent> tracking) {
    List<TrackingEvent> events = tracking.await(e -> e.getNetworkMessageId().equals(id), 2, Duration.ofSeconds(3));
    assertEquals("FAIL", events.get(0).getEventId());
    assertEquals(1, events.size(), "no DSN event: " + events);
  }

  private static byte[] content(SubmittedMessage message) {
    ByteBuffer data = ((InlineBody) message.getBody()).getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }

  @Test
  void unknownAuthoritativeRecipientGetsA511NdrFromTheNullSenderThatPythonReads() throws Exception {
    String id = UUID.randomUUID().toString();
    SubmittedMessage message = submitted(id, List.of(
        Recipient.newBuilder().setAddress("ghost@contoso.test").setOrcpt("rfc822;ghost@contoso.test").build(),
        Recipient.newBuilder().setAddress("alice@contoso.test").build()));
    message.setBody(new InlineBody(ByteBuffer.wrap("From: carol@example.com\r\nSubject: hello team\r\n\r\nhi\r\n"
        .getBytes())));
    message.getEnvelope().setEnvId("team-1");
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<SubmittedMessage> submissions = TopicReader.fromEnd(bootstrap, Topics.SUBMISSION)) {
      publisher.send(Topics.SUBMISSION, id, message).get();

      SubmittedMessage ndr = ndrAbout(id, tracking, submissions);
      assertEquals("", ndr.getEnvelope().getSender());
      assertEquals(List.of("carol@example.com"),
          ndr.getRecipients().stream().map(Recipient::getAddress).toList());
      List<String> parsed = PythonDsn.parse(content(ndr), dir);
      assertEquals(List.of(
          "defects 0",
          "from postmaster@contoso.test",
          "to carol@example.com",
          "subject Undeliverable: hello team",
          "auto-submitted auto-replied",
          "report-type delivery-status",
          "types multipart/report text/plain message/delivery-status text/plain text/plain text/rfc822-headers",
          "reporting-mta dns; EX01.contoso.test",
          "envelope-id team-1",
          "recipient rfc822; ghost@contoso.test | rfc822; ghost@contoso.test | failed | 5.1.1 | None | smtp; 550"
              + " 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found"), parsed);
    }
  }

  @Test
  void unknownRecipientWithNotifyNeverGetsNoNdr() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      publisher.send(Topics.SUBMISSION, id, submitted(id, List.of(Recipient.newBuilder()
          .setAddress("ghost@contoso.test").setNotify(List.of(DsnNotify.NEVER)).build()))).get();
      assertNoNdr(id, tracking);
    }
  }

  @Test
  void unknownRecipientOfAMessageFromTheNullSenderGetsNoNdr() throws Exception {
    String id = UUID.randomUUID().toString();
    SubmittedMessage message = submitted(id, recipients("ghost@contoso.test"));
    message.getEnvelope().setSender("");
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      publisher.send(Topics.SUBMISSION, id, message).get();
      assertNoNdr(id, tracking);
    }
  }

  @Test
  void messageOverTheRecipientEnvelopeLimitGetsOne553NdrForEveryEnvelopeRecipient() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<SubmittedMessage> submissions = TopicReader.fromEnd(bootstrap, Topics.SUBMISSION)) {
      publisher.send(Topics.SUBMISSION, id,
          submitted(id, recipients("team@contoso.test", "x@example.org", "y@example.org", "ghost@contoso.test")))
          .get();

      List<String> recipientLines = PythonDsn.parse(content(ndrAbout(id, tracking, submissions)), dir)
          .stream().filter(l -> l.startsWith("recipient ")).toList();
      assertEquals(4, recipientLines.size(), recipientLines.toString());
      assertEquals("recipient rfc822; team@contoso.test | None | failed | 5.5.3 | None | smtp; 550 5.5.3"
          + " RESOLVER.ADR.RecipLimit; too many recipients", recipientLines.get(0));
      assertTrue(recipientLines.stream().allMatch(l -> l.contains("| 5.5.3 |")), "the 5.1.1 is not reported: "
          + "the message failed as a whole");
    }
  }

  @Test
  void sendAsViolationGetsA5760NdrToTheSender() throws Exception {
    String id = UUID.randomUUID().toString();
    SubmittedMessage message = submitted(id, recipients("bob@contoso.test", "x@example.org"));
    message.getEnvelope().setAuthenticatedAs("alice@contoso.test");
    message.getEnvelope().setReceiveConnector("Client Frontend EX01");
    message.setBody(new InlineBody(ByteBuffer.wrap("From: Bob <bob@contoso.test>\r\n\r\nhi\r\n".getBytes())));
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<SubmittedMessage> submissions = TopicReader.fromEnd(bootstrap, Topics.SUBMISSION)) {
      publisher.send(Topics.SUBMISSION, id, message).get();

      SubmittedMessage ndr = ndrAbout(id, tracking, submissions);
      assertEquals("carol@example.com", ndr.getRecipients().get(0).getAddress());
      List<String> parsed = PythonDsn.parse(content(ndr), dir);
      assertEquals(List.of(
          "recipient rfc822; bob@contoso.test | None | failed | 5.7.60 | None | smtp; 550 5.7.60 SMTP; Client does"
              + " not have permissions to send as this sender",
          "recipient rfc822; x@example.org | None | failed | 5.7.60 | None | smtp; 550 5.7.60 SMTP; Client does"
              + " not have permissions to send as this sender"),
          parsed.stream().filter(l -> l.startsWith("recipient ")).toList());
      assertEquals("defects 0", parsed.get(0));
    }
  }

  @Test
  void groupRecipientAskingNotifySuccessGetsAnExpandedDsn() throws Exception {
    String id = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<SubmittedMessage> submissions = TopicReader.fromEnd(bootstrap, Topics.SUBMISSION)) {
      SubmittedMessage message = submitted(id, List.of(Recipient.newBuilder()
          .setAddress("team@contoso.test").setNotify(List.of(DsnNotify.SUCCESS, DsnNotify.FAILURE)).build()));
      message.setBody(new InlineBody(ByteBuffer.wrap("Subject: hello team\r\n\r\nhi\r\n".getBytes())));
      publisher.send(Topics.SUBMISSION, id, message).get();

      List<String> parsed = PythonDsn.parse(content(ndrAbout(id, tracking, submissions)), dir);
      assertEquals("subject Expanded: hello team", parsed.get(3));
      assertEquals(List.of("recipient rfc822; team@contoso.test | None | expanded | 2.1.5 | None | smtp; 250 2.1.5"
          + " RESOLVER.GRP.Expanded; distribution list expanded"),
          parsed.stream().filter(l -> l.startsWith("recipient ")).toList());
    }
  }
}
