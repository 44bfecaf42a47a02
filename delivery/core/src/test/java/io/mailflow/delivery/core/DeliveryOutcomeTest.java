package io.mailflow.delivery.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryOutcomeTest {

  @Test
  void aReplyForTheWholeCopyGivesEveryRecipientTheOutcomeItMeansInOrder() {
    SmtpReply later = SmtpReply.of(451, "4.4.0", "Queue suspended by admin");
    assertEquals(List.of(new DeliveryOutcome.Transient("a@x.test", later), new DeliveryOutcome.Transient("b@x.test", later)),
        DeliveryOutcome.sameFor(List.of("a@x.test", "b@x.test"), later));

    SmtpReply never = SmtpReply.of(550, "5.4.4", "ROUTING.NoNextHop; unable to route");
    assertEquals(List.of(new DeliveryOutcome.Permanent("a@x.test", never)),
        DeliveryOutcome.sameFor(List.of("a@x.test"), never));
  }

  @Test
  void noRecipientsNoOutcomes() {
    assertEquals(List.of(), DeliveryOutcome.sameFor(List.of(), SmtpReply.of(451, "4.4.0", "later")));
  }
}
