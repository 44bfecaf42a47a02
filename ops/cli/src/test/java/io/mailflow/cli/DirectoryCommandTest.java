package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `mailflow directory hash-password`: a mailbox passwordHash from a password on standard input. */
class DirectoryCommandTest {
  private record Outcome(int exit, String out, String err) {}

  private static Outcome hashPassword(String stdin, String... options) {
    InputStream original = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = Mailflow.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      String[] args = new String[options.length + 2];
      args[0] = "directory";
      args[1] = "hash-password";
      System.arraycopy(options, 0, args, 2, options.length);
      return new Outcome(cli.execute(args), out.toString(), err.toString());
    } finally {
      System.setIn(original);
    }
  }

  @Test
  void printsAHashOfTheFirstLineThatTheLoaderAcceptsAndThatMatches() {
    Outcome outcome = hashPassword("correct horse battery staple\nsecond line is ignored\n", "--iterations", "10000");
    assertEquals(0, outcome.exit(), outcome.err());
    String encoded = outcome.out().strip();
    assertTrue(encoded.startsWith("pbkdf2-sha256$10000$"), encoded);
    assertTrue(PasswordHash.parse(encoded).matches("correct horse battery staple".toCharArray()));
    assertTrue(!PasswordHash.parse(encoded).matches("correct horse battery staple\n".toCharArray()),
        "the line ending is not part of the password");
  }

  @Test
  void defaultIterationsAreOwasps() {
    Outcome outcome = hashPassword("pw\n");
    assertEquals(0, outcome.exit(), outcome.err());
    assertTrue(outcome.out().startsWith("pbkdf2-sha256$600000$"), outcome.out());
  }

  @Test
  void emptyInputIsRefusedWithOneLine() {
    Outcome outcome = hashPassword("", "--iterations", "10000");
    assertEquals(1, outcome.exit());
    assertEquals("mailflow: empty password on standard input; give one line, e.g. "
        + "printf '%s\\n' 'the password' | mailflow directory hash-password", outcome.err().strip());
  }

  @Test
  void tooFewIterationsAreRefused() {
    Outcome outcome = hashPassword("pw\n", "--iterations", "1000");
    assertEquals(1, outcome.exit());
    assertTrue(outcome.err().contains("--iterations 1000 is below 10000"), outcome.err());
  }

  @Test
  void makeTokenPrintsATokenNamingTheAdministratorAndAHashThatMatchesIt() {
    StringWriter out = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertEquals(0, cli.execute("directory", "make-token", "--administrator", "ci@contoso.test"));
    String token = out.toString().lines().filter(l -> l.startsWith("token ")).findFirst().orElseThrow()
        .substring("token".length()).strip();
    String hash = out.toString().lines().filter(l -> l.startsWith("tokenHash ")).findFirst().orElseThrow()
        .substring("tokenHash".length()).strip();
    assertTrue(token.matches("mailflow\\.ci@contoso\\.test\\.[A-Za-z0-9]{32}"), token);
    assertTrue(PasswordHash.parse(hash).matches(token.toCharArray()), "the hash is the token's");

    StringWriter err = new StringWriter();
    CommandLine bad = Mailflow.commandLine();
    bad.setErr(new PrintWriter(err, true));
    assertEquals(1, bad.execute("directory", "make-token", "--administrator", "bob:x"));
    assertTrue(err.toString().contains("is not an administrator name"), err.toString());
  }
}
