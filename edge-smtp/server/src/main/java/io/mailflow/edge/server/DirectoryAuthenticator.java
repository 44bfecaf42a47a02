package io.mailflow.edge.server;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.PasswordHash;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * DirectoryAuthenticator - checks SMTP AUTH credentials against the mailboxes' password hashes. The
 * user name is any SMTP address of the mailbox (any case); the session is then known by the primary
 * address.
 *
 * <p>{@link #verify} is slow on purpose (PBKDF2): call it on a worker thread, never an event loop.
 * An unknown user or one without a password costs as much time as a wrong password, so timing does
 * not tell which addresses have passwords.
 */
final class DirectoryAuthenticator {
  private final Directory directory;
  private final Map<String, PasswordHash> hashes = new HashMap<>();
  private final int decoyIterations;
  private volatile PasswordHash decoy;

  DirectoryAuthenticator(Directory directory) {
    this.directory = directory;
    int iterations = PasswordHash.MIN_ITERATIONS;
    for (Mailbox mailbox : directory.organization().mailboxes()) {
      if (mailbox.passwordHash() != null) {
        PasswordHash hash = PasswordHash.parse(mailbox.passwordHash()); // validated when the organization was loaded
        hashes.put(mailbox.primarySmtpAddress().toLowerCase(java.util.Locale.ROOT), hash);
        iterations = Math.max(iterations, hash.iterations());
      }
    }
    decoyIterations = iterations;
  }

  /** The mailbox's primary address when {@code password} is its password; clears {@code password}. */
  Optional<String> verify(String user, char[] password) {
    try {
      Optional<Mailbox> mailbox = directory.findMailbox(user);
      PasswordHash hash = mailbox.map(m -> hashes.get(m.primarySmtpAddress().toLowerCase(java.util.Locale.ROOT)))
          .orElse(null);
      if (hash == null) {
        decoy().matches(password); // same cost as a real check
        return Optional.empty();
      }
      return hash.matches(password) ? Optional.of(mailbox.get().primarySmtpAddress()) : Optional.empty();
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /**
   * The account a user name stands for, for counting failed logons: the mailbox's primary address (so every
   * address of one mailbox counts as one account), else the name as given. A map lookup: fine on an event loop.
   */
  String account(String user) {
    return directory.findMailbox(user).map(Mailbox::primarySmtpAddress).orElse(user);
  }

  /** Whether any mailbox can authenticate at all. */
  boolean hasPasswords() {
    return !hashes.isEmpty();
  }

  private PasswordHash decoy() {
    PasswordHash d = decoy;
    if (d == null) {
      d = PasswordHash.create("decoy".toCharArray(), decoyIterations);
      decoy = d;
    }
    return d;
  }
}
