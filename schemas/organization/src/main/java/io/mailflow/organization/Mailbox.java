package io.mailflow.organization;

import java.util.ArrayList;
import java.util.List;

/**
 * Mailbox - a user mailbox.
 *
 * @param primarySmtpAddress the address replies go to; mail for any proxy address lands here
 * @param proxyAddresses further SMTP addresses of the same mailbox
 * @param database the mailbox database it lives in
 */
public record Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database)
    implements DirectoryEntry {
  public Mailbox {
    proxyAddresses = List.copyOf(proxyAddresses);
  }

  /** The primary address, then the proxy addresses. */
  @Override
  public List<String> smtpAddresses() {
    List<String> all = new ArrayList<>(1 + proxyAddresses.size());
    all.add(primarySmtpAddress);
    all.addAll(proxyAddresses);
    return List.copyOf(all);
  }
}
