package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.smtp.SmtpReply;
import io.mailflow.smtp.Ret;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our DSNs read by an independent parser: Python 3's {@code email} package ({@link PythonDsn}), the MIME
 * tree and the delivery-status fields as Python understood them.
 */
class DsnPythonParseTest {

  @TempDir Path dir;

  @Test
  void pythonReadsTheReportAndEveryRecipientField() throws Exception {
    Dsn dsn = DsnGoldenTest.BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", "QQ+2B314159", DsnGoldenTest.ARRIVED, null,
            DsnGoldenTest.eml("02-expired-full")),
        List.of(
            new DsnRecipient("carol@tailspin.test", "rfc822;carol@tailspin.test", DsnAction.FAILED,
                DsnGoldenTest.expiredReply(SmtpReply.of(421, "4.4.2",
                    "Connection dropped due to TimedOut after many many words so that the field is folded")), null),
            new DsnRecipient("dave@tailspin.test", null, DsnAction.FAILED,
                SmtpReply.of(550, "5.1.1", "User unknown"), "mx.tailspin.test")),
        DsnBuilder.Stamp.fresh(DsnGoldenTest.ARRIVED, "EX01.contoso.test"));
    List<String> out = PythonDsn.parse(dsn.content(), dir);
    assertEquals(List.of(
        "defects 0",
        "from postmaster@contoso.test",
        "to alice@fabrikam.test",
        "subject Undeliverable: Lunch on Friday?",
        "auto-submitted auto-replied",
        "report-type delivery-status",
        "types multipart/report text/plain message/delivery-status text/plain text/plain text/plain"
            + " text/rfc822-headers",
        "reporting-mta dns; EX01.contoso.test",
        "envelope-id QQ+314159",
        "recipient rfc822; carol@tailspin.test | rfc822; carol@tailspin.test | failed | 4.4.7 | None | smtp; 550"
            + " 4.4.7 QUEUE.Expired; message expired after PT48H; last error: 421 4.4.2 Connection dropped due to"
            + " TimedOut after many many words so that the field is folded",
        "recipient rfc822; dave@tailspin.test | None | failed | 5.1.1 | dns; mx.tailspin.test | smtp; 550 5.1.1"
            + " User unknown"), out);
  }

  @Test
  void pythonReadsTheWholeReturnedMessageForRetFull() throws Exception {
    Dsn dsn = DsnGoldenTest.BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", null, DsnGoldenTest.ARRIVED, Ret.FULL,
            DsnGoldenTest.eml("04-utf8-subject")),
        List.of(new DsnRecipient("frank@tailspin.test", null, DsnAction.FAILED,
            SmtpReply.of(550, "5.7.1", "Relaying denied"), "mx.tailspin.test")),
        DsnBuilder.Stamp.fresh(DsnGoldenTest.ARRIVED, "EX01.contoso.test"));
    List<String> out = PythonDsn.parse(dsn.content(), dir);
    assertEquals("Undeliverable: Résumé für François", PythonDsn.value(out, "subject"));
    assertEquals("multipart/report text/plain message/delivery-status text/plain text/plain message/rfc822"
        + " text/plain", PythonDsn.value(out, "types"));
    assertEquals("recipient rfc822; frank@tailspin.test | None | failed | 5.7.1 | dns; mx.tailspin.test | smtp;"
        + " 550 5.7.1 Relaying denied", out.get(out.size() - 1));
  }
}
