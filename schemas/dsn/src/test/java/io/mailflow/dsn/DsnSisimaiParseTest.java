package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our NDRs read by a bounce processor, Sisimai ({@link SisimaiDsn}): each refused recipient with the reason,
 * status and reply code a mailing list's bounce handling acts on; the human part names the command each
 * refusal answered, one line per recipient.
 */
class DsnSisimaiParseTest {

  @TempDir Path dir;

  @Test
  void sisimaiReadsEachRefusalAndTheHumanPartNamesTheCommand() throws Exception {
    Dsn dsn = DsnGoldenTest.BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", null, DsnGoldenTest.ARRIVED, null,
            DsnGoldenTest.eml("01-failed-headers")),
        List.of(
            new DsnRecipient("bob@tailspin.test", null, DsnAction.FAILED,
                SmtpReply.of(550, "5.1.1", "<bob@tailspin.test>: Recipient address rejected: User unknown"),
                "mx.tailspin.test", SmtpCommand.RCPT_TO),
            new DsnRecipient("carol@tailspin.test", null, DsnAction.FAILED,
                SmtpReply.of(552, "5.2.2", "Mailbox full"), "mx.tailspin.test", SmtpCommand.END_OF_DATA),
            new DsnRecipient("dave@wingtip.test", null, DsnAction.FAILED,
                SmtpReply.of(550, "5.7.1", "Relaying denied"), "mx.wingtip.test", SmtpCommand.MAIL_FROM)),
        DsnBuilder.Stamp.fresh(DsnGoldenTest.ARRIVED, "EX01.contoso.test"));

    String text = new String(dsn.content(), StandardCharsets.UTF_8);
    for (String said : List.of(
        "Remote Server at mx.tailspin.test returned '550 5.1.1 <bob@tailspin.test>:\r\n"
            + "Recipient address rejected: User unknown'\r\n(in reply to RCPT TO command)\r\n",
        "Remote Server at mx.tailspin.test returned '552 5.2.2 Mailbox full'\r\n(in reply to end of DATA command)\r\n",
        "Remote Server at mx.wingtip.test returned '550 5.7.1 Relaying denied'\r\n(in reply to MAIL FROM command)\r\n")) {
      assertTrue(text.contains(said), "want\n" + said + "\ngot\n" + text);
    }

    assertEquals(List.of(
        "bob@tailspin.test | userunknown | 5.1.1 | 550 |  | RFC3464",
        "carol@tailspin.test | mailboxfull | 5.2.2 | 552 |  | RFC3464",
        "dave@wingtip.test | norelaying | 5.7.1 | 550 |  | RFC3464"), SisimaiDsn.parse(dsn.content(), dir),
        "recipient | reason | status | reply code | command (Sisimai reads it from Diagnostic-Code only) | parser");
  }
}
