package io.mailflow.cli;

import io.mailflow.admin.ApiToken;
import io.mailflow.organization.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * DirectoryCommand - `mailflow directory ...`: tools for the organization's directory (mailbox and administrator
 * passwords, administrators' API tokens).
 */
@Command(name = "directory", mixinStandardHelpOptions = true,
    description = "Directory tools.", subcommands = {DirectoryCommand.HashPassword.class, DirectoryCommand.MakeToken.class})
final class DirectoryCommand {

  /** `mailflow directory hash-password`: a mailbox's passwordHash value from a password on stdin. */
  @Command(name = "hash-password", mixinStandardHelpOptions = true,
      description = {"Read a password from standard input (one line; asked twice, unechoed, at a terminal) and "
          + "print its hash for a mailbox's passwordHash key:",
          "  pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>"})
  static final class HashPassword implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--iterations", defaultValue = "" + PasswordHash.DEFAULT_ITERATIONS,
        description = "PBKDF2-HMAC-SHA256 iterations, at least " + PasswordHash.MIN_ITERATIONS + " (default ${DEFAULT-VALUE})")
    int iterations;

    @Override
    public Integer call() throws IOException {
      if (iterations < PasswordHash.MIN_ITERATIONS) {
        throw new CliFailure("--iterations " + iterations + " is below " + PasswordHash.MIN_ITERATIONS
            + ": such a hash is cheap to guess offline, and the organization loader refuses it");
      }
      char[] password = read();
      try {
        if (password.length == 0) {
          throw new CliFailure("empty password on standard input; give one line, e.g. "
              + "printf '%s\\n' 'the password' | mailflow directory hash-password");
        }
        spec.commandLine().getOut().println(PasswordHash.create(password, iterations).encoded());
        spec.commandLine().getOut().flush();
        return 0;
      } finally {
        Arrays.fill(password, '\0');
      }
    }

    private static char[] read() throws IOException {
      Console console = System.console();
      if (console != null) {
        char[] first = console.readPassword("Password: ");
        char[] again = console.readPassword("Again: ");
        if (first == null || !Arrays.equals(first, again)) {
          throw new CliFailure("the passwords differ");
        }
        return first;
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine(); // the first line; its line ending is not part of the password
      return line == null ? new char[0] : line.toCharArray();
    }
  }

  /** `mailflow directory make-token --administrator NAME`: a bearer token for the admin API and its hash. */
  @Command(name = "make-token", mixinStandardHelpOptions = true,
      description = {"Make a bearer token for the admin API (curl -H 'Authorization: Bearer <token>') and print it "
          + "once with the hash to add to the administrator's tokenHashes list in the organization file:",
          "  token      mailflow.<administrator>.<32 random characters>",
          "  tokenHash  pbkdf2-sha256$...",
          "The token acts with the administrator's role; remove its hash from the file to revoke it."})
  static final class MakeToken implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--administrator", required = true, paramLabel = "NAME",
        description = "The administrator (administrators[].name) the token logs in as.")
    String administrator;

    @Override
    public Integer call() {
      if (!administrator.matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new CliFailure("'" + administrator + "' is not an administrator name: 1-64 letters, digits and . _ @ -");
      }
      ApiToken.Made made = ApiToken.create(administrator);
      java.io.PrintWriter out = spec.commandLine().getOut();
      out.println("token      " + made.token());
      out.println("tokenHash  " + made.tokenHash());
      out.println("           the token is shown once; add the hash to administrators[name: " + administrator
          + "].tokenHashes");
      out.flush();
      return 0;
    }
  }
}
