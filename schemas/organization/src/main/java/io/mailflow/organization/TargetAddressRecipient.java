package io.mailflow.organization;

/**
 * TargetAddressRecipient - a directory object whose mail goes to an address outside the organization
 * (Exchange's ExternalEmailAddress, the "target address"): a {@link MailContact} or a {@link MailUser}.
 * The categorizer redirects mail for its addresses to the target (tracking REDIRECT).
 */
public sealed interface TargetAddressRecipient extends DirectoryEntry permits MailContact, MailUser {
  /** Where mail for this recipient is redirected. */
  String externalEmailAddress();
}
