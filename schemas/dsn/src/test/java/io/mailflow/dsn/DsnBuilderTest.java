package io.mailflow.dsn;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.smtp.Ret;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsnBuilderTest {

  private static final Instant NOW = Instant.parse("2026-11-24T20:00:05Z");
  private static final byte[] MESSAGE = "From: a@x.test\r\nSubject: Hi\r\n\r\nbody\r\n".getBytes(UTF_8);
  private static final DsnRecipient REFUSED = new DsnRecipient("bob@x.test", null, DsnAction.FAILED,
      SmtpReply.of(550, "5.1.1", "User unknown"), "mx.x.test");

  private static String build(OriginalMessage original, DsnRecipient... recipients) {
    return new String(DsnGoldenTest.BUILDER.build(original, List.of(recipients), DsnGoldenTest.STAMP).content(),
        UTF_8);
  }

  private static OriginalMessage original(String sender, byte[] content) {
    return new OriginalMessage(sender, null, DsnGoldenTest.ARRIVED, null, content);
  }

  @Test
  void aMessageFromTheNullSenderGetsNoDsn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> build(original("", MESSAGE), REFUSED));
    assertTrue(e.getMessage().contains("null sender"), e.getMessage());
  }

  @Test
  void aDsnWithoutRecipientsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DsnGoldenTest.BUILDER.build(original("a@x.test", MESSAGE),
        List.of(), DsnGoldenTest.STAMP));
  }

  @Test
  void theDsnIsFromTheNullSenderToTheOriginalSender() {
    Dsn dsn = DsnGoldenTest.BUILDER.build(original("a@x.test", MESSAGE), List.of(REFUSED), DsnGoldenTest.STAMP);
    assertEquals("", dsn.envelopeSender());
    assertEquals("a@x.test", dsn.recipient());
    assertEquals("<dsn-0001@EX01.contoso.test>", dsn.messageId());
    assertEquals("Undeliverable: Hi", dsn.subject());
  }

  @Test
  void statusComesFromTheEnhancedCodeThenTheTextThenTheReplyClass() {
    assertEquals("5.1.1", REFUSED.status());
    assertEquals("4.4.7", new DsnRecipient("b@x.test", null, DsnAction.FAILED,
        SmtpReply.of(550, "", "4.4.7 QUEUE.Expired; message expired"), null).status());
    assertEquals("5.0.0", new DsnRecipient("b@x.test", null, DsnAction.FAILED,
        SmtpReply.of(554, "", "Transaction failed"), null).status());
    assertEquals("2.0.0", new DsnRecipient("b@x.test", null, DsnAction.DELIVERED,
        SmtpReply.of(250, "", "OK"), null).status());
  }

  @Test
  void aRecipientAnAdministratorDeletedIsToldSoWithStatus432LikeExpiry() {
    String dsn = build(original("a@x.test", MESSAGE), new DsnRecipient("b@x.test", null, DsnAction.FAILED,
        SmtpReply.of(550, "", "4.3.2 QUEUE.Admin; message deleted by administrative action"), null));
    assertTrue(dsn.contains("Action: failed\r\nStatus: 4.3.2\r\n"), dsn);
    assertTrue(dsn.replaceAll("\\s+", " ").contains("Your message was deleted by an administrator of your email"
        + " system before it could be delivered (QUEUE.Admin)."), dsn);
  }

  @Test
  void aRelayedRecipientIsReportedWithActionRelayedAndExchangesWording() {
    String dsn = build(original("a@x.test", MESSAGE), new DsnRecipient("b@x.test", null, DsnAction.RELAYED,
        SmtpReply.of(250, "2.6.0", "Queued"), "mx.x.test"));
    assertTrue(dsn.contains("Subject: Relayed: Hi\r\n"), dsn);
    assertTrue(dsn.contains("Delivery to these recipients or groups is complete, but no delivery notification was"
        + " sent by the destination server:"), dsn);
    assertTrue(dsn.contains("Action: relayed\r\nStatus: 2.6.0\r\nRemote-MTA: dns; mx.x.test\r\n"), dsn);
  }

  @Test
  void aDelayedRecipientIsReportedAsDelayedWithTheRetryPromise() {
    String dsn = build(original("a@x.test", MESSAGE), new DsnRecipient("b@x.test", null, DsnAction.DELAYED,
        SmtpReply.of(451, "4.4.0", "Queue in Retry"), null));
    assertTrue(dsn.contains("Subject: Delivery delayed: Hi\r\n"), dsn);
    assertTrue(dsn.contains("This message hasn't been delivered yet."), dsn);
    assertTrue(dsn.contains("Action: delayed\r\nStatus: 4.4.0\r\n"), dsn);
  }

  @Test
  void aDelayReportSaysHowMuchLongerDeliveryIsTriedInExchangesWords() {
    // the stamp is 2 days and 5 s after arrival; tried until 3 days 19 h 58 min after arrival
    OriginalMessage original = original("a@x.test", MESSAGE).withRetryUntil(DsnGoldenTest.ARRIVED
        .plus(Duration.ofDays(3).plusHours(19).plusMinutes(58)));
    String dsn = build(original, new DsnRecipient("b@x.test", null, DsnAction.DELAYED,
        SmtpReply.of(451, "4.7.1", "Try again later"), "mx.x.test", SmtpCommand.RCPT_TO));
    assertTrue(dsn.replaceAll("\\s+", " ").contains("This message hasn't been delivered yet. Delivery will continue to"
        + " be attempted. The server will keep trying to deliver this message for the next 1 days, 19 hours and 57"
        + " minutes. You'll be notified if the message can't be delivered by that time."), dsn);
    assertTrue(dsn.contains("returned '451 4.7.1 Try again later'\r\n(in reply to RCPT TO command)\r\n"), dsn);
    assertFalse(build(original("a@x.test", MESSAGE).withRetryUntil(DsnGoldenTest.ARRIVED.plusSeconds(1)), REFUSED)
        .contains("keep trying"), "a non-delivery report promises nothing");
  }

  @Test
  void injectedLineBreaksInRepliesAndAddressesCannotStartNewFields() {
    DsnRecipient sneaky = new DsnRecipient("bob@x.test\r\nBcc: eve@evil.test", null, DsnAction.FAILED,
        SmtpReply.of(550, "5.0.0", "no\r\nAction: delivered"), null);
    String dsn = build(original("a@x.test\r\nBcc: eve@evil.test", "Subject: x\r\n\tBcc: y\r\n\r\n".getBytes(UTF_8)),
        sneaky);
    assertFalse(dsn.contains("\r\nBcc:"), dsn);
    assertFalse(dsn.contains("\r\nAction: delivered"), dsn);
  }

  @Test
  void aLongWordlessDiagnosticStillKeepsLinesUnder998Octets() {
    String word = "x".repeat(3000);
    String dsn = build(original("a@x.test", MESSAGE), new DsnRecipient("b@x.test", null, DsnAction.FAILED,
        SmtpReply.of(550, "5.0.0", word), null));
    for (String line : dsn.split("\r\n")) {
      assertTrue(line.length() <= 998, "line of " + line.length() + " octets");
    }
    // folded, the whole word is still there once unfolded
    assertTrue(dsn.replace("\r\n ", "").replace("\r\n", "").contains(word.substring(0, 990)));
  }

  @Test
  void aMessageWithoutABlankLineIsAllHeadersAndOneStartingWithItsBodyHasNone() {
    String allHeaders = build(original("a@x.test", "Subject: only headers".getBytes(UTF_8)), REFUSED);
    assertTrue(allHeaders.contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: only headers\r\n"), allHeaders);
    assertTrue(allHeaders.contains("Subject: Undeliverable: only headers\r\n"), allHeaders);
    String noHeaders = build(original("a@x.test", "\r\njust a body\r\n".getBytes(UTF_8)), REFUSED);
    assertTrue(noHeaders.contains("Content-Type: text/rfc822-headers\r\n\r\n\r\n--mailflow-dsn-fixed--"), noHeaders);
    assertTrue(noHeaders.contains("Subject: Undeliverable: \r\n"), noHeaders);
  }

  @Test
  void malformedOrcptIsLeftOutAndXtextIsDecoded() {
    String dsn = build(original("a@x.test", MESSAGE),
        new DsnRecipient("b@x.test", "no-semicolon", DsnAction.FAILED, SmtpReply.of(550, "5.1.1", "no"), null),
        new DsnRecipient("c@x.test", "rfc822;c+2Bd+3De@x.test", DsnAction.FAILED, SmtpReply.of(550, "5.1.1", "no"),
            null),
        new DsnRecipient("d@x.test", "rfc822;d+0Ae@x.test", DsnAction.FAILED, SmtpReply.of(550, "5.1.1", "no"),
            null));
    assertFalse(dsn.contains("no-semicolon"));
    assertTrue(dsn.contains("Original-Recipient: rfc822; c+d=e@x.test\r\n"), dsn);
    assertTrue(dsn.contains("Original-Recipient: rfc822; d+0Ae@x.test\r\n"), "a decoded LF stays escaped: " + dsn);
  }

  @Test
  void freshStampsDifferAndAreValid() {
    DsnBuilder.Stamp a = DsnBuilder.Stamp.fresh(NOW, "EX01.contoso.test");
    DsnBuilder.Stamp b = DsnBuilder.Stamp.fresh(NOW, "EX01.contoso.test");
    assertNotEquals(a.messageId(), b.messageId());
    assertNotEquals(a.boundary(), b.boundary());
    assertTrue(a.messageId().endsWith("@EX01.contoso.test>"), a.messageId());
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    IllegalArgumentException mta = assertThrows(IllegalArgumentException.class,
        () -> new DsnBuilder("EX01 contoso", "postmaster@contoso.test"));
    assertTrue(mta.getMessage().contains("reportingMta"), mta.getMessage());
    IllegalArgumentException pm = assertThrows(IllegalArgumentException.class,
        () -> new DsnBuilder("EX01.contoso.test", "postmaster"));
    assertTrue(pm.getMessage().contains("postmaster"), pm.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DsnBuilder("", "postmaster@contoso.test"));
    IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
        () -> new DsnBuilder.Stamp(NOW, "no-brackets@x", "b"));
    assertTrue(id.getMessage().contains("messageId"), id.getMessage());
    IllegalArgumentException boundary = assertThrows(IllegalArgumentException.class,
        () -> new DsnBuilder.Stamp(NOW, "<a@x>", "has space"));
    assertTrue(boundary.getMessage().contains("boundary"), boundary.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DsnBuilder.Stamp(NOW, "<a@x>", "b".repeat(71)));
    assertThrows(IllegalArgumentException.class, () -> new DsnRecipient(" ", null, DsnAction.FAILED,
        SmtpReply.of(550, "5.1.1", "no"), null));
  }

  @Test
  void retFullWithOnlyTheHeadersAtHandReturnsTheHeadersAndSaysSo() {
    byte[] head = "From: a@x.test\r\nSubject: Big\r\n\r\n".getBytes(UTF_8);
    String dsn = build(new OriginalMessage("a@x.test", null, DsnGoldenTest.ARRIVED, Ret.FULL,
        head, true), REFUSED);
    assertTrue(dsn.contains("Content-Type: text/rfc822-headers"), dsn);
    assertFalse(dsn.contains("message/rfc822"), dsn);
    assertTrue(dsn.contains("Subject: Big"), dsn);
    assertTrue(dsn.replace("\r\n", " ").contains("too large to return in full, so only its headers are attached."),
        dsn);
    String full = build(new OriginalMessage("a@x.test", null, DsnGoldenTest.ARRIVED, Ret.FULL,
        MESSAGE), REFUSED);
    assertTrue(full.contains("message/rfc822") && !full.contains("too large to return"), full);
  }
}
