package io.mailflow.organization;

import java.util.List;

/**
 * DirectoryEntry - a recipient the directory knows: a {@link Mailbox} (delivered to its database) or a
 * {@link DistributionGroup} (expanded into its members).
 */
public sealed interface DirectoryEntry permits Mailbox, DistributionGroup {
  String name();

  /** The address this recipient is known by; replies and expansions use it. */
  String primarySmtpAddress();

  /** Every SMTP address that reaches this recipient, the primary one first. */
  default List<String> smtpAddresses() {
    return List.of(primarySmtpAddress());
  }
}
