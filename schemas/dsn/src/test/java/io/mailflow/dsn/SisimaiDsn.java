package io.mailflow.dsn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * SisimaiDsn - a bounce read as bounce processors read them, by Sisimai (Debian's libsisimai-perl): one line
 * per bounced recipient, {@code recipient | reason | deliverystatus | replycode | smtpcommand | smtpagent}.
 * Sisimai reads the command only from the Diagnostic-Code field ({@code Sisimai::RFC3464}: in 4.25 a
 * "RCPT|MAIL|DATA command" there; in 5.x {@code Sisimai::SMTP::Command->find} on the same field). Skips the
 * calling test when Sisimai is missing, unless CI is set: then it fails (ops/ci/install-test-peers.sh installs it).
 */
public final class SisimaiDsn {
  private static final String SCRIPT = String.join("\n",
      "use Sisimai;",
      "my $v = Sisimai->make($ARGV[0]) || [];",
      "for my $e (@$v) {",
      "  print join(' | ', $e->recipient->address,",
      "    map { $e->$_ // '' } qw(reason deliverystatus replycode smtpcommand smtpagent)), \"\\n\";",
      "}",
      "");
  private static final ScriptedParser PARSER = new ScriptedParser(
      "Sisimai", "perl", SCRIPT, ".pl",
      List.of("perl", "-MSisimai", "-e", "1"), "libsisimai-perl");

  private SisimaiDsn() {}

  /** Sisimai's lines for {@code message}, written to and read from {@code dir}. */
  public static List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    return PARSER.parse(message, dir);
  }
}
