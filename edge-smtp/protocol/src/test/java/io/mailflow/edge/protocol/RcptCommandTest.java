package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.smtp.Notify;
import io.mailflow.smtp.SmtpReply;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RcptCommandTest {

  @Test
  void recipientAcceptedWithExchangeText() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<bob@contoso.com>\r\n");
    assertEquals("250 2.1.5 Recipient OK", probe.lastText());
  }

  @Test
  void rcptWithoutMailIsRefused() {
    SessionProbe probe = SessionProbe.greeted().send("RCPT TO:<bob@contoso.com>\r\n");
    assertEquals("503 5.5.2 Need mail command", probe.lastText());
  }

  @Test
  void policyDenialReachesClientAndRecipientIsNotAdded() {
    SessionProbe probe = SessionProbe.greeted();
    SmtpReply relay = SmtpReply.of(550, "5.7.54", "SMTP; Unable to relay recipient in non-accepted domain");
    probe.onRcpt = r -> r.domain().equals("contoso.com") ? HookResult.ACCEPT : HookResult.deny(relay);
    probe.send("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<x@elsewhere.example>\r\nRCPT TO:<b@contoso.com>\r\n"
        + "DATA\r\nx\r\n.\r\n");
    assertEquals(List.of(250, 550, 250, 354, 250), probe.codes());
    assertEquals(List.of(RcptTo.of("b@contoso.com")), probe.messages.get(0).envelope().recipients());
  }

  @Test
  void softDenialIsTransient() {
    SessionProbe probe = SessionProbe.greeted();
    probe.onRcpt = r -> HookResult.denySoft(SmtpReply.of(451, "4.7.0", "Try later"));
    probe.send("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<b@contoso.com>\r\n");
    assertEquals("451 4.7.0 Try later", probe.lastText());
  }

  @Test
  void recipientsOverLimitGetTooManyRecipients() {
    SessionProbe probe = SessionProbe.greeted(SessionProbe.CONFIG.withMaxRecipients(2)).send(
        "MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<b1@contoso.com>\r\nRCPT TO:<b2@contoso.com>\r\n"
            + "RCPT TO:<b3@contoso.com>\r\nDATA\r\nx\r\n.\r\n");
    assertEquals(List.of(250, 250, 250, 452, 354, 250), probe.codes());
    assertEquals("452 4.5.3 Too many recipients", probe.texts().get(3));
    assertEquals(2, probe.messages.get(0).envelope().recipients().size());
  }

  @Test
  void dsnParametersReachTheEnvelope() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@fabrikam.com>\r\n"
        + "RCPT TO:<b@contoso.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+40contoso.com\r\nDATA\r\nx\r\n.\r\n");
    RcptTo rcpt = probe.messages.get(0).envelope().recipients().get(0);
    assertEquals(new RcptTo("b@contoso.com", Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;b+40contoso.com"), rcpt);
  }

  @Test
  void nullRecipientIsInvalidAddress() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<>\r\n");
    assertEquals("501 5.1.3 Invalid address", probe.lastText());
  }

  @Test
  void barePostmasterIsAccepted() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<Postmaster>\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void nonAsciiRecipientNeedsSmtpUtf8OnMail() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<zoë@contoso.com>\r\n");
    assertEquals(553, probe.last().code());
    probe.send("RSET\r\nMAIL FROM:<a@fabrikam.com> SMTPUTF8\r\nRCPT TO:<zoë@contoso.com>\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void hookSeesRecipientsAcceptedSoFar() {
    SessionProbe probe = SessionProbe.greeted();
    List<Integer> seen = new java.util.ArrayList<>();
    SessionHooks counting = new SessionHooks() {
      @Override
      public HookResult rcptTo(SessionInfo s, MailFrom from, List<RcptTo> accepted, RcptTo rcpt) {
        seen.add(accepted.size());
        return HookResult.ACCEPT;
      }

      @Override
      public java.util.concurrent.CompletionStage<SmtpReply> message(ReceivedMessage m) {
        throw new AssertionError();
      }
    };
    SmtpSession session = new SmtpSession(SessionProbe.CONFIG, counting, probe, probe.session.info(), Runnable::run);
    session.start();
    session.feed("EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@y.example>\r\nRCPT TO:<z@y.example>\r\n"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(List.of(0, 1), seen);
  }
}
