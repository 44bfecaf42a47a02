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
 * @param forwarding where mail for this mailbox is forwarded (Exchange's ForwardingAddress,
 *     ForwardingSmtpAddress, DeliverToMailboxAndForward); {@link Forwarding#NONE} when it is not
 */
public record Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database,
    String passwordHash, List<String> sendAs, Forwarding forwarding) implements DirectoryEntry {
  public Mailbox {
    proxyAddresses = List.copyOf(proxyAddresses);
    sendAs = sendAs == null ? List.of() : List.copyOf(sendAs);
    forwarding = forwarding == null ? Forwarding.NONE : forwarding;
  }

  /** A mailbox that does not forward. */
  public Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database,
      String passwordHash, List<String> sendAs) {
    this(name, primarySmtpAddress, proxyAddresses, database, passwordHash, sendAs, Forwarding.NONE);
  }

  /** A mailbox without a password (it cannot authenticate), without Send As grants and without forwarding. */
  public Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database) {
    this(name, primarySmtpAddress, proxyAddresses, database, null, List.of());
  }

  /**
   * Whether this mailbox, authenticated, may use {@code address} as its sender without further rights:
   * one of its own addresses, or an address of a recipient it has Send As on.
   */
  public boolean maySendAs(AddressBook book, String address) {
    var owner = book.find(address);
    if (owner.isEmpty()) {
      return false;
    }
    if (owner.get().equals(this)) {
      return true;
    }
    for (String granted : sendAs) {
      if (book.find(granted).filter(owner.get()::equals).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The same mailbox with another password hash (e.g. one made at first start for the demo). */
  public Mailbox withPasswordHash(String hash) {
    return new Mailbox(name, primarySmtpAddress, proxyAddresses, database, hash, sendAs, forwarding);
  }

  /** The same mailbox forwarding as given. */
  public Mailbox withForwarding(Forwarding forwarding) {
    return new Mailbox(name, primarySmtpAddress, proxyAddresses, database, passwordHash, sendAs, forwarding);
  }

  /**
   * Forwarding - Exchange's mailbox delivery options. When both addresses are set, {@code forwardingAddress}
   * wins and {@code forwardingSmtpAddress} is ignored, as in Exchange.
   *
   * @param forwardingAddress a recipient of this organization (mailbox, group, contact, mail user), or null
   * @param forwardingSmtpAddress any SMTP address, or null
   * @param deliverToMailboxAndForward whether the mailbox keeps a copy (Exchange's default: false, it does not)
   */
  public record Forwarding(String forwardingAddress, String forwardingSmtpAddress,
      boolean deliverToMailboxAndForward) {
    public static final Forwarding NONE = new Forwarding(null, null, false);

    /** The address mail is forwarded to, or empty when the mailbox does not forward. */
    public java.util.Optional<String> target() {
      return java.util.Optional.ofNullable(forwardingAddress != null ? forwardingAddress : forwardingSmtpAddress);
    }
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
        + ", sendAs=" + sendAs + ", forwarding=" + forwarding + "]";
  }
}
