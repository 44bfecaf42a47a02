package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.BodyType;
import io.mailflow.smtp.Ret;
import io.mailflow.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class MailCommandTest {

  @Test
  void senderAcceptedWithExchangeText() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<alice@fabrikam.com>\r\n");
    assertEquals("250 2.1.0 Sender OK", probe.lastText());
  }

  @Test
  void mailBeforeHelloIsRefused() {
    SessionProbe probe = SessionProbe.started().send("MAIL FROM:<alice@fabrikam.com>\r\n");
    assertEquals("503 5.5.2 Send hello first", probe.lastText());
  }

  @Test
  void secondMailInTransactionIsRefused() {
    SessionProbe probe = SessionProbe.greeted()
        .send("MAIL FROM:<a@fabrikam.com>\r\nMAIL FROM:<b@fabrikam.com>\r\n");
    assertEquals("503 5.5.2 Sender already specified", probe.lastText());
  }

  @Test
  void declaredSizeOverLimitIsRefusedBeforeData() {
    SessionProbe probe = SessionProbe.greeted(SessionProbe.CONFIG.withMaxMessageSize(1000))
        .send("MAIL FROM:<a@fabrikam.com> SIZE=1001\r\n");
    assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", probe.lastText());
  }

  @Test
  void declaredSizeAtLimitIsAccepted() {
    SessionProbe probe = SessionProbe.greeted(SessionProbe.CONFIG.withMaxMessageSize(1000))
        .send("MAIL FROM:<a@fabrikam.com> SIZE=1000\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void parametersReachTheEnvelope() {
    SessionProbe probe = SessionProbe.greeted().send(
        "MAIL FROM:<a@fabrikam.com> SIZE=42 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159\r\n"
            + "RCPT TO:<bob@contoso.com>\r\nDATA\r\nHi\r\n.\r\n");
    MailFrom from = probe.messages.get(0).envelope().mailFrom();
    assertEquals(new MailFrom("a@fabrikam.com", 42, BodyType.EIGHT_BIT_MIME, true, Ret.HDRS, "QQ314159"), from);
  }

  @Test
  void mailHookDenialIsSentAndNoTransactionStarts() {
    SessionProbe probe = SessionProbe.greeted();
    probe.onMail = m -> HookResult.deny(SmtpReply.of(550, "5.7.60", "SMTP; Client does not have permissions to send as this sender"));
    probe.send("MAIL FROM:<ceo@contoso.com>\r\nRCPT TO:<b@contoso.com>\r\n");
    assertEquals(List.of(550, 503), probe.codes());
  }

  @Test
  void malformedSenderIsInvalidAddress() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<not an address>\r\n");
    assertEquals("501 5.1.7 Invalid address", probe.lastText());
  }

  @Test
  void missingFromKeywordIsInvalidArguments() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL <a@b.example>\r\n");
    assertEquals("501 5.5.4 Invalid arguments", probe.lastText());
  }

  @Test
  void unknownParameterIsInvalidArguments() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@b.example> XFOO=1\r\n");
    assertEquals("501 5.5.4 Invalid arguments", probe.lastText());
  }

  @Test
  void parametersAfterHeloAreInvalid() {
    SessionProbe probe = SessionProbe.started().send("HELO c\r\nMAIL FROM:<a@b.example> SIZE=10\r\n");
    assertEquals("501 5.5.4 Invalid arguments", probe.lastText());
  }

  @Test
  void nonAsciiSenderNeedsSmtpUtf8() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<jörg@fabrikam.com>\r\n");
    assertEquals(553, probe.last().code());
    probe.send("MAIL FROM:<jörg@fabrikam.com> SMTPUTF8\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void nullSenderIsAccepted() {
    SessionProbe probe = SessionProbe.greeted()
        .send("MAIL FROM:<>\r\nRCPT TO:<b@contoso.com>\r\nDATA\r\nx\r\n.\r\n");
    assertTrue(probe.messages.get(0).envelope().mailFrom().isNullSender());
  }
}
