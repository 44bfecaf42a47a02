package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PythonDsn - a DSN read by an independent parser, Python 3's {@code email} package (as delivery/core's
 * DsnPythonParseTest does): subject, the MIME types, and per recipient Final-Recipient | Action | Status |
 * Remote-MTA as Python understood them. The calling test is skipped when python3 is not installed.
 */
final class PythonDsn {
  private PythonDsn() {}

  private static final String SCRIPT = String.join("\n",
      "import sys, email, email.policy",
      "msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)",
      "print('defects', len(msg.defects) + sum(len(p.defects) for p in msg.walk()))",
      "print('subject', msg['Subject'])",
      "print('report-type', msg.get_param('report-type'))",
      "status = next(p for p in msg.walk() if p.get_content_type() == 'message/delivery-status')",
      "blocks = status.get_payload()",
      "print('envelope-id', blocks[0]['Original-Envelope-Id'])",
      "for b in blocks[1:]:",
      "    print('recipient', ' | '.join(' '.join(str(b[f]).split()) for f in",
      "          ('Final-Recipient', 'Action', 'Status', 'Remote-MTA')))",
      "");

  static List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    assumeTrue(available(), "python3 is not installed: skipping the independent parser check");
    Path eml = Files.createTempFile(dir, "dsn", ".eml");
    Path script = dir.resolve("parse_dsn.py");
    Files.write(eml, message);
    Files.writeString(script, SCRIPT);
    Path output = Files.createTempFile(dir, "dsn", ".out");
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
