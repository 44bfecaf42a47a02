package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.MessageState;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin's action on one copy (MESSAGE records on mail.control.v1) against a running stage whose every retry
 * waits an hour: a copy waiting on mail.retry.1h.v1 is removed (with or without an NDR), resumed or retried within
 * seconds, not when it is due; a suspended copy makes no connection to a live smart host until resumed.
 */
class MessageControlIT {

  /** Far below the hour every deferred copy waits: an action that took effect within it was released early. */
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static DeliveryStage stage;
  private static ScriptedSmtpServer live;
  private static ScriptedSmtpServer dead;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("message-control-it");
    FastRetries.emptyDelayTopics(rig.bootstrap);
    live = rig.smartHost(new ScriptedSmtpServer.Script());
    dead = rig.smartHost(new ScriptedSmtpServer.Script()
        .greeting("421 4.3.2 Service not available, closing transmission channel"));
    RetrySchedule hourly = new RetrySchedule(4, HOUR, 6, HOUR, HOUR, HOUR, Duration.ofHours(4), Duration.ofDays(2));
    stage = rig.start(DeliveryRig.organization(DeliveryRig.connector("Live", "live.test", live),
            DeliveryRig.connector("Dead", "dead.test", dead)),
        dataDir.resolve("mailstore"), FastRetries.options().withRetrySchedule(hourly));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
      FastRetries.emptyDelayTopics(rig.bootstrap); // copies due in an hour must not hold up later classes
    }
  }

  private static DeliveryItem copy(String nmid, String domain, String connector) {
    return item(nmid, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, connector, Instant.now(),
        external("x@" + domain, "rfc822;x@" + domain));
  }

  private static void act(DeliveryItem copy, MessageState state, String reason) throws Exception {
    String id = copy.getInternalMessageId();
    rig.publisher.send(Topics.CONTROL, ControlView.key(ControlKind.MESSAGE, id), ControlRecord.newBuilder()
        .setKind(ControlKind.MESSAGE).setTarget(id).setState(state.name()).setReason(reason).setSetBy("admin@ops1")
        .setSetAt(Instant.now()).build()).get(10, TimeUnit.SECONDS);
    // in force once the stage's own view of mail.control.v1 has read it (it polls that topic on its own thread):
    // a copy published before then could still be delivered as if no admin had acted
    await().atMost(BOUND).until(() -> stage.control().get(ControlKind.MESSAGE, id)
        .map(r -> r.getState().equals(state.name())).orElse(false));
  }

  private static List<TrackingEvent> events(String nmid, String eventId) {
    return rig.tracking.matching(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId));
  }

  private static TrackingEvent awaitEvent(String nmid, String eventId) {
    try {
      return rig.tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId), 1,
          BOUND).get(0);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // say what did happen to the copy, so a failure on a busy CI host can be read from the report
      throw new AssertionError("no " + eventId + " for " + nmid + " within " + BOUND + "; its events: "
          + rig.tracking.matching(t -> t.getNetworkMessageId().equals(nmid)).stream()
              .map(t -> t.getEventId() + " " + t.getSource() + " " + t.getRecipientStatus() + " ["
                  + t.getSourceContext() + "]").toList(), e);
    }
  }

  private static List<SubmittedMessage> dsnsAbout(String nmid) {
    return rig.submissions.matching(m -> body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>"));
  }

  /** Published to the dead smart host and deferred to mail.retry.1h.v1, due in an hour. */
  private static DeliveryItem waitingForAnHour(String nmid) throws Exception {
    DeliveryItem copy = copy(nmid, "dead.test", "Dead");
    rig.publish(copy);
    TrackingEvent defer = awaitEvent(nmid, "DEFER");
    assertTrue(defer.getSourceContext().contains("deferred to " + Topics.RETRY_1H.name()), defer.getSourceContext());
    return copy;
  }

  @Test
  void aWaitingCopyRemovedWithNdrFailsFromAdminAtOnceAndItsSenderGetsAnNdrNamingTheDeletion() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem copy = waitingForAnHour(nmid);
    int connections = dead.connections();

    act(copy, MessageState.RemovedWithNDR, "spam run");
    TrackingEvent fail = awaitEvent(nmid, "FAIL");
    assertEquals("ADMIN", fail.getSource());
    assertEquals(List.of("x@dead.test"), fail.getRecipientAddress());
    assertEquals(List.of("550 4.3.2 QUEUE.Admin; message deleted by administrative action"),
        fail.getRecipientStatus());
    assertEquals(copy.getInternalMessageId(), fail.getInternalMessageId());
    assertTrue(fail.getSourceContext().startsWith("queued; next hop SmartHostConnectorDelivery:dead.test;"
        + " message deleted by administrative action by admin@ops1: spam run; NDR to the sender; no attempt"),
        fail.getSourceContext());
    assertEquals(connections, dead.connections(), "no delivery attempt");

    SubmittedMessage ndr = rig.submissions.await(m -> body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>"),
        1, BOUND).get(0);
    assertEquals("", ndr.getEnvelope().getSender());
    assertEquals(List.of("alice@contoso.test"), ndr.getRecipients().stream().map(r -> r.getAddress()).toList());
    String text = body(ndr).replace("\r\n ", " "); // unfolded
    assertTrue(text.contains("Final-Recipient: rfc822; x@dead.test\r\nOriginal-Recipient: rfc822; x@dead.test\r\n"
        + "Action: failed\r\nStatus: 4.3.2\r\n"
        + "Diagnostic-Code: smtp; 550 4.3.2 QUEUE.Admin; message deleted by administrative action\r\n"), text);
    assertTrue(text.replaceAll("\\s+", " ").contains("Your message was deleted by an administrator"),
        "the human-readable part says why: " + text);
    assertFalse(text.contains("Remote-MTA"), "no remote server answered: " + text);
    awaitEvent(nmid, "DSN");
  }

  @Test
  void aWaitingCopyRemovedWithoutNdrFailsAndItsSenderHearsNothing() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem copy = waitingForAnHour(nmid);

    act(copy, MessageState.Removed, null);
    TrackingEvent fail = awaitEvent(nmid, "FAIL");
    assertEquals("ADMIN", fail.getSource());
    assertEquals(List.of("550 4.3.2 QUEUE.Admin; message deleted by administrative action"),
        fail.getRecipientStatus());
    assertTrue(fail.getSourceContext().contains("message deleted by administrative action by admin@ops1; no NDR"),
        fail.getSourceContext());

    // a copy removed with an NDR after it gets its NDR; by then this one's would be there too
    String control = UUID.randomUUID().toString();
    act(waitingForAnHour(control), MessageState.RemovedWithNDR, null);
    rig.submissions.await(m -> body(m).contains("In-Reply-To: <" + control + "@contoso.test>"), 1, BOUND);
    assertEquals(List.of(), dsnsAbout(nmid));
    assertEquals(List.of(), events(nmid, "DSN"));
  }

  @Test
  void removedWithNdrKeepsTheUsualRulesNoneForTheNullSenderNotifyNeverOrAReplayedCopy() throws Exception {
    String fromNullSender = UUID.randomUUID().toString();
    String never = UUID.randomUUID().toString();
    String replayed = UUID.randomUUID().toString();
    List<DeliveryItem> copies = List.of(
        item(fromNullSender, "", DeliveryType.SmartHostConnectorDelivery, "Dead", Instant.now(),
            external("x@dead.test", null)),
        item(never, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Dead", Instant.now(),
            ResolvedRecipient.newBuilder(external("x@dead.test", null)).setNotify(List.of(DsnNotify.NEVER)).build()),
        DeliveryItem.newBuilder(copy(replayed, "dead.test", "Dead")).setReplayOf("mail.delivery.v1-0@42").build());
    for (DeliveryItem copy : copies) {
      act(copy, MessageState.RemovedWithNDR, null); // already in force when delivery reaches the copy
      rig.publish(copy);
    }
    for (String nmid : List.of(fromNullSender, never, replayed)) {
      assertEquals("ADMIN", awaitEvent(nmid, "FAIL").getSource());
    }

    // a copy removed with an NDR after them gets its NDR; by then theirs would be there too
    String control = UUID.randomUUID().toString();
    DeliveryItem reported = copy(control, "dead.test", "Dead");
    act(reported, MessageState.RemovedWithNDR, null);
    rig.publish(reported);
    rig.submissions.await(m -> body(m).contains("In-Reply-To: <" + control + "@contoso.test>"), 1, BOUND);
    for (String nmid : List.of(fromNullSender, never, replayed)) {
      assertEquals(List.of(), dsnsAbout(nmid), nmid);
      assertEquals(List.of(), events(nmid, "DSN"), nmid);
      assertTrue(events(nmid, "DEFER").isEmpty(), "no attempt, nothing deferred");
    }
  }

  @Test
  void aSuspendedCopyIsHeldWithoutAConnectionUntilResumed() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem copy = copy(nmid, "live.test", "Live");
    act(copy, MessageState.Suspended, "check the attachment");
    int connections = live.connections();
    rig.publish(copy);

    TrackingEvent defer = awaitEvent(nmid, "DEFER");
    assertEquals(List.of("451 4.4.0 Message suspended by admin@ops1: check the attachment"),
        defer.getRecipientStatus());
    assertTrue(defer.getSourceContext().startsWith("queued; next hop SmartHostConnectorDelivery:live.test;"
        + " message suspended; no attempt; deferred to " + Topics.RETRY_1H.name()), defer.getSourceContext());
    await().during(Duration.ofSeconds(2)).atMost(BOUND).until(() -> events(nmid, "SEND").isEmpty());
    assertEquals(connections, live.connections(), "no connection while suspended");
    assertFalse(live.messages.stream().anyMatch(m -> new String(m, UTF_8).contains(nmid)));

    act(copy, MessageState.Active, null);
    TrackingEvent send = awaitEvent(nmid, "SEND");
    assertTrue(send.getSourceContext().startsWith("attempt 1;"), "held without an attempt: "
        + send.getSourceContext());
    await().atMost(BOUND).until(() -> live.messages.stream().anyMatch(m -> new String(m, UTF_8).contains(nmid)));
  }

  @Test
  void retryDeliversACopyDueInTwoHoursAtOnce() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant due = Instant.now().plus(Duration.ofHours(2));
    DeliveryItem copy = DeliveryItem.newBuilder(copy(nmid, "live.test", "Live")).setAttempt(3).setNotBefore(due)
        .build();
    rig.publisher.send(Topics.RETRY_1H, "SmartHostConnectorDelivery:live.test", copy).get(10, TimeUnit.SECONDS);
    await().during(Duration.ofSeconds(2)).atMost(BOUND).until(() -> events(nmid, "SEND").isEmpty());

    act(copy, MessageState.Retry, null);
    TrackingEvent send = awaitEvent(nmid, "SEND");
    assertTrue(send.getSourceContext().startsWith("attempt 4;"), send.getSourceContext());
    assertTrue(Instant.now().isBefore(due));
  }
}
