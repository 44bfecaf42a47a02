package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our DSNs read by an independent parser: Python 3's {@code email} package. Skipped when python3 is not
 * installed. The script prints the MIME tree and the delivery-status fields as Python understood them.
 */
class DsnPythonParseTest {

  private static final String SCRIPT = String.join("\n",
      "import sys, email, email.policy",
      "msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)",
      "print('defects', len(msg.defects) + sum(len(p.defects) for p in msg.walk()))",
      "print('subject', msg['Subject'])",
      "print('to', msg['To'])",
      "print('auto-submitted', msg['Auto-Submitted'])",
      "print('report-type', msg.get_param('report-type'))",
      "for part in msg.walk():",
      "    print('type', part.get_content_type())",
      "status = next(p for p in msg.walk() if p.get_content_type() == 'message/delivery-status')",
      "blocks = status.get_payload()",
      "print('reporting-mta', blocks[0]['Reporting-MTA'])",
      "print('envelope-id', blocks[0]['Original-Envelope-Id'])",
      "for b in blocks[1:]:",
      "    print('recipient', ' | '.join(' '.join(str(b[f]).split()) for f in",
      "          ('Final-Recipient', 'Original-Recipient', 'Action', 'Status', 'Remote-MTA', 'Diagnostic-Code')))",
      "");

  @TempDir Path dir;

  @Test
  void pythonReadsTheReportAndEveryRecipientField() throws Exception {
    Dsn dsn = DsnGoldenTest.BUILDER.build(
        new OriginalMessage("alice@fabrikam.test", "QQ+2B314159", DsnGoldenTest.ARRIVED, null,
            DsnGoldenTest.eml("02-expired-full")),
        List.of(
            new DsnRecipient("carol@tailspin.test", "rfc822;carol@tailspin.test", DsnAction.FAILED,
                DsnGoldenTest.expiredReply(DiagnosticReply.of(421, "4.4.2",
                    "Connection dropped due to TimedOut after many many words so that the field is folded")), null),
            new DsnRecipient("dave@tailspin.test", null, DsnAction.FAILED,
                DiagnosticReply.of(550, "5.1.1", "User unknown"), "mx.tailspin.test")),
        DsnBuilder.Stamp.fresh(DsnGoldenTest.ARRIVED, "EX01.contoso.test"));
    List<String> out = python(dsn.content());
    assertEquals(List.of(
        "defects 0",
        "subject Undeliverable: Lunch on Friday?",
        "to alice@fabrikam.test",
        "auto-submitted auto-replied",
        "report-type delivery-status",
        "type multipart/report",
        "type text/plain",
        "type message/delivery-status",
        "type text/plain",
        "type text/plain",
        "type text/plain",
        "type text/rfc822-headers",
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
        new OriginalMessage("alice@fabrikam.test", null, DsnGoldenTest.ARRIVED, OriginalMessage.Return.FULL,
            DsnGoldenTest.eml("04-utf8-subject")),
        List.of(new DsnRecipient("frank@tailspin.test", null, DsnAction.FAILED,
            DiagnosticReply.of(550, "5.7.1", "Relaying denied"), "mx.tailspin.test")),
        DsnBuilder.Stamp.fresh(DsnGoldenTest.ARRIVED, "EX01.contoso.test"));
    List<String> out = python(dsn.content());
    assertEquals("subject Undeliverable: Résumé für François", out.get(1));
    assertEquals(List.of("type multipart/report", "type text/plain", "type message/delivery-status",
        "type text/plain", "type text/plain", "type message/rfc822", "type text/plain"),
        out.stream().filter(l -> l.startsWith("type ")).toList());
    assertEquals("recipient rfc822; frank@tailspin.test | None | failed | 5.7.1 | dns; mx.tailspin.test | smtp;"
        + " 550 5.7.1 Relaying denied", out.get(out.size() - 1));
  }

  private List<String> python(byte[] message) throws IOException, InterruptedException {
    assumeTrue(pythonAvailable(), "python3 is not installed: skipping the independent parser check");
    Path eml = dir.resolve("dsn.eml");
    Path script = dir.resolve("parse_dsn.py");
    Files.write(eml, message);
    Files.writeString(script, SCRIPT);
    Path output = dir.resolve("out.txt");
    Process p = new ProcessBuilder("python3", script.toString(), eml.toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("python3 did not finish within 60 s");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "python3 failed:\n" + text);
    return text.lines().toList();
  }

  private static boolean pythonAvailable() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
