package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.DeliveryItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The settlement's decisions before anything is written: which recipients wait, on which delay topic, until when. */
class SettlementPlanTest {

  private static final RetrySchedule EXCHANGE = TransportRetrySchedule.of(TransportService.defaults());
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final SmtpReply LATER = SmtpReply.of(451, "4.7.1", "greylisted");
  private static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "ok");
  private static final SmtpReply NEVER = SmtpReply.of(550, "5.1.1", "unknown");

  @Test
  void onlyTransientRecipientsWaitAndTheFirstGlitchRetryIsAMinuteOnTheOneMinuteTopic() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out", NOW.minusSeconds(60), 0,
        "a@fabrikam.test", "b@fabrikam.test", "c@fabrikam.test");
    Settlement.Plan plan = plan(copy, attempted(copy, true, new DeliveryOutcome.Delivered("a@fabrikam.test", OK),
        new DeliveryOutcome.Transient("b@fabrikam.test", LATER), new DeliveryOutcome.Permanent("c@fabrikam.test", NEVER)),
        Optional.empty());

    assertEquals(List.of("b@fabrikam.test"), plan.waiting().stream().map(ResolvedRecipient::getAddress).toList());
    assertEquals(1, plan.attempts());
    assertEquals(NOW.plus(Duration.ofMinutes(1)), plan.due());
    assertEquals(Topics.RETRY_1M, plan.delayTopic());
    assertEquals(copyOutcomesOf(copy), plan.outcomes().stream().map(DeliveryOutcome::recipient).toList());
  }

  @Test
  void afterTheGlitchRetriesTheWaitGrowsAndTheTopicWithIt() {
    DeliveryItem fifth = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out", NOW.minusSeconds(600), 4,
        "b@fabrikam.test");
    Settlement.Plan plan = plan(fifth, attempted(fifth, true, new DeliveryOutcome.Transient("b@fabrikam.test", LATER)),
        Optional.empty());
    assertEquals(5, plan.attempts());
    assertEquals(NOW.plus(EXCHANGE.delayAfter(5)), plan.due());
    assertEquals(Topics.RETRY_5M, plan.delayTopic());

    DeliveryItem eleventh = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out",
        NOW.minusSeconds(3600), 10, "b@fabrikam.test");
    assertEquals(Topics.RETRY_15M, plan(eleventh, attempted(eleventh, true,
        new DeliveryOutcome.Transient("b@fabrikam.test", LATER)), Optional.empty()).delayTopic());
  }

  @Test
  void aCopyHeldWithoutAnAttemptKeepsItsCountAndWaitsForTheQueuesRetryWhenThatIsLater() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out", NOW.minusSeconds(60), 2,
        "b@fabrikam.test");
    Instant queueRetry = NOW.plus(Duration.ofMinutes(20));
    Settlement.Plan plan = plan(copy, attempted(copy, false, new DeliveryOutcome.Transient("b@fabrikam.test", LATER)),
        Optional.of(queueRetry));
    assertEquals(2, plan.attempts());
    assertEquals(queueRetry, plan.due());
    assertEquals(Topics.RETRY_15M, plan.delayTopic());

    Settlement.Plan sooner = plan(copy, attempted(copy, false, new DeliveryOutcome.Transient("b@fabrikam.test", LATER)),
        Optional.of(NOW.plusSeconds(5)));
    assertEquals(NOW.plus(Duration.ofMinutes(1)), sooner.due(), "its own retry is later than the queue's");
  }

  @Test
  void aCopyThatNeverGotAnAttemptWaitsAsIfItHadOne() {
    DeliveryItem copy = item(DeliveryType.SmtpDeliveryToMailbox, "DB01", null, NOW.minusSeconds(60), 0,
        "b@contoso.test");
    Settlement.Plan plan = plan(copy, attempted(copy, false, new DeliveryOutcome.Transient("b@contoso.test", LATER)),
        Optional.empty());
    assertEquals(0, plan.attempts());
    assertEquals(NOW.plus(EXCHANGE.delayAfter(1)), plan.due());
  }

  @Test
  void onceTheMessageExpiredTransientRecipientsFailWithFourFourSevenAndNothingWaits() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out",
        NOW.minus(Duration.ofDays(2)), 30, "a@fabrikam.test", "b@fabrikam.test");
    Settlement.Plan plan = plan(copy, attempted(copy, true, new DeliveryOutcome.Delivered("a@fabrikam.test", OK),
        new DeliveryOutcome.Transient("b@fabrikam.test", LATER)), Optional.empty());

    assertFalse(plan.deferred());
    assertNull(plan.delayTopic());
    assertInstanceOf(DeliveryOutcome.Delivered.class, plan.outcomes().get(0));
    DeliveryOutcome expired = plan.outcomes().get(1);
    assertInstanceOf(DeliveryOutcome.Permanent.class, expired);
    assertEquals("550 4.4.7 QUEUE.Expired; message expired [Message=451 4.7.1 greylisted]",
        expired.recipientStatus());
  }

  @Test
  void aCopyComesBackWhenItsDelayDsnIsDueIfThatIsBeforeItsNextRetry() {
    // received 3 h 50 min ago, eleventh attempt: MessageRetryInterval (15 min) would pass the 4 h DelayNotificationTimeout
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out",
        NOW.minus(Duration.ofMinutes(230)), 10, "b@fabrikam.test");
    Settlement.Plan plan = plan(copy, attempted(copy, true, new DeliveryOutcome.Transient("b@fabrikam.test", LATER)),
        Optional.empty());
    assertEquals(NOW.plus(Duration.ofMinutes(10)), plan.due(), "received at + 4 h, not now + 15 min");
    assertEquals(Topics.RETRY_5M, plan.delayTopic(), "the topic of the shorter wait");

    Settlement.Plan held = plan(copy, attempted(copy, false, new DeliveryOutcome.Transient("b@fabrikam.test", LATER)),
        Optional.of(NOW.plus(Duration.ofHours(1))));
    assertEquals(NOW.plus(Duration.ofMinutes(10)), held.due(), "a queue in Retry does not hold back the delay DSN");

    DeliveryItem notified = DeliveryItem.newBuilder(copy).setDelayNotified(true).build();
    assertEquals(NOW.plus(Duration.ofMinutes(15)), plan(notified, attempted(notified, true,
        new DeliveryOutcome.Transient("b@fabrikam.test", LATER)), Optional.empty()).due(), "one delay DSN per copy");
  }

  @Test
  void anExpiredRecipientKeepsTheCommandItsLastErrorAnswered() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out",
        NOW.minus(Duration.ofDays(2)), 30, "b@fabrikam.test");
    Settlement.Plan plan = plan(copy, attempted(copy, true,
        new DeliveryOutcome.Transient("b@fabrikam.test", LATER, SmtpCommand.RCPT_TO)), Optional.empty());
    assertEquals(SmtpCommand.RCPT_TO, plan.outcomes().get(0).command());
  }

  @Test
  void nothingTransientNothingWaits() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out", NOW, 0,
        "a@fabrikam.test");
    Settlement.Plan plan = plan(copy, attempted(copy, true, new DeliveryOutcome.Delivered("a@fabrikam.test", OK)),
        Optional.of(NOW.plusSeconds(600)));
    assertFalse(plan.deferred());
    assertNull(plan.due());
    assertTrue(plan.waiting().isEmpty());
  }

  private static Settlement.Plan plan(DeliveryItem item, Attempted attempted, Optional<Instant> queueRetry) {
    return Settlement.Plan.of(EXCHANGE, queueRetry, item, attempted, NOW);
  }

  private static Attempted attempted(DeliveryItem item, boolean attempted, DeliveryOutcome... outcomes) {
    SourceContext context = SourceContext.attempt(item.getAttempt(), "key");
    return Attempted.of(DeliveryTracking.SMTP, "Out", "192.0.2.1", attempted ? context : context.queued(),
        List.of(outcomes));
  }

  private static List<String> copyOutcomesOf(DeliveryItem item) {
    return item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList();
  }
}
