package io.mailflow.organization;

import java.util.List;

/**
 * Mailbox - a user mailbox.
 *
 * @param primarySmtpAddress the address replies go to; mail for any proxy address lands here
 * @param proxyAddresses further SMTP addresses of the same mailbox
 * @param database the mailbox database it lives in
 */
public record Mailbox(String name, String primarySmtpAddress, List<String> proxyAddresses, String database) {
  public Mailbox {
    proxyAddresses = List.copyOf(proxyAddresses);
  }
}
