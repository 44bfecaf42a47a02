package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PythonDsn - a report read by an independent parser, Python 3's {@code email} package; shared by every
 * module that writes DSNs (schemas/dsn's test-jar). One line per fact, in this order: {@code defects N},
 * {@code from}, {@code to}, {@code subject}, {@code auto-submitted}, {@code report-type}, {@code types} (the
 * MIME tree, space-separated), {@code reporting-mta}, {@code envelope-id}, then per recipient
 * {@code recipient Final-Recipient | Original-Recipient | Action | Status | Remote-MTA | Diagnostic-Code}
 * (absent fields print None). Skips the calling test when python3 is missing, unless CI is set: then it fails.
 */
public final class PythonDsn {
  private static final String SCRIPT = String.join("\n",
      "import sys, email, email.policy",
      "msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)",
      "print('defects', len(msg.defects) + sum(len(p.defects) for p in msg.walk()))",
      "for h in ('From', 'To', 'Subject', 'Auto-Submitted'):",
      "    print(h.lower(), msg[h])",
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

  private PythonDsn() {}

  /** The parser's lines for {@code message}, written to and read from {@code dir}. */
  public static List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    boolean available = available();
    if (!available && System.getenv("CI") != null) {
      throw new AssertionError("python3 is not installed, and CI is set: ops/ci/install-test-peers.sh installs it");
    }
    assumeTrue(available, "python3 is not installed: skipping the independent parser check");
    Path eml = Files.createTempFile(dir, "dsn", ".eml");
    Path script = Files.createTempFile(dir, "parse_dsn", ".py");
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

  /** The first line labelled {@code label}, without the label ("subject ..." gives the subject). */
  public static String value(List<String> lines, String label) {
    return lines.stream().filter(l -> l.startsWith(label + " ")).map(l -> l.substring(label.length() + 1))
        .findFirst().orElseThrow(() -> new AssertionError("no '" + label + "' line in " + lines));
  }

  /** The recipient lines. */
  public static List<String> recipients(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("recipient ")).toList();
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
