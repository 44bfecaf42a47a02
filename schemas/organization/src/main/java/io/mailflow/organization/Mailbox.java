package io.mailflow.organization;

import java.util.ArrayList;
import java.util.List;

/**
 * Mailbox - a user mailbox.
 *
 * @param primarySmtpAddress the address replies go to; mail for any proxy address lands here
 * @param proxyAddresses further SMTP addresses of the same mailbox
 * @param database the mailbox database it lives in
 * @param passwordHash the SMTP AUTH password as a {@link PasswordHash} encoding, or null: the mailbox
 *     cannot authenticate
 * @param sendAs addresses of other mailboxes or groups this mailbox may send as when authenticated
 *     (Exchange's Send As permission, granted here on the sender rather than on the target)
 */
public record Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database,
    String passwordHash, List<String> sendAs) implements DirectoryEntry {
  public Mailbox {
    proxyAddresses = List.copyOf(proxyAddresses);
    sendAs = sendAs == null ? List.of() : List.copyOf(sendAs);
  }

  /** A mailbox without a password (it cannot authenticate) and without Send As grants. */
  public Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database) {
    this(name, primarySmtpAddress, proxyAddresses, database, null, List.of());
  }

  /** The same mailbox with another password hash (e.g. one made at first start for the demo). */
  public Mailbox withPasswordHash(String hash) {
    return new Mailbox(name, primarySmtpAddress, proxyAddresses, database, hash, sendAs);
  }

  /** The primary address, then the proxy addresses. */
  @Override
  public List<String> smtpAddresses() {
    List<String> all = new ArrayList<>(1 + proxyAddresses.size());
    all.add(primarySmtpAddress);
    all.addAll(proxyAddresses);
    return List.copyOf(all);
  }

  @Override
  public String toString() { // the hash stays out of logs and assertion messages
    return "Mailbox[name=" + name + ", primarySmtpAddress=" + primarySmtpAddress + ", proxyAddresses="
        + proxyAddresses + ", database=" + database + ", passwordHash=" + (passwordHash == null ? "none" : "set")
        + ", sendAs=" + sendAs + "]";
  }
}
