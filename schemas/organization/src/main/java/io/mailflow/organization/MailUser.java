package io.mailflow.organization;

/**
 * MailUser - a user of the organization whose mailbox is elsewhere (Exchange {@code New-MailUser}): it
 * signs in here, but mail to its primary SMTP address is redirected to its external address.
 *
 * @param primarySmtpAddress the address in an accepted domain that people and groups use
 * @param externalEmailAddress where mail is delivered (Exchange: ExternalEmailAddress)
 */
public record MailUser(String name, String primarySmtpAddress, String externalEmailAddress)
    implements TargetAddressRecipient {}
