package io.mailflow.categorizer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PythonDsnParser - an independent reader of our reports: Python 3's {@code email} package (the approach of
 * schemas/dsn's DsnPythonParseTest). It prints defects, headers, the MIME types and the delivery-status
 * fields as Python understood them. A test using it is skipped when python3 is not installed.
 */
final class PythonDsnParser {
  private static final String SCRIPT = String.join("\n",
      "import sys, email, email.policy",
      "msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)",
      "print('defects', len(msg.defects) + sum(len(p.defects) for p in msg.walk()))",
      "print('from', msg['From'])",
      "print('to', msg['To'])",
      "print('subject', msg['Subject'])",
      "print('report-type', msg.get_param('report-type'))",
      "print('types', ' '.join(p.get_content_type() for p in msg.walk()))",
      "status = next(p for p in msg.walk() if p.get_content_type() == 'message/delivery-status')",
      "blocks = status.get_payload()",
      "print('reporting-mta', blocks[0]['Reporting-MTA'])",
      "print('envelope-id', blocks[0]['Original-Envelope-Id'])",
      "for b in blocks[1:]:",
      "    print('recipient', ' | '.join(' '.join(str(b[f]).split()) for f in",
      "          ('Final-Recipient', 'Original-Recipient', 'Action', 'Status', 'Remote-MTA', 'Diagnostic-Code')))",
      "");

  private PythonDsnParser() {}

  /** The parser's lines for {@code message}; skips the calling test when python3 is missing. */
  static List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    assumeTrue(available(), "python3 is not installed: skipping the independent parser check");
    Path eml = Files.createTempFile(dir, "ndr", ".eml");
    Path script = dir.resolve("parse_dsn.py");
    Files.write(eml, message);
    Files.writeString(script, SCRIPT);
    Path output = Files.createTempFile(dir, "out", ".txt");
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

  private static boolean available() {
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
