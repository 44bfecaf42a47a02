package io.mailflow.organization;

import java.util.List;

/**
 * Administrator - someone who may use the admin server (HTTP API): a name, a {@link PasswordHash} and a role
 * modelled on Exchange's role groups.
 *
 * @param name the login name (HTTP Basic user); letters, digits and {@code . _ @ -}, unique in the organization
 * @param passwordHash an encoded {@link PasswordHash} ({@code mailflow directory hash-password})
 * @param role what the administrator may do
 * @param tokenHashes hashes of the administrator's API bearer tokens ({@code mailflow directory make-token}); may
 *     be empty
 */
public record Administrator(String name, String passwordHash, Role role, List<String> tokenHashes) {

  public Administrator {
    tokenHashes = List.copyOf(tokenHashes);
  }

  /** An administrator who logs in with a password only. */
  public Administrator(String name, String passwordHash, Role role) {
    this(name, passwordHash, role, List.of());
  }

  /** Exchange's role groups, the two the admin server knows. */
  public enum Role {
    /** View-Only Organization Management: may read queues, messages, health and metrics. */
    ViewOnlyOrganizationManagement,
    /** Organization Management: may read and act (suspend, resume, retry ...). */
    OrganizationManagement;

    /** Whether this role may change state (the admin API's actions), not only read it. */
    public boolean mayAct() {
      return this == OrganizationManagement;
    }
  }

  /** The same administrator with {@code hash} (the built-in demo's administrator gets one at first start). */
  public Administrator withPasswordHash(String hash) {
    return new Administrator(name, hash, role, tokenHashes);
  }
}
