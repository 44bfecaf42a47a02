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

  private SisimaiDsn() {}

  /** Sisimai's lines for {@code message}, written to and read from {@code dir}. */
  public static List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    boolean available = available();
    if (!available && System.getenv("CI") != null) {
      throw new AssertionError("Sisimai is not installed, and CI is set: ops/ci/install-test-peers.sh installs it");
    }
    assumeTrue(available, "Sisimai (libsisimai-perl) is not installed: skipping the bounce-parser check");
    Path eml = Files.createTempFile(dir, "dsn", ".eml");
    Path script = Files.createTempFile(dir, "sisimai", ".pl");
    Files.write(eml, message);
    Files.writeString(script, SCRIPT);
    Path output = Files.createTempFile(dir, "sisimai", ".out");
    Process p = new ProcessBuilder("perl", script.toString(), eml.toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("Sisimai did not finish within 60 s");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "Sisimai failed:\n" + text);
    return text.lines().toList();
  }

  private static boolean available() {
    try {
      Process p = new ProcessBuilder("perl", "-MSisimai", "-e", "1").redirectErrorStream(true)
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
