package io.mailflow.organization;

import java.util.List;

/**
 * DirectoryEntry - a recipient the directory knows: a {@link Mailbox} (delivered to its database), a
 * {@link DistributionGroup} (expanded into its members), or a {@link TargetAddressRecipient} (mail contact
 * or mail user: redirected to its external address).
 */
public sealed interface DirectoryEntry permits Mailbox, DistributionGroup, TargetAddressRecipient {
  String name();

  /** The address this recipient is known by; replies and expansions use it. */
  String primarySmtpAddress();

  /** Every SMTP address that reaches this recipient, the primary one first. */
  default List<String> smtpAddresses() {
    return List.of(primarySmtpAddress());
  }
}
