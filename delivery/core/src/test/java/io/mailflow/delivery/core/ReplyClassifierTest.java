package io.mailflow.delivery.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import org.junit.jupiter.api.Test;

class ReplyClassifierTest {

  @Test
  void twoHundredsAreDelivered() {
    DeliveryOutcome o = ReplyClassifier.classify("a@x.test", SmtpReply.of(250, "2.1.5", "Recipient OK"));
    assertInstanceOf(DeliveryOutcome.Delivered.class, o);
    assertEquals("250 2.1.5 Recipient OK", o.recipientStatus());
  }

  @Test
  void fourHundredsAreTransient() {
    assertInstanceOf(DeliveryOutcome.Transient.class,
        ReplyClassifier.classify("a@x.test", SmtpReply.of(452, "4.2.2", "Mailbox full")));
  }

  @Test
  void fiveHundredsArePermanent() {
    assertInstanceOf(DeliveryOutcome.Permanent.class,
        ReplyClassifier.classify("a@x.test", SmtpReply.of(550, "5.1.1", "User unknown")));
  }

  @Test
  void aRefusalKeepsTheCommandItAnsweredAndADeliveryHasNone() {
    assertEquals(SmtpCommand.RCPT_TO, ReplyClassifier.classify("a@x.test", SmtpReply.of(550, "5.1.1", "User unknown"),
        SmtpCommand.RCPT_TO).command());
    assertEquals(SmtpCommand.MAIL_FROM, ReplyClassifier.classify("a@x.test", SmtpReply.of(451, "4.7.1", "Later"),
        SmtpCommand.MAIL_FROM).command());
    assertEquals(null, ReplyClassifier.classify("a@x.test", SmtpReply.of(250, "2.0.0", "OK"),
        SmtpCommand.END_OF_DATA).command());
    assertEquals(null, ReplyClassifier.classify("a@x.test", SmtpReply.of(550, "5.1.1", "User unknown")).command());
    assertEquals("in reply to end of DATA command", SmtpCommand.END_OF_DATA.inReplyTo());
  }

  @Test
  void anIntermediateReplyWhereAFinalOneWasDueIsTransient() {
    assertInstanceOf(DeliveryOutcome.Transient.class,
        ReplyClassifier.classify("a@x.test", SmtpReply.of(354, "", "go ahead")));
  }

  @Test
  void everyConnectionFailureIsTransientAndNamesEndpointAndPhase() {
    for (Kind kind : Kind.values()) {
      ConnectionFailure failure = new ConnectionFailure(kind, "127.0.0.1:2525", "RCPT TO", "boom");
      DeliveryOutcome o = ReplyClassifier.classify("a@x.test", failure);
      assertInstanceOf(DeliveryOutcome.Transient.class, o, kind.name());
      assertTrue(o.reply().isTransientNegative(), kind + ": " + o.reply());
      assertTrue(o.recipientStatus().contains("127.0.0.1:2525"), kind + ": " + o.recipientStatus());
      assertTrue(o.recipientStatus().contains("boom"), kind + ": " + o.recipientStatus());
    }
  }

  @Test
  void connectionFailureRepliesReadLikeExchanges() {
    assertEquals("421 4.2.1 Unable to connect to 10.0.0.1:25: Connection refused",
        new ConnectionFailure(Kind.CONNECT_FAILED, "10.0.0.1:25", "connect", "Connection refused").toString());
    assertEquals("421 4.4.2 Connection dropped by 10.0.0.1:25 during DATA body",
        new ConnectionFailure(Kind.DROPPED, "10.0.0.1:25", "DATA body", "").toString());
    assertEquals("451 4.4.0 Primary target IP address responded with: \"554 5.7.1 go away\" during greeting."
            + " The last endpoint attempted was 10.0.0.1:25",
        new ConnectionFailure(Kind.SERVICE_REFUSED, "10.0.0.1:25", "greeting", "554 5.7.1 go away").toString());
  }
}
