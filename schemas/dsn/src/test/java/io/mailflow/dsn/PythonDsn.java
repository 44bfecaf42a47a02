package io.mailflow.dsn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
  private static final ScriptedParser PARSER = new ScriptedParser(
      "python3", "python3", SCRIPT, ".py",
      List.of("python3", "--version"), "python3");

  private PythonDsn() {}

  /** The parser's lines for {@code message}, written to and read from {@code dir}. */
  public static List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    return PARSER.parse(message, dir);
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
}
