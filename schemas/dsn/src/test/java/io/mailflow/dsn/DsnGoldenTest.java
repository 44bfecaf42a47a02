package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.smtp.Ret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden files: src/test/resources/dsn/NN-name.eml (the original) → NN-name.dsn (the whole DSN, stored
 * with LF line ends and compared as CRLF). Run with {@code -Dgolden.update=true} to rewrite the .dsn
 * files after an intended change, then read the diff.
 */
class DsnGoldenTest {

  static final Instant ARRIVED = Instant.parse("2026-11-22T20:00:00Z");
  static final DsnBuilder.Stamp STAMP = new DsnBuilder.Stamp(Instant.parse("2026-11-24T20:00:05Z"),
      "<dsn-0001@EX01.contoso.test>", "mailflow-dsn-fixed");
  static final DsnBuilder BUILDER = new DsnBuilder("EX01.contoso.test", "postmaster@contoso.test");

  @Test
  void failedRecipientWithHeadersReturnedEnvIdAndXtextOrcpt() throws IOException {
    Dsn dsn = BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", "QQ+2B314159", ARRIVED, null, eml("01-failed-headers")),
        List.of(new DsnRecipient("bob@contoso.test", "rfc822;bob+2Bsales@contoso.test", DsnAction.FAILED,
            SmtpReply.of(550, "5.1.1", "RESOLVER.ADR.RecipNotFound; not found"), "mx.contoso.test",
            SmtpCommand.RCPT_TO)),
        STAMP);
    assertGolden("01-failed-headers", dsn);
  }

  @Test
  void expiredAndRefusedRecipientsWithWholeMessageReturned() throws IOException {
    SmtpReply lastError = SmtpReply.of(451, "4.4.0", "Primary target IP address responded with: \"421 4.3.2"
        + " Service not available, closing transmission channel\" Attempted failover to alternate host, but that"
        + " did not succeed.");
    Dsn dsn = BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", null, ARRIVED, Ret.FULL,
            eml("02-expired-full")),
        List.of(
            new DsnRecipient("carol@tailspin.test", null, DsnAction.FAILED,
                DsnGoldenTest.expiredReply(lastError), null),
            new DsnRecipient("dave@tailspin.test", "rfc822;dave@tailspin.test", DsnAction.FAILED,
                SmtpReply.of(552, "5.2.2", "Mailbox full"), "127.0.0.1", SmtpCommand.END_OF_DATA)),
        STAMP);
    assertGolden("02-expired-full", dsn);
  }

  @Test
  void deliveredRecipientForNotifySuccess() throws IOException {
    Dsn dsn = BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", "receipt-1", ARRIVED, Ret.HDRS,
            eml("03-delivered")),
        List.of(new DsnRecipient("erin@contoso.test", "rfc822;erin@contoso.test", DsnAction.DELIVERED,
            SmtpReply.of(250, "2.0.0", "Delivered to mailbox"), null)),
        STAMP);
    assertGolden("03-delivered", dsn);
  }

  @Test
  void nonAsciiSubjectIsEncodedAndEightBitHeadersAreDeclared() throws IOException {
    Dsn dsn = BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", null, ARRIVED, null, eml("04-utf8-subject")),
        List.of(new DsnRecipient("frank@tailspin.test", null, DsnAction.FAILED,
            SmtpReply.of(550, "5.7.1", "Relaying denied"), "mx.tailspin.test", SmtpCommand.MAIL_FROM)),
        STAMP);
    assertGolden("04-utf8-subject", dsn);
  }

  /**
   * The reply delivery's RetrySchedule gives an expired recipient with Exchange's defaults (its wording is
   * delivery's; here it is only a realistic input): 550 with 4.4.7 leading the text.
   */
  static SmtpReply expiredReply(SmtpReply lastError) {
    return SmtpReply.of(550, "", "4.4.7 QUEUE.Expired; message expired after " + java.time.Duration.ofDays(2)
        + (lastError == null ? "" : "; last error: " + lastError.line()));
  }

  static byte[] eml(String name) throws IOException {
    try (InputStream in = DsnGoldenTest.class.getResourceAsStream("/dsn/" + name + ".eml")) {
      if (in == null) {
        throw new IOException("missing test resource /dsn/" + name + ".eml");
      }
      return in.readAllBytes();
    }
  }

  private static void assertGolden(String name, Dsn dsn) throws IOException {
    String got = new String(dsn.content(), StandardCharsets.UTF_8);
    assertFalse(got.replace("\r\n", "").contains("\n") || got.replace("\r\n", "").contains("\r"),
        "every line of a DSN ends in CRLF");
    String gotLf = got.replace("\r\n", "\n");
    Path golden = Path.of("src/test/resources/dsn", name + ".dsn");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, gotLf, StandardCharsets.UTF_8);
    }
    String want = Files.readString(golden, StandardCharsets.UTF_8);
    assertEquals(want, gotLf, "DSN for " + name + ": got (below) differs from want " + golden);
  }
}
